"""The security administrator's pages for people and roles, under /accounts/users/."""

from django.urls import path

from weibao.contracts import views_roles

app_name = "roles"

urlpatterns = [
    path("", views_roles.user_list, name="list"),
    path("<int:pk>/", views_roles.user_roles, name="user"),
    path("<int:pk>/memberships/", views_roles.add_membership, name="add_membership"),
    path(
        "<int:pk>/memberships/<int:membership_id>/remove/",
        views_roles.remove_membership,
        name="remove_membership",
    ),
    path("<int:pk>/admin-role/", views_roles.set_admin_role, name="set_admin_role"),
    path("<int:pk>/active/", views_roles.set_active, name="set_active"),
    path("<int:pk>/unlock/", views_roles.unlock_user, name="unlock"),
]
