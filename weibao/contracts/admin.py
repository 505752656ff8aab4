from django.contrib import admin  # noqa: F401

from weibao.accounts.admin import AuditedModelAdmin
from weibao.contracts.models import Contract
from weibao.core.admin_site import admin_site


@admin.register(Contract, site=admin_site)
class ContractAdmin(AuditedModelAdmin):
    list_display = ["number", "name", "party_a", "party_b", "amount", "term_start", "term_end", "status"]
    search_fields = ["number", "name", "party_a", "party_b"]
    list_filter = ["status"]
