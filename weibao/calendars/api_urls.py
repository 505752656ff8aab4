"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.calendars.api import CalendarViewSet, HolidayViewSet

router = SimpleRouter()
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("holidays", HolidayViewSet, basename="holiday")

urlpatterns = router.urls
