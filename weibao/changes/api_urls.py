"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.changes.api import ChangeViewSet, DataAccessViewSet

router = SimpleRouter()
router.register("changes", ChangeViewSet, basename="change")
router.register("data-access", DataAccessViewSet, basename="data-access")

urlpatterns = router.urls
