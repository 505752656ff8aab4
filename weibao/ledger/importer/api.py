"""``POST /api/v1/contracts/import/``: a contract's text in, the draft out (nothing
stored); ``POST /api/v1/contracts/import/confirm/``: the corrected draft in, the contract
created (audited)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.contracts.roles import Capability
from weibao.ledger.importer import access
from weibao.ledger.importer.apply import create_contract_from_draft
from weibao.ledger.importer.draft import build_draft
from weibao.ledger.importer.reading import contract_text

_money = serializers.CharField(allow_null=True, help_text='Two decimals, e.g. "1370000.00"')
_ratio = serializers.CharField(allow_null=True, help_text='A decimal string, e.g. "0.30" or "0.0003"')

DraftSerializer = inline_serializer(
    "ContractImportDraft",
    {
        "number": serializers.CharField(allow_null=True),
        "name": serializers.CharField(allow_null=True),
        "procurement_number": serializers.CharField(allow_null=True),
        "party_a": serializers.CharField(allow_null=True),
        "party_a_representative": serializers.CharField(allow_null=True),
        "party_a_address": serializers.CharField(allow_null=True),
        "party_b": serializers.CharField(allow_null=True),
        "party_b_representative": serializers.CharField(allow_null=True),
        "party_b_address": serializers.CharField(allow_null=True),
        "bank": serializers.CharField(allow_null=True, help_text="乙方开户行"),
        "account": serializers.CharField(allow_null=True, help_text="乙方账号"),
        "amount": _money,
        "amount_in_words": serializers.CharField(allow_null=True, help_text="大写 as written"),
        "amount_words_match": serializers.BooleanField(allow_null=True, help_text="null when only one form is written"),
        "signed_on": serializers.DateField(allow_null=True),
        "start": serializers.DateField(allow_null=True),
        "end": serializers.DateField(allow_null=True),
        "advance_ratio": _ratio,
        "remedy_working_days": serializers.IntegerField(allow_null=True),
        "force_majeure_days": serializers.IntegerField(allow_null=True),
        "max_renewals": serializers.IntegerField(allow_null=True),
        "max_total_years": serializers.IntegerField(allow_null=True),
        "renewal_window_days": serializers.IntegerField(allow_null=True),
        "min_resident_staff": serializers.IntegerField(allow_null=True),
        "instalments": serializers.ListField(child=serializers.DictField(), help_text="ratio, condition, clause, source"),
        "penalties": serializers.ListField(
            child=serializers.DictField(),
            help_text='clause, base ("contract_total" | "amount_due"), rate, per ("once" | "day"), cap (ratio of the base or null), source',
        ),
        "obligations": serializers.ListField(child=serializers.DictField(), help_text="key, label, clause, detail, source"),
        "sources": serializers.DictField(child=serializers.CharField(), help_text="field → the sentence it came from"),
        "unrecognised": serializers.ListField(child=serializers.CharField(), help_text="clauses nothing was read from"),
        "warnings": serializers.ListField(child=serializers.CharField()),
    },
)


class ContractImportView(APIView):
    # Project managers; the system administrator is let through the API's door
    # (api.permissions) and checked here by access.require_import.
    required_capabilities = (Capability.IMPORT_CONTRACT,)

    @extend_schema(
        request=inline_serializer("ContractImportRequest", {"text": serializers.CharField()}),
        responses={200: DraftSerializer},
        description="Read a signed contract's text into a draft: every field with the sentence it came "
        "from, unrecognised clauses listed, a 大写 amount disagreeing with the figure flagged. Nothing is stored.",
    )
    def post(self, request):
        access.require_import(request.user)
        text = contract_text(request.data.get("text"))
        return Response(build_draft(text))


class ContractImportConfirmView(APIView):
    required_capabilities = (Capability.IMPORT_CONTRACT,)

    @extend_schema(
        request=DraftSerializer,
        responses={201: inline_serializer("ContractImported", {"id": serializers.IntegerField(), "number": serializers.CharField()})},
        description="Create the contract (status 草稿, no members yet) from a draft a person checked. "
        "Uses number, name, procurement_number, party_a, party_b, party_a_representative, bank, account, "
        "amount, start, end, signed_on. Audited.",
    )
    def post(self, request):
        access.require_import(request.user)
        contract = create_contract_from_draft(dict(request.data), by=request.user)
        return Response({"id": contract.pk, "number": contract.number}, status=status.HTTP_201_CREATED)
