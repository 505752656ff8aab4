from django.urls import path

from weibao.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.contact_settings, name="settings"),
    path("settings/test/", views.contact_test, name="settings_test"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("deliveries/platform/", views.platform_delivery_list, name="platform_deliveries"),
    path("deliveries/platform/<int:pk>/retry/", views.platform_delivery_retry, name="platform_delivery_retry"),
    path("channels/", views.channel_list, name="channels"),
    path("channels/new/", views.channel_edit, name="channel_new"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
]
