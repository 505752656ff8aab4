"""This app's REST endpoints, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from weibao.servicedesk.api import TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = router.urls
