from django.urls import include, path

from weibao.core import views as core_views
from weibao.core.admin_site import admin_site

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/security/tokens/", include("weibao.api.account_urls")),
    path("accounts/users/", include("weibao.contracts.roles_urls")),
    path("accounts/", include("weibao.accounts.urls")),
    path("contracts/", include("weibao.contracts.urls")),
    path("audit/", include("weibao.audit.urls")),
    path("notifications/", include("weibao.notifications.urls")),
    path("calendars/", include("weibao.calendars.urls")),
    path("tickets/", include("weibao.servicedesk.urls")),
    path("knowledge/", include("weibao.knowledge.urls")),
    path("feedback/", include("weibao.feedback.urls")),
    path("hotline/", include("weibao.hotline.urls")),
    path("portal/", include("weibao.portal.urls")),
    path("mail/", include("weibao.mailchannel.urls")),
    path("visits/", include("weibao.visits.urls")),
    path("people/", include("weibao.people.urls")),
    path("escalations/", include("weibao.escalations.urls")),
    path("oncall/", include("weibao.oncall.urls")),
    path("monitoring/", include("weibao.monitoring.urls")),
    path("ping/", include("weibao.monitoring.ping_urls")),
    path("incidents/", include("weibao.incidents.urls")),
    path("changes/", include("weibao.changes.urls")),
    path("ledger/", include("weibao.ledger.urls")),
    path("api/v1/", include("weibao.api.urls")),
    path("admin/", admin_site.urls),
    path("", include("weibao.web.urls")),
]

handler400 = "weibao.core.views.bad_request"
handler403 = "weibao.core.views.permission_denied"
handler404 = "weibao.core.views.not_found"
handler500 = "weibao.core.views.server_error"

