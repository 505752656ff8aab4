"""Platform-wide SMS/voice gateways (and any channel) for the system administrator, with
the same encrypted, write-only secrets as the project managers' page."""

from django.contrib import admin

from weibao import audit
from weibao.core.admin_site import SystemAdminModelAdmin, admin_site
from weibao.notifications.forms import ChannelForm
from weibao.notifications.models import NotificationChannel


class AdminChannelForm(ChannelForm):
    class Meta(ChannelForm.Meta):
        fields = ["contract", *ChannelForm.Meta.fields]


@admin.register(NotificationChannel, site=admin_site)
class NotificationChannelAdmin(SystemAdminModelAdmin):
    form = AdminChannelForm
    list_display = ["name", "kind", "contract", "active"]
    list_filter = ["kind", "active"]
    fields = ["contract", "name", "kind", "message_format", "rate_per_minute", "active",
              "endpoint_input", "secret_input", "clear_secret", "options_text"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record("notification.channel.save", obj=obj, actor=request.user, contract=obj.contract, detail={
            "kind": obj.kind, "name": obj.name, "active": obj.active, "platform": obj.contract_id is None,
            "endpoint_changed": bool(form.cleaned_data.get("endpoint_input")),
            "secret_changed": bool(form.cleaned_data.get("secret_input") or form.cleaned_data.get("clear_secret")),
        })
