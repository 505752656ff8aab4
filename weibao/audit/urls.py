from django.urls import path

from weibao.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:seq>/", views.audit_detail, name="detail"),
]
