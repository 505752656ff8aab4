from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from weibao.core.params import parse_page, parse_positive_int


def _single(request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: [_("只能指定一次。")]})
    return values[0] if values else None


class StandardPagination(PageNumberPagination):
    """Page-number pagination that refuses malformed ``page``/``page_size`` with a 400
    naming the parameter, instead of silently falling back to defaults."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        name = self.page_size_query_param
        size = parse_positive_int(_single(request, name), name, maximum=self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request, paginator):
        # DRF hands the raw value to Django's paginator, which reads "٣" as 3 and
        # answers 404 past the last page; the one parser decides what a page number is.
        return parse_page(_single(request, self.page_query_param), self.page_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
