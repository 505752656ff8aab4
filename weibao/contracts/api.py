"""``/api/v1/contracts/``: the caller's contracts."""

from rest_framework import serializers, viewsets

from weibao.contracts.capitals import words_match
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability


class ContractSerializer(serializers.ModelSerializer):
    my_roles = serializers.SerializerMethodField()
    amount_words_match = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "name",
            "procurement_number",
            "party_a",
            "party_a_representative",
            "party_a_address",
            "party_b",
            "party_b_representative",
            "party_b_address",
            "party_b_bank",
            "party_b_account",
            "amount",
            "amount_in_words",
            "amount_words_match",
            "service_scope",
            "renewal_of",
            "currency",
            "signed_on",
            "term_start",
            "term_end",
            "status",
            "my_roles",
        ]

    def get_amount_words_match(self, contract) -> bool:
        return words_match(contract.amount, contract.amount_in_words)

    def get_my_roles(self, contract) -> list[str]:
        user = self.context["request"].user
        return sorted(
            m.role for m in contract.memberships.all() if m.user_id == user.pk and m.active
        )


class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    required_capabilities = {"list": (Capability.VIEW_CONTRACT,), "retrieve": (Capability.VIEW_CONTRACT,)}
    serializer_class = ContractSerializer

    def get_queryset(self):
        return (
            Contract.objects.for_user(self.request.user)
            .prefetch_related("memberships")
            .order_by("number")
        )
