"""What the PM and the bureau do with the team register: profiles, insurance,
agreements, certificates, overrides, and the 30-day expiry reminders.

Every function refuses (PermissionDenied) a user without the capability it needs;
``by=None`` is Weibao itself (the reminder task, the demo loader).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.models import Membership
from weibao.contracts.roles import VENDOR_ROLES, Capability
from weibao.contracts.services import project_managers
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.people.compliance import EXPIRY_WARNING_DAYS
from weibao.people.models import (
    AssignmentOverride,
    ConfidentialityAgreement,
    InsurancePolicy,
    Qualification,
    StaffProfile,
)

MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_SIGNATURES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))


def check_scan(upload, field: str = "scan") -> None:
    """A scan is a PDF, PNG or JPEG by its first bytes, at most 10 MB (400 naming ``field``)."""
    if not upload:
        return
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError({field: _("扫描件不能超过 10 MB。")})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic, _kind in SCAN_SIGNATURES):
        raise ValidationError({field: _("扫描件应为 PDF、PNG 或 JPEG 文件。")})


def team_members(contract):
    """The contract's vendor team (party B's people) who should each have a profile."""
    return (
        Membership.objects.filter(contract=contract, active=True, role__in=VENDOR_ROLES, user__is_active=True)
        .select_related("user").order_by("user__username")
    )


def _ensure_member(contract, user) -> None:
    if not team_members(contract).filter(user=user).exists():
        raise ValidationError({"user": _("该用户不是本合同乙方团队成员。")})


@transaction.atomic
def save_profile(contract, user, *, by, employer: str = "", position: str = "", resident: bool = False,
                 resident_since: dt.date | None = None, notes: str = "", active: bool = True) -> StaffProfile:
    require(by, contract.pk, Capability.MANAGE_PEOPLE)
    _ensure_member(contract, user)
    if not employer.strip():
        employer = contract.party_b
    profile, created = StaffProfile.objects.update_or_create(
        contract=contract, user=user,
        defaults={"employer": employer.strip()[:200], "position": position.strip()[:100], "resident": resident,
                  "resident_since": resident_since if resident else None, "notes": notes,
                  "active": active, "updated_at": clock.now()},
    )
    audit.record("people.profile_saved", actor=by, obj=profile, contract=contract,
                 after={"employer": profile.employer, "resident": resident, "created": created})
    return profile


def _check_period(valid_from: dt.date | None, valid_until: dt.date | None, field: str = "valid_until") -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({field: _("到期日期不能早于生效日期。")})


@transaction.atomic
def add_policy(profile: StaffProfile, *, by, kind: str, insurer: str, policy_number: str,
               valid_from: dt.date, valid_until: dt.date, scan=None) -> InsurancePolicy:
    require(by, profile.contract_id, Capability.MANAGE_PEOPLE)
    if kind not in InsurancePolicy.Kind.values:
        raise ValidationError({"kind": _("险种应为：%(all)s") % {"all": ", ".join(InsurancePolicy.Kind.values)}})
    if not insurer.strip():
        raise ValidationError({"insurer": _("请填写承保/参保机构。")})
    if not policy_number.strip():
        raise ValidationError({"policy_number": _("请填写保单号/参保编号。")})
    _check_period(valid_from, valid_until)
    check_scan(scan)
    policy = InsurancePolicy(
        contract_id=profile.contract_id, profile=profile, kind=kind, insurer=insurer.strip(),
        policy_number=policy_number.strip(), valid_from=valid_from, valid_until=valid_until,
    )
    if scan:
        policy.scan.save("scan", scan, save=False)
    policy.save()
    # The policy number is personal data: the trail says which policy, never its number.
    audit.record("people.insurance_added", actor=by, obj=policy, contract=profile.contract,
                 after={"profile": profile.pk, "kind": kind, "valid_until": valid_until.isoformat()})
    return policy


@transaction.atomic
def add_agreement(profile: StaffProfile, *, by, signed_on: dt.date, valid_until: dt.date | None = None,
                  scan=None) -> ConfidentialityAgreement:
    require(by, profile.contract_id, Capability.MANAGE_PEOPLE)
    if signed_on > clock.today():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    _check_period(signed_on, valid_until)
    check_scan(scan)
    agreement = ConfidentialityAgreement(
        contract_id=profile.contract_id, profile=profile, signed_on=signed_on, valid_until=valid_until
    )
    if scan:
        agreement.scan.save("scan", scan, save=False)
    agreement.save()
    audit.record("people.agreement_added", actor=by, obj=agreement, contract=profile.contract,
                 after={"profile": profile.pk, "signed_on": signed_on.isoformat()})
    return agreement


@transaction.atomic
def add_qualification(profile: StaffProfile, *, by, name: str, issuer: str = "", number: str = "",
                      valid_until: dt.date | None = None, scan=None) -> Qualification:
    require(by, profile.contract_id, Capability.MANAGE_PEOPLE)
    if not name.strip():
        raise ValidationError({"name": _("请填写证书名称。")})
    check_scan(scan)
    qualification = Qualification(
        contract_id=profile.contract_id, profile=profile, name=name.strip()[:200], issuer=issuer.strip()[:200],
        number=number.strip()[:100], valid_until=valid_until,
    )
    if scan:
        qualification.scan.save("scan", scan, save=False)
    qualification.save()
    audit.record("people.qualification_added", actor=by, obj=qualification, contract=profile.contract,
                 after={"profile": profile.pk, "name": qualification.name})
    return qualification


def read_record(profile: StaffProfile, *, by) -> StaffProfile:
    """The PM, the bureau's liaison or the auditor opens a worker's record (policy numbers,
    scans): PIPL art. 51, every read of it is audited."""
    require(by, profile.contract_id, Capability.VIEW_STAFF_RECORDS)
    audit.record("people.record_read", actor=by, obj=profile, contract=profile.contract)
    return profile


@transaction.atomic
def grant_override(contract, user, *, by, reason: str, until: dt.date) -> AssignmentOverride:
    """The PM lets a flagged worker be assigned until ``until``, giving a reason."""
    require(by, contract.pk, Capability.OVERRIDE_ASSIGNMENT)
    _ensure_member(contract, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写特许上岗的原因。")})
    if until < clock.today():
        raise ValidationError({"until": _("有效期不能早于今天。")})
    if until > clock.today() + dt.timedelta(days=90):
        raise ValidationError({"until": _("特许最长 90 天，请在此前补齐保险或协议。")})
    override = AssignmentOverride.objects.create(
        contract=contract, user=user, reason=reason[:500], until=until, granted_by=by
    )
    audit.record("people.override_granted", actor=by, obj=override, contract=contract,
                 after={"user": user.username, "reason": override.reason, "until": until.isoformat()})
    return override


@transaction.atomic
def revoke_override(override: AssignmentOverride, *, by) -> None:
    require(by, override.contract_id, Capability.OVERRIDE_ASSIGNMENT)
    if override.revoked_at is None:
        override.revoked_at = clock.now()
        override.save(update_fields=["revoked_at"])
        audit.record("people.override_revoked", actor=by, obj=override, contract=override.contract)


def expiring_items(day: dt.date | None = None):
    """(item, what, contract, profile) for every policy, agreement and certificate whose
    validity ends within the next 30 days, of every contract."""
    day = day or clock.today()
    horizon = day + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    for model, what in (
        (InsurancePolicy, None), (ConfidentialityAgreement, _("保密协议")), (Qualification, None),
    ):
        rows = model.objects.filter(
            valid_until__gte=day, valid_until__lte=horizon, profile__active=True
        ).select_related("profile__user", "contract")
        for item in rows:
            if isinstance(item, InsurancePolicy):
                # Only the policy still in force: a renewed one makes the reminder moot.
                renewed = InsurancePolicy.objects.filter(
                    profile=item.profile, kind=item.kind, valid_until__gt=item.valid_until
                ).exists()
                if renewed:
                    continue
                label = item.get_kind_display()
            elif isinstance(item, Qualification):
                label = item.name
            else:
                label = what
            yield item, label, item.contract, item.profile


def send_expiry_reminders(day: dt.date | None = None) -> int:
    """Tell the worker and the contract's PMs of each expiry in the next 30 days, once
    per item and end date (``notify``'s dedup key: a daily run never repeats itself)."""
    sent = 0
    for item, label, contract, profile in expiring_items(day):
        who = profile.user.get_full_name() or profile.user.username
        subject = _("【到期提醒】%(who)s 的%(what)s将于 %(day)s 到期") % {
            "who": who, "what": label, "day": item.valid_until.isoformat(),
        }
        notes = notify(
            [profile.user, *project_managers(contract.pk)], subject=subject, contract=contract,
            link=reverse("people:detail", args=[profile.pk]), kind="people.expiry",
            dedup_key=f"people.expiry:{type(item).__name__}:{item.pk}:{item.valid_until.isoformat()}",
        )
        sent += len(notes)
    return sent
