from django.urls import path

from weibao.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.rectification_list, name="list"),
    path("<int:pk>/", views.rectification_detail, name="detail"),
    path("<int:pk>/callback/", views.rectification_callback, name="callback"),
    path("<int:pk>/close/", views.rectification_close, name="close"),
    path("rate/<int:ticket_pk>/", views.rate_ticket, name="rate"),
]
