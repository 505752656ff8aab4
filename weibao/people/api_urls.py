"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.people.api import PeopleViewSet

router = SimpleRouter()
router.register("people", PeopleViewSet, basename="people")

urlpatterns = router.urls
