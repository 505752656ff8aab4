from django.urls import path

from weibao.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("new/", views.plan, name="plan"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
