from django.urls import path

from weibao.portal import views

app_name = "portal"

urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/track/", views.track, name="track"),
    path("<slug:slug>/t/<str:number>/", views.ticket_view, name="ticket"),
    path("<slug:slug>/kb/<int:pk>/", views.article, name="article"),
    # No accounts on the portal: one answer per browser session (views.article_vote).
    path("<slug:slug>/kb/<int:pk>/vote/", views.article_vote, name="article_vote"),
]
