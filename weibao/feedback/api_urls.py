"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import path

from weibao.feedback.api import FiguresView, TicketRatingView

urlpatterns = [
    path("tickets/<int:pk>/rating/", TicketRatingView.as_view(), name="ticket-rating"),
    path("feedback/figures/", FiguresView.as_view(), name="feedback-figures"),
]
