from django.urls import path

from weibao.hotline import views

app_name = "hotline"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("caller/", views.caller, name="caller"),
    path("suggest/", views.suggest, name="suggest"),
]
