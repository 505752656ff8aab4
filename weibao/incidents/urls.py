from django.urls import path

from weibao.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/classify/", views.classify, name="classify"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/tickets/", views.link_ticket, name="link_ticket"),
    path("<int:pk>/plan/", views.attach_plan, name="attach_plan"),
    path("<int:pk>/reports/<int:duty_pk>/", views.report, name="report"),
    path("<int:pk>/review/", views.review, name="review"),
    path("checklist/<int:pk>/tick/", views.tick, name="tick"),
    path("integrations/", views.integration_list, name="integrations"),
    path("integrations/<int:pk>/rotate/", views.integration_rotate, name="integration_rotate"),
    path("silences/new/", views.silence_new, name="silence_new"),
    path("silences/<int:pk>/end/", views.silence_end, name="silence_end"),
    path("levels/", views.levels, name="levels"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/drills/", views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/start/", views.drill_start, name="drill_start"),
    path("drills/<int:pk>/finish/", views.drill_finish, name="drill_finish"),
    path("drills/<int:pk>/cancel/", views.drill_cancel, name="drill_cancel"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/attach/", views.inspection_attach, name="inspection_attach"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/items/<int:pk>/", views.inspection_record, name="inspection_record"),
]
