from django.urls import path

from weibao.audit import views, views_anchor

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:seq>/", views.audit_detail, name="detail"),
    path("reveals/", views.reveal_list, name="reveals"),
    path("anchor/", views_anchor.anchor_download, name="anchor"),
]
