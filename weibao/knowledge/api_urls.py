"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from weibao.knowledge.api import ArticleViewSet, SearchView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("knowledge/articles", ArticleViewSet, basename="knowledge-article")

urlpatterns = [
    path("knowledge/search/", SearchView.as_view(), name="knowledge-search"),
    path("", include(router.urls)),
]
