"""``/api/v1/knowledge/``: articles and search."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.api.errors import field_error
from weibao.api.mixins import required_contract
from weibao.api.permissions import HoldsDeclaredCapability
from weibao.api.schema import StrictRequestSchema
from weibao.api.serializers import MemberContractField, ModelSerializer, StrictFieldsMixin
from weibao.contracts.roles import Capability
from weibao.knowledge import access
from weibao.knowledge.models import Article, SearchLog
from weibao.knowledge.search import MAX_RESULTS, search
from weibao.knowledge.services import articles, learning
from weibao.knowledge.services.from_ticket import article_from_ticket, visible_source_ticket


class ArticleSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.WRITE_ARTICLES)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=articles.MAX_TAGS
    )
    status = serializers.ChoiceField(
        choices=Article.Status.choices, default=Article.Status.PUBLISHED
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "contract",
            "title",
            "body",
            "tags",
            "visibility",
            "shared",
            "status",
            "helpful_count",
            "not_helpful_count",
            "source_ticket",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = [
            "helpful_count",
            "not_helpful_count",
            "source_ticket",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def to_representation(self, article):
        data = super().to_representation(article)
        # A shared article is read on other contracts: their members get no ticket id.
        request = self.context.get("request")
        if data.get("source_ticket") and request is not None:
            visible = visible_source_ticket(article, request.user)
            data["source_ticket"] = visible.pk if visible else None
        return data

    def create(self, validated_data):
        return articles.create_article(
            validated_data["contract"],
            title=validated_data["title"],
            body=validated_data.get("body", ""),
            tags=validated_data.get("tags", []),
            visibility=validated_data.get("visibility", Article.Visibility.INTERNAL),
            shared=validated_data.get("shared", False),
            publish=validated_data.get("status") == Article.Status.PUBLISHED,
            by=self.context["request"].user,
        )


class ArticleFromTicketSerializer(StrictFieldsMixin, serializers.Serializer):
    ticket = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,  # a database id; larger numbers are a 400, not a 500
        help_text="A resolved or closed ticket of one of the caller's contracts.",
    )


class ArticleViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Knowledge-base articles the caller may read; vendor team members may add them."""

    serializer_class = ArticleSerializer
    schema = StrictRequestSchema()
    permission_classes = [IsAuthenticated, HoldsDeclaredCapability]
    required_capabilities = {
        "list": (Capability.VIEW_CONTRACT,),
        "retrieve": (Capability.VIEW_CONTRACT,),
        "create": (Capability.WRITE_ARTICLES,),
        "from_ticket": (Capability.WRITE_ARTICLES,),
    }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            errors = serializer.errors
            contract_errors = errors.get("contract", [])
            # A contract the caller is not on looks non-existent: 404, naming the field.
            if set(errors) == {"contract"} and any(
                getattr(e, "code", "") == "does_not_exist" for e in contract_errors
            ):
                body = {"detail": str(contract_errors[0]), "contract": contract_errors}
                return Response(body, status=status.HTTP_404_NOT_FOUND)
            raise serializers.ValidationError(errors)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ArticleFromTicketSerializer,
        responses={201: ArticleSerializer},
        description=(
            "A draft article from a resolved or closed ticket: title from its subject, "
            "body 问题 (the description) and 解决方法 (the team's public replies and "
            "resolution comments), without the requester's personal data; linked to the "
            "ticket. 400 names the field (a ticket not yet resolved: ``ticket``); a ticket "
            "of another contract answers 404; a member who may not write articles, 403."
        ),
    )
    @action(detail=False, methods=["post"], url_path="from-ticket")
    def from_ticket(self, request):

        payload = ArticleFromTicketSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = access.visible_ticket(request.user, payload.validated_data["ticket"])
        if ticket is None:
            # Someone else's ticket looks non-existent: 404, still naming the field.
            message = _("工单不存在或您不是其合同的成员。")
            return Response(
                {"detail": message, "ticket": [message]}, status=status.HTTP_404_NOT_FOUND
            )
        article = article_from_ticket(ticket, by=request.user)
        body = ArticleSerializer(article, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def get_queryset(self):
        # Drafts are the vendor team's working copies; bureau members read published ones.
        return access.readable_articles(self.request.user).order_by("-updated_at", "-id")


class SearchView(APIView):
    required_capabilities = (Capability.VIEW_CONTRACT,)

    @extend_schema(
        parameters=[
            OpenApiParameter("contract", int, required=True),
            OpenApiParameter("q", str, required=True, pattern=r"\S"),
        ],
        responses=inline_serializer(
            "KnowledgeSearchResults",
            {
                "results": serializers.ListField(
                    child=inline_serializer(
                        "KnowledgeHit",
                        {
                            "id": serializers.IntegerField(),
                            "title": serializers.CharField(),
                            "score": serializers.FloatField(),
                            "matched": serializers.ListField(child=serializers.CharField()),
                            "synonyms": serializers.ListField(child=serializers.DictField()),
                            "learned": serializers.BooleanField(),
                        },
                    )
                ),
                "corrected": serializers.CharField(),
                "corrections": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        if not q:
            raise field_error("q", _("请填写要检索的问题。"))
        if len(q) > 500:
            raise field_error("q", _("检索内容最多 500 个字。"))
        contract = required_contract(request)
        hits = search(request.user, contract, q, limit=MAX_RESULTS)
        learning.record_search(contract, q, source=SearchLog.Source.API, hits=len(hits))
        # Why each hit matched, and the typos read as other words ("did you mean").
        results = [
            {
                "id": h.id, "title": h.title, "score": h.score,
                "matched": list(h.highlight_terms),
                "synonyms": [{"said": said, "official": official} for said, official in h.synonyms],
                "learned": h.learned,
            }
            for h in hits
        ]
        corrections = [{"typed": typed, "read": read} for typed, read in hits.corrections]
        return Response(
            {"results": results, "corrected": hits.corrected, "corrections": corrections},
            status=status.HTTP_200_OK,
        )
