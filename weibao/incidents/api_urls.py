"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from weibao.incidents.api import AlertIntakeView, IncidentViewSet, IntegrationViewSet
from weibao.incidents.models import WEBHOOK_KINDS

router = SimpleRouter()
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("incidents", IncidentViewSet, basename="incident")

urlpatterns = [
    *router.urls,
    re_path(
        r"^integrations/(?P<kind>{})/(?P<secret>[A-Za-z0-9_-]{{1,64}})/$".format("|".join(WEBHOOK_KINDS)),
        AlertIntakeView.as_view(), name="alert-intake",
    ),
]
