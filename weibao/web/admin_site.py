"""Django admin, open to system administrators (系统管理员) only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class SystemAdminSite(admin.AdminSite):
    site_header = _("维保 系统管理")
    site_title = _("维保 系统管理")
    index_title = _("系统管理")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_system_admin)


admin_site = SystemAdminSite(name="admin")


class SystemAdminModelAdmin(admin.ModelAdmin):
    """Model permissions follow the role, not Django's per-model permission table."""

    def has_module_permission(self, request) -> bool:
        return admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return admin_site.has_permission(request)
