from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from weibao.api import views
from weibao.api.reveals import RevealListView
from weibao.contracts.api import ContractViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("contracts", ContractViewSet, basename="contract")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The page is a shell that fetches the schema itself: it authenticates nobody, so a
    # stale token in the request cannot fail it while its template renders.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema", authentication_classes=[]),
         name="api-docs"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.RevokeTokenView.as_view(), name="api-token-revoke"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("audit/reveals/", RevealListView.as_view(), name="api-reveals"),
    path("", include("weibao.calendars.api_urls")),
    path("", include("weibao.feedback.api_urls")),
    path("", include("weibao.servicedesk.api_urls")),
    path("", include("weibao.knowledge.api_urls")),
    path("", include("weibao.people.api_urls")),
    path("", include("weibao.escalations.api_urls")),
    path("", include("weibao.oncall.api_urls")),
    path("", include("weibao.monitoring.api_urls")),
    path("", include("weibao.incidents.api_urls")),
    path("", include("weibao.changes.api_urls")),
    path("", include("weibao.ledger.api_urls")),
    path("", include(router.urls)),
]
