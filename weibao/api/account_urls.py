from django.urls import path

from weibao.api import account_pages

app_name = "api_tokens"

urlpatterns = [
    path("<int:pk>/revoke/", account_pages.revoke_token, name="revoke"),
]
