"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.escalations.api import EscalationViewSet

router = SimpleRouter()
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns = router.urls
