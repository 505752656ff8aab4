"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import path

from weibao.oncall import api

urlpatterns = [
    path("oncall/now/", api.OnCallNowView.as_view(), name="oncall-now"),
    path("oncall/gaps/", api.CoverageGapsView.as_view(), name="oncall-gaps"),
    path("oncall/schedules/", api.SchedulesView.as_view(), name="oncall-schedules"),
    path("oncall/schedules/<int:pk>/", api.ScheduleView.as_view(), name="oncall-schedule"),
    path("oncall/schedules/<int:pk>/layers/", api.ScheduleLayersView.as_view(), name="oncall-schedule-layers"),
    path("oncall/layers/<int:pk>/", api.LayerView.as_view(), name="oncall-layer"),
    path("oncall/overrides/", api.OverridesView.as_view(), name="oncall-overrides"),
    path("oncall/overrides/<int:pk>/decide/", api.OverrideDecisionView.as_view(), name="oncall-override-decide"),
]
