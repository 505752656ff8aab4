"""The incident list's filters, declared once for the page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from weibao.core.filters import FilterSet, UnknownParametersRefusedForm
from weibao.incidents.models import Category, Incident, Level
from weibao.servicedesk.filtersets import ChoicesFilter, IdFilter, IdsFilter


class IncidentFilterSet(FilterSet):
    contract = IdFilter(field_name="contract_id", message=gettext_lazy("合同编号应为整数。"))
    status = ChoicesFilter(choices=Incident.Status.choices, help_text="open, acknowledged or resolved")
    level = ChoicesFilter(choices=Level.choices)
    category = ChoicesFilter(choices=Category.choices)
    component = IdsFilter(field_name="component_id")

    class Meta:
        model = Incident
        fields: list[str] = []

    @property
    def error_messages(self) -> dict[str, str]:
        return {name: messages[0] for name, messages in self.errors.items()}


class ApiIncidentFilterSet(IncidentFilterSet):
    """The API also refuses parameters it does not know (a typo is not ignored)."""

    class Meta(IncidentFilterSet.Meta):
        form = UnknownParametersRefusedForm
