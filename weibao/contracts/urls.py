from django.urls import path

from weibao.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("switch/", views.switch_contract, name="switch"),
    path("<int:pk>/", views.contract_detail, name="detail"),
]
