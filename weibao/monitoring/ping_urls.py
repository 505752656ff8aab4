"""``/ping/<uuid>`` (and ``/start``, ``/fail``): heartbeats from cron jobs and batch tasks."""

from django.urls import path

from weibao.monitoring import public_views

app_name = "ping"

urlpatterns = [
    path("<uuid:key>", public_views.ping, name="success"),
    path("<uuid:key>/", public_views.ping, name="success_slash"),
    path("<uuid:key>/start", public_views.ping, {"signal": "start"}, name="start"),
    path("<uuid:key>/fail", public_views.ping, {"signal": "fail"}, name="fail"),
]
