"""Django admin, open to system administrators (系统管理员) only."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SystemAdminSite(admin.AdminSite):
    site_header = _("维保 系统管理")
    site_title = _("维保 系统管理")
    index_title = _("系统管理")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_system_admin)

    # One login and one password change for the whole product: the admin's own forms
    # would be a second, unthrottled and unaudited password check, and a password change
    # without history, expiry or audit.
    def login(self, request, extra_context=None):
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"), reverse("accounts:login")
        )

    def password_change(self, request, extra_context=None):
        return redirect("accounts:password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("accounts:security")


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
