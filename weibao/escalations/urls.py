from django.urls import path  # noqa: F401

app_name = "escalations"

urlpatterns: list = []
