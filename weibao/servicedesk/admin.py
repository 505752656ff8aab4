"""Django admin for system administrators: a contract's support groups, chiefly which
one receives the hotline's follow-ups (saves audited)."""

from django.contrib import admin  # noqa: F401

from weibao.accounts.admin import AuditedModelAdmin
from weibao.core.admin_site import admin_site
from weibao.servicedesk.models import SupportGroup


@admin.register(SupportGroup, site=admin_site)
class SupportGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "contract", "hotline_follow_up"]
    list_filter = ["hotline_follow_up"]
    search_fields = ["name", "contract__number"]
    fields = ["contract", "name", "hotline_follow_up"]

    def get_readonly_fields(self, request, obj=None):
        return ["contract"] if obj is not None else []
