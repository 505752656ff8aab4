from django.urls import path

from weibao.knowledge import sharing_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("from-ticket/<int:ticket_pk>/", views.article_from_ticket, name="from_ticket"),
    path("synonyms/", views.synonym_groups, name="synonyms"),
    path("synonyms/<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
    path("sharing/", sharing_views.sharing, name="sharing"),
    path("searches/", views.search_misses, name="misses"),
    path("<int:pk>/use/", views.article_use, name="use"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/history/", views.article_history, name="history"),
    path("<int:pk>/versions/<int:number>/", views.article_version, name="version"),
    path("<int:pk>/versions/<int:number>/restore/", views.article_restore, name="restore"),
    path("<int:pk>/vote/", views.article_vote, name="vote"),
]
