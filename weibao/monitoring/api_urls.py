"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.monitoring.api import MonitorViewSet

router = SimpleRouter()
router.register("monitors", MonitorViewSet, basename="monitor")

urlpatterns = router.urls
