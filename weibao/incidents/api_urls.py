"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from weibao.incidents.api import AlertIntakeView, IncidentViewSet, IntegrationViewSet

router = SimpleRouter()
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("incidents", IncidentViewSet, basename="incident")

urlpatterns = [
    path(
        "integrations/<str:kind>/<str:secret>/", AlertIntakeView.as_view(), name="alert-intake",
    ),
    *router.urls,
]
