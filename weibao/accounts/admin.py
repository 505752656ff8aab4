"""Django admin for system administrators: accounts (no secrets), audited saves."""

from django.contrib import admin  # noqa: F401

from weibao import audit
from weibao.accounts.models import User
from weibao.audit.services import changed, snapshot
from weibao.web.admin_site import SystemAdminModelAdmin, admin_site


class AuditedModelAdmin(SystemAdminModelAdmin):
    """Every save and delete through the admin lands in the audit trail."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        old, new = changed(before, snapshot(obj))
        audit.record(
            "admin.changed" if change else "admin.created", obj=obj, actor=request.user, before=old, after=new
        )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        audit.record("admin.deleted", obj=obj, actor=request.user, before=before)
        super().delete_model(request, obj)


@admin.register(User, site=admin_site)
class UserAdmin(AuditedModelAdmin):
    """Accounts only. Roles are granted by the security administrator (/accounts/users/),
    not here: separation of duties between the three administrators."""

    list_display = ["username", "display_name", "organisation", "is_active", "last_login"]
    search_fields = ["username", "display_name", "organisation"]
    list_filter = ["is_active"]
    fields = ["username", "display_name", "email", "phone", "organisation", "is_active", "must_change_password"]

    def get_readonly_fields(self, request, obj=None):
        return ["username"] if obj is not None else []
