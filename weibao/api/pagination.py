from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError({name: [_("只能指定一次。")]})
    raw = values[0]
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("应为正整数。")]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationError({name: [_("不能大于 %(max)d。") % {"max": maximum}]})
    return value


class StandardPagination(PageNumberPagination):
    """Page-number pagination that refuses malformed ``page``/``page_size`` with a 400
    naming the parameter, instead of silently falling back to defaults."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        size = _positive_int(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
