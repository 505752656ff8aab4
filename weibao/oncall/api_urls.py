"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import path

from weibao.oncall.api import CoverageGapsView, OnCallNowView

urlpatterns = [
    path("oncall/now/", OnCallNowView.as_view(), name="oncall-now"),
    path("oncall/gaps/", CoverageGapsView.as_view(), name="oncall-gaps"),
]
