from django.urls import path

from weibao.accounts import views, views_roles

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("users/", views_roles.user_list, name="roles"),
    path("users/<int:pk>/", views_roles.user_roles, name="user_roles"),
    path("users/<int:pk>/memberships/", views_roles.add_membership, name="add_membership"),
    path(
        "users/<int:pk>/memberships/<int:membership_id>/remove/",
        views_roles.remove_membership,
        name="remove_membership",
    ),
    path("users/<int:pk>/admin-role/", views_roles.set_admin_role, name="set_admin_role"),
    path("users/<int:pk>/active/", views_roles.set_active, name="set_active"),
    path("users/<int:pk>/unlock/", views_roles.unlock_user, name="unlock_user"),
]
