from django.urls import path

from weibao.monitoring import public_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitor_list, name="list"),
    path("new/", views.monitor_new, name="new"),
    path("<int:pk>/", views.monitor_detail, name="detail"),
    path("<int:pk>/edit/", views.monitor_edit, name="edit"),
    path("availability/", views.availability_report, name="availability"),
    path("maintenance/", views.maintenance_list, name="maintenance"),
    path("maintenance/new/", views.maintenance_new, name="maintenance_new"),
    path("maintenance/<int:pk>/end/", views.maintenance_end, name="maintenance_end"),
    path("status/", views.bureau_status, name="status"),
    path("status/settings/", views.status_settings, name="status_settings"),
    # The public variant: a slug chosen by the project manager, no secret in it.
    path("public/<slug:slug>/", public_views.public_status, name="public_status"),
]
