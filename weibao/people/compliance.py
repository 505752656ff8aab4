"""Whether a worker may be put to work on a contract (clause 五.2, 十一.4): the one rule
the team page, the API, the service desk's assignment and the on-call rosters ask.

A worker is compliant on a day when their profile on the contract exists, their employer
is party B itself (no subcontracting), a social and an accident insurance policy are
valid that day and a signed confidentiality agreement covers it. One who is not is
flagged and kept off assignments unless the PM granted an override (with a reason).

A contract that keeps no team register yet (no profile at all) is not checked: the
register is how a contract enters the rule, and the team page says it is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.people.models import (
    AssignmentOverride,
    ConfidentialityAgreement,
    InsurancePolicy,
    StaffProfile,
)

EXPIRY_WARNING_DAYS = 30


@dataclass
class Standing:
    """A worker's compliance on one day, with what the team page shows."""

    user: object
    profile: StaffProfile | None
    day: dt.date
    social: InsurancePolicy | None = None
    accident: InsurancePolicy | None = None
    agreement: ConfidentialityAgreement | None = None
    override: AssignmentOverride | None = None
    lapses: list[str] = field(default_factory=list)
    expiring: list[str] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.lapses

    @property
    def may_work(self) -> bool:
        return self.compliant or self.override is not None

    def reasons(self) -> list[str]:
        if self.compliant:
            return []
        found = list(self.lapses)
        if self.override is not None:
            found.append(
                _("项目经理已特许上岗至 %(until)s：%(reason)s")
                % {"until": self.override.until.isoformat(), "reason": self.override.reason}
            )
        return found


def _same_party(employer: str, party_b: str) -> bool:
    return "".join(employer.split()) == "".join(party_b.split())


def _valid(items, day: dt.date):
    """The item covering ``day`` that lasts longest (None when none does)."""
    covering = [item for item in items if item.covers(day)]
    return max(covering, key=lambda item: item.valid_until or dt.date.max, default=None)


def _standing(user, profile: StaffProfile | None, contract, day: dt.date, overrides) -> Standing:
    override = next((o for o in overrides if o.user_id == user.pk and o.in_force(day)), None)
    standing = Standing(user=user, profile=profile, day=day, override=override)
    if profile is None:
        standing.lapses.append(_("没有人员档案"))
        return standing
    if not _same_party(profile.employer, contract.party_b):
        # Clause 十一.4: the work may not be subcontracted.
        standing.lapses.append(
            _("劳动关系不在乙方（%(employer)s），不符合合同第十一条第4款") % {"employer": profile.employer}
        )
    policies = list(profile.policies.all())
    warn_until = day + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    for kind, label, attr in (
        (InsurancePolicy.Kind.SOCIAL, _("社会保险"), "social"),
        (InsurancePolicy.Kind.ACCIDENT, _("意外伤害保险"), "accident"),
    ):
        policy = _valid([p for p in policies if p.kind == kind], day)
        setattr(standing, attr, policy)
        if policy is None:
            standing.lapses.append(_("%(what)s未参保或已过期") % {"what": label})
        elif policy.valid_until <= warn_until:
            standing.expiring.append(
                _("%(what)s将于 %(day)s 到期") % {"what": label, "day": policy.valid_until.isoformat()}
            )
    standing.agreement = _valid(list(profile.agreements.all()), day)
    if standing.agreement is None:
        standing.lapses.append(_("未签订有效的保密协议"))
    elif standing.agreement.valid_until and standing.agreement.valid_until <= warn_until:
        standing.expiring.append(
            _("保密协议将于 %(day)s 到期") % {"day": standing.agreement.valid_until.isoformat()}
        )
    return standing


def register_kept(contract_id: int) -> bool:
    return StaffProfile.objects.filter(contract_id=contract_id).exists()


def _records(contract, users: list):
    profiles = {
        p.user_id: p
        for p in StaffProfile.objects.filter(contract=contract, user__in=users).prefetch_related("policies", "agreements")
    }
    overrides = list(AssignmentOverride.objects.filter(contract=contract, user__in=users, revoked_at__isnull=True))
    return profiles, overrides


def standings(contract, users: Iterable, on: dt.date | None = None) -> list[Standing]:
    """The standing of each of ``users`` on ``contract`` on day ``on`` (today)."""
    day = on or clock.today()
    users = list(users)
    profiles, overrides = _records(contract, users)
    return [_standing(user, profiles.get(user.pk), contract, day, overrides) for user in users]


def day_checker(contract, users: Iterable):
    """``may_work(user_id, day) -> bool`` for many days at once, from one read of the
    records (a roster asks it for every day of its range)."""
    users = {user.pk: user for user in users}
    if not register_kept(contract.pk):
        return lambda user_id, day: True
    profiles, overrides = _records(contract, list(users.values()))
    # A roster asks again for the same person and day at every slot it resolves.
    answers: dict[tuple[int, dt.date], bool] = {}

    def may_work(user_id: int, day: dt.date) -> bool:
        key = (user_id, day)
        if key not in answers:
            user = users.get(user_id)
            answers[key] = user is not None and _standing(user, profiles.get(user_id), contract, day, overrides).may_work
        return answers[key]

    return may_work


def may_be_assigned(user, contract, on: dt.date | None = None) -> tuple[bool, list[str]]:
    """(whether ``user`` may be assigned work on ``contract`` on ``on``, the reasons when
    flagged). True with reasons means flagged but overridden by the PM."""
    if user is None or not register_kept(contract.pk):
        return True, []
    standing = standings(contract, [user], on)[0]
    return standing.may_work, standing.reasons()


def blocked_user_ids(contract, users: Iterable, on: dt.date | None = None) -> set[int]:
    """Of ``users``, the ids of those who may not be assigned on ``contract`` (for the
    assignee lists: one query per kind, not per person)."""
    if contract is None or not register_kept(contract.pk):
        return set()
    return {s.user.pk for s in standings(contract, users, on) if not s.may_work}
