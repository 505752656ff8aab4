from django.urls import path

from weibao.people import views

app_name = "people"

urlpatterns = [
    path("", views.team, name="team"),
    path("new/", views.edit, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/policies/", views.add_policy, name="add_policy"),
    path("<int:pk>/agreements/", views.add_agreement, name="add_agreement"),
    path("<int:pk>/qualifications/", views.add_qualification, name="add_qualification"),
    path("<int:pk>/override/", views.grant_override, name="grant_override"),
    path("overrides/<int:pk>/revoke/", views.revoke_override, name="revoke_override"),
    path("policies/<int:pk>/scan/", views.policy_scan, name="policy_scan"),
    path("agreements/<int:pk>/scan/", views.agreement_scan, name="agreement_scan"),
    path("qualifications/<int:pk>/scan/", views.qualification_scan, name="qualification_scan"),
    path("training/", views.training_index, name="training"),
    path("training/plan/", views.save_plan, name="save_plan"),
    path("training/plans/<int:pk>/agree/", views.agree_plan, name="agree_plan"),
    path("training/sessions/new/", views.session_edit, name="session_new"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session"),
    path("training/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("training/sessions/<int:pk>/sheet/", views.sign_in_sheet, name="sheet"),
    path("training/sessions/<int:pk>/signed/", views.signed_sheet, name="signed_sheet"),
    path("training/sessions/<int:pk>/attendees/", views.add_attendee, name="add_attendee"),
    path("training/sessions/<int:pk>/held/", views.record_held, name="record_held"),
    path("training/sessions/<int:pk>/feedback/", views.give_feedback, name="feedback"),
]
