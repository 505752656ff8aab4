from django.urls import path

from weibao.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("new/", views.plan, name="plan"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check_in/", views.check_in, name="check_in"),
    path("<int:pk>/check_out/", views.check_out, name="check_out"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
