"""``/api/v1/people/``: the team register with each worker's insurance and agreement
status and ``compliant`` (clause 五.2); a worker's detail adds the policy numbers, and
reading it is audited (personal data)."""

from __future__ import annotations

from collections import defaultdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from weibao.api.mixins import ID_IN_PATH
from weibao.api.pagination import StandardPagination
from weibao.contracts.roles import Capability
from weibao.core.params import require_id
from weibao.people import access, compliance, services
from weibao.people.models import StaffProfile


def _policy(policy, *, full: bool) -> dict | None:
    if policy is None:
        return None
    data = {"insurer": policy.insurer, "valid_from": policy.valid_from, "valid_until": policy.valid_until}
    if full:
        data["policy_number"] = policy.policy_number
    return data


def _insurance_status(policy, standing) -> str:
    if policy is None:
        return "lapsed"
    return "expiring" if (policy.valid_until - standing.day).days <= compliance.EXPIRY_WARNING_DAYS else "valid"


def represent(standing, *, full: bool = False) -> dict:
    profile = standing.profile
    agreement = standing.agreement
    return {
        "id": profile.pk,
        "contract": profile.contract_id,
        "user": profile.user_id,
        "username": profile.user.username,
        "name": profile.user.get_full_name() or profile.user.username,
        "employer": profile.employer,
        "position": profile.position,
        "resident": profile.resident,
        "active": profile.active,
        "social_insurance": {"status": _insurance_status(standing.social, standing), **(_policy(standing.social, full=full) or {})},
        "accident_insurance": {"status": _insurance_status(standing.accident, standing), **(_policy(standing.accident, full=full) or {})},
        "confidentiality_agreement": {
            "status": "signed" if agreement else "missing",
            "signed_on": agreement.signed_on if agreement else None,
            "valid_until": agreement.valid_until if agreement else None,
        },
        "compliant": standing.compliant,
        "may_be_assigned": standing.may_work,
        "reasons": standing.reasons(),
        "expiring": standing.expiring,
    }


class StaffSerializer(serializers.Serializer):
    """Documents the shape; the view builds it from ``compliance.standings``."""

    id = serializers.IntegerField()
    contract = serializers.IntegerField()
    compliant = serializers.BooleanField()


class PeopleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The team register of the caller's contracts (every member reads it: the bureau
    checks it); one worker's record for the PM, the liaison and the auditor."""

    required_capabilities = {"list": (Capability.VIEW_TEAM,), "retrieve": (Capability.VIEW_STAFF_RECORDS,)}
    serializer_class = StaffSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        return StaffProfile.objects.restrict(self.request.user, Capability.VIEW_TEAM).select_related(
            "user", "contract").order_by("contract_id", "user__username")

    def _standings(self, profiles) -> dict[int, object]:
        by_contract = defaultdict(list)
        for profile in profiles:
            by_contract[profile.contract_id].append(profile)
        found = {}
        for rows in by_contract.values():
            for standing in compliance.standings(rows[0].contract, [p.user for p in rows]):
                found[(standing.profile.pk)] = standing
        return found

    @extend_schema(parameters=[OpenApiParameter("contract", int, description="合同编号")])
    def list(self, request, *args, **kwargs):
        rows = self.get_queryset()
        contract_id = require_id(request.query_params.get("contract"), "contract")
        if contract_id:
            rows = rows.filter(contract_id=contract_id)
        page = self.paginate_queryset(rows)
        standings = self._standings(page)
        return self.get_paginated_response([represent(standings[p.pk]) for p in page])

    def retrieve(self, request, *args, **kwargs):
        profile = access.profile_for(request.user, kwargs["pk"], Capability.VIEW_STAFF_RECORDS)
        services.read_record(profile, by=request.user)
        standing = compliance.standings(profile.contract, [profile.user])[0]
        data = represent(standing, full=True)
        data["qualifications"] = [
            {"name": q.name, "issuer": q.issuer, "number": q.number, "valid_until": q.valid_until}
            for q in profile.qualifications.all()
        ]
        return Response(data)
