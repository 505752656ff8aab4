"""Django admin for system administrators: accounts (no secrets), audited saves."""

from django.contrib import admin  # noqa: F401

from weibao import audit
from weibao.accounts.models import User
from weibao.accounts.services import activation
from weibao.audit.services import changed, snapshot
from weibao.core.admin_site import SystemAdminModelAdmin, admin_site


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("admin_role_grant")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["username"]
        if not activation.may_set_active(obj, by=request.user):
            readonly.append("is_active")
        return readonly

    def has_change_permission(self, request, obj=None) -> bool:
        # The administrators' own accounts are the security administrator's to manage
        # (/accounts/users/), except one's own details.
        if obj is not None and obj.admin_role is not None and obj.pk != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.admin_role is not None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            wanted = obj.is_active
            obj.is_active = not wanted  # the activation service makes (and audits) the change
            super().save_model(request, obj, form, change)
            activation.set_active(obj, wanted, by=request.user)
            return
        super().save_model(request, obj, form, change)
