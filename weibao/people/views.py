"""The team page (what the bureau checks for clauses 五.2 and 十一.4), a worker's record,
and the training pages. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao import audit
from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.flash import run_and_report, run_form
from weibao.core.params import (
    BadParameter,
    parse_date,
    parse_datetime,
    parse_positive_int,
    parse_text,
    require_id,
)
from weibao.people import access, compliance, services, training
from weibao.people.models import (
    AssignmentOverride,
    InsurancePolicy,
    StaffProfile,
    TrainingPlan,
    TrainingSession,
)


def _date(request, name: str, required: bool = True) -> dt.date | None:
    value = parse_date(request.POST.get(name), name)
    if value is None and required:
        raise ValidationError({name: _("请填写日期（YYYY-MM-DD）。")})
    return value


_done = run_and_report


@requires(Capability.VIEW_TEAM)
@login_required
def team(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_TEAM)
    members = list(services.team_members(contract))
    users = list({m.user_id: m.user for m in members}.values())
    roles: dict[int, list[str]] = {}
    for m in members:
        roles.setdefault(m.user_id, []).append(m.get_role_display())
    standings = compliance.standings(contract, users)
    return render(request, "people/team.html", {
        "contract": contract, "rows": [(s, roles.get(s.user.pk, [])) for s in standings],
        "register_kept": compliance.register_kept(contract.pk),
        "flagged": sum(1 for s in standings if not s.compliant),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_PEOPLE),
        "can_read_records": can(request.user, contract.pk, Capability.VIEW_STAFF_RECORDS),
    })


@requires(Capability.MANAGE_PEOPLE)
@login_required
def edit(request, pk=None):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_PEOPLE)
    profile = access.profile_for(request.user, pk, Capability.MANAGE_PEOPLE) if pk else None
    if profile is not None and profile.contract_id != contract.pk:
        raise Http404
    members = services.team_members(contract)
    errors, values = {}, request.POST
    if request.method == "POST":
        def step():
            user_id = profile.user_id if profile else require_id(request.POST.get("user"), "user")
            user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
            if user is None:
                raise ValidationError({"user": _("请选择乙方团队成员。")})
            return services.save_profile(
                contract, user, by=request.user, employer=parse_text(request.POST.get("employer"), "employer", 200),
                position=parse_text(request.POST.get("position"), "position", 100), resident=request.POST.get("resident") == "on",
                resident_since=parse_date(request.POST.get("resident_since"), "resident_since"),
                notes=parse_text(request.POST.get("notes"), "notes", 20000), active=request.POST.get("active", "on") == "on",
            )

        saved, errors = run_form(step)
        if not errors:
            messages.success(request, _("已保存人员档案。"))
            return redirect("people:detail", saved.pk)
    elif profile is not None:
        values = {"employer": profile.employer, "position": profile.position, "resident": profile.resident,
                  "resident_since": profile.resident_since.isoformat() if profile.resident_since else "", "notes": profile.notes, "active": profile.active}
    else:
        values = {"employer": contract.party_b, "active": True}
    status = 400 if errors else 200
    return render(request, "people/edit.html", {
        "contract": contract, "profile": profile, "members": members, "errors": errors, "values": values,
    }, status=status)


@requires(Capability.VIEW_STAFF_RECORDS)
@login_required
def detail(request, pk):
    profile = access.profile_for(request.user, pk, Capability.VIEW_STAFF_RECORDS)
    services.read_record(profile, by=request.user)
    standing = compliance.standings(profile.contract, [profile.user])[0]
    return render(request, "people/detail.html", {
        "profile": profile, "standing": standing,
        "policies": profile.policies.all(), "agreements": profile.agreements.all(),
        "qualifications": profile.qualifications.all(),
        "active_overrides": [o for o in _overrides(profile) if o.in_force(clock.today())],
        "kinds": InsurancePolicy.Kind.choices,
        "can_manage": can(request.user, profile.contract_id, Capability.MANAGE_PEOPLE),
        "can_override": can(request.user, profile.contract_id, Capability.OVERRIDE_ASSIGNMENT),
        "today": clock.today(),
    })


def _overrides(profile: StaffProfile):
    return AssignmentOverride.objects.filter(contract_id=profile.contract_id, user_id=profile.user_id, revoked_at__isnull=True)


@requires(Capability.MANAGE_PEOPLE)
@login_required
@require_POST
def add_policy(request, pk):
    profile = access.profile_for(request.user, pk, Capability.MANAGE_PEOPLE)
    return _done(request, lambda: services.add_policy(
        profile, by=request.user, kind=request.POST.get("kind", ""), insurer=parse_text(request.POST.get("insurer"), "insurer", 200),
        policy_number=parse_text(request.POST.get("policy_number"), "policy_number", 100), valid_from=_date(request, "valid_from"),
        valid_until=_date(request, "valid_until"), scan=request.FILES.get("scan"),
    ), ("people:detail", pk))


@requires(Capability.MANAGE_PEOPLE)
@login_required
@require_POST
def add_agreement(request, pk):
    profile = access.profile_for(request.user, pk, Capability.MANAGE_PEOPLE)
    return _done(request, lambda: services.add_agreement(
        profile, by=request.user, signed_on=_date(request, "signed_on"),
        valid_until=_date(request, "valid_until", required=False), scan=request.FILES.get("scan"),
    ), ("people:detail", pk))


@requires(Capability.MANAGE_PEOPLE)
@login_required
@require_POST
def add_qualification(request, pk):
    profile = access.profile_for(request.user, pk, Capability.MANAGE_PEOPLE)
    return _done(request, lambda: services.add_qualification(
        profile, by=request.user, name=parse_text(request.POST.get("name"), "name", 200), issuer=parse_text(request.POST.get("issuer"), "issuer", 200),
        number=parse_text(request.POST.get("number"), "number", 100), valid_until=_date(request, "valid_until", required=False),
        scan=request.FILES.get("scan"),
    ), ("people:detail", pk))


@requires(Capability.OVERRIDE_ASSIGNMENT)
@login_required
@require_POST
def grant_override(request, pk):
    profile = access.profile_for(request.user, pk, Capability.OVERRIDE_ASSIGNMENT)
    return _done(request, lambda: services.grant_override(
        profile.contract, profile.user, by=request.user, reason=parse_text(request.POST.get("reason"), "reason", 500),
        until=_date(request, "until"),
    ), ("people:detail", pk))


@requires(Capability.OVERRIDE_ASSIGNMENT)
@login_required
@require_POST
def revoke_override(request, pk):
    override = access.override_for(request.user, pk)
    profile = StaffProfile.objects.filter(contract_id=override.contract_id, user_id=override.user_id).first()
    services.revoke_override(override, by=request.user)
    messages.success(request, _("已撤销特许。"))
    return redirect("people:detail", profile.pk) if profile else redirect("people:team")


def _scan(request, kind: str, pk, field: str = "scan"):
    item = access.scan_for(request.user, kind, pk)
    stored = getattr(item, field)
    if not stored:
        raise Http404
    audit.record("people.scan_downloaded", actor=request.user, obj=item, contract=item.contract,
                          detail={"kind": kind})
    name = f"{kind}-{item.pk}{'.' + stored.name.rsplit('.', 1)[-1] if '.' in stored.name.rsplit('/', 1)[-1] else ''}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@requires(Capability.VIEW_STAFF_RECORDS)
@login_required
def policy_scan(request, pk):
    return _scan(request, "policy", pk)


@requires(Capability.VIEW_STAFF_RECORDS)
@login_required
def agreement_scan(request, pk):
    return _scan(request, "agreement", pk)


@requires(Capability.VIEW_STAFF_RECORDS)
@login_required
def qualification_scan(request, pk):
    return _scan(request, "qualification", pk)


# --- training ------------------------------------------------------------------------------


@requires(Capability.VIEW_TRAINING)
@login_required
def training_index(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_TRAINING)
    year = parse_positive_int(request.GET.get("year"), "year", maximum=2100) or clock.local_now().year
    if year < 2000:
        raise BadParameter("year", _("年度应在 2000 至 2100 之间。"))
    plan = TrainingPlan.objects.filter(contract=contract, year=year).first()
    sessions = TrainingSession.objects.filter(contract=contract, plan=plan) if plan else TrainingSession.objects.none()
    return render(request, "people/training.html", {
        "contract": contract, "year": year, "plan": plan, "sessions": sessions,
        "figures": training.figures(contract, year),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_TRAINING),
        "can_agree": can(request.user, contract.pk, Capability.AGREE_TRAINING_PLAN),
        "previous": year - 1, "next": year + 1,
    })


@requires(Capability.MANAGE_TRAINING)
@login_required
@require_POST
def save_plan(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_TRAINING)
    year = clock.local_now().year

    def step():
        nonlocal year
        year = parse_positive_int(request.POST.get("year"), "year", maximum=2100) or year
        training.save_plan(
            contract, by=request.user, year=year, title=parse_text(request.POST.get("title"), "title", 200),
            planned_sessions=parse_positive_int(request.POST.get("planned_sessions"), "planned_sessions", maximum=500) or 0,
            description=parse_text(request.POST.get("description"), "description", 20000),
        )

    response = _done(request, step, ("people:training",))
    response["Location"] += f"?year={year}"
    return response


@requires(Capability.AGREE_TRAINING_PLAN)
@login_required
@require_POST
def agree_plan(request, pk):
    plan = access.plan_for(request.user, pk, Capability.AGREE_TRAINING_PLAN)
    training.agree_plan(plan, by=request.user)
    messages.success(request, _("已确认培训计划。"))
    return redirect(f"{redirect('people:training').url}?year={plan.year}")


@requires(Capability.MANAGE_TRAINING)
@login_required
def session_edit(request, pk=None):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_TRAINING)
    session = access.session_for(request.user, pk, Capability.MANAGE_TRAINING) if pk else None
    plans = TrainingPlan.objects.filter(contract=contract)
    errors, values = {}, request.POST
    if request.method == "POST":
        def step():
            plan = plans.filter(pk=require_id(request.POST.get("plan"), "plan")).first() if not session else session.plan
            if plan is None:
                raise ValidationError({"plan": _("请先选择培训计划。")})
            starts_at = parse_datetime(request.POST.get("starts_at"), "starts_at")
            ends_at = parse_datetime(request.POST.get("ends_at"), "ends_at")
            if starts_at is None or ends_at is None:
                raise ValidationError({"starts_at": _("请填写开始和结束时间。")})
            return training.save_session(
                plan, by=request.user, topic=parse_text(request.POST.get("topic"), "topic", 200), starts_at=starts_at, ends_at=ends_at,
                place=parse_text(request.POST.get("place"), "place", 200), trainer=parse_text(request.POST.get("trainer"), "trainer", 100),
                materials=parse_text(request.POST.get("materials"), "materials", 20000), session=session,
            )

        saved, errors = run_form(step)
        if not errors:
            messages.success(request, _("已保存培训场次。"))
            return redirect("people:session", saved.pk)
    elif session is not None:
        values = {"topic": session.topic, "place": session.place, "trainer": session.trainer,
                  "materials": session.materials,
                  "starts_at": session.starts_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
                  "ends_at": session.ends_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M")}
    return render(request, "people/session_edit.html", {
        "contract": contract, "session": session, "plans": plans, "errors": errors, "values": values,
    }, status=400 if errors else 200)


@requires(Capability.VIEW_TRAINING)
@login_required
def session_detail(request, pk):
    session = access.session_for(request.user, pk)
    feedback = session.feedback.all()
    return render(request, "people/session.html", {
        "session": session, "attendees": session.attendees.all(), "feedback": feedback,
        "can_manage": can(request.user, session.contract_id, Capability.MANAGE_TRAINING),
        "can_feedback": can(request.user, session.contract_id, Capability.GIVE_TRAINING_FEEDBACK)
        and not feedback.filter(by=request.user).exists(),
        "started": session.starts_at <= clock.now(),
    })


@requires(Capability.VIEW_TRAINING)
@login_required
def sign_in_sheet(request, pk):
    """The printable sign-in sheet (签到表): printed, signed on paper, scanned back."""
    session = access.session_for(request.user, pk)
    rows = list(session.attendees.all())
    blanks = range(max(0, 25 - len(rows)))
    return render(request, "people/sheet.html", {"session": session, "rows": rows, "blanks": blanks})


@requires(Capability.VIEW_TRAINING)
@login_required
def signed_sheet(request, pk):
    session = access.session_for(request.user, pk)
    if not session.signed_sheet:
        raise Http404
    return FileResponse(session.signed_sheet.open("rb"), as_attachment=True, filename=f"sign-in-{session.pk}")


@requires(Capability.MANAGE_TRAINING)
@login_required
@require_POST
def add_attendee(request, pk):
    session = access.session_for(request.user, pk, Capability.MANAGE_TRAINING)
    return _done(request, lambda: training.add_attendee(
        session, by=request.user, name=parse_text(request.POST.get("name"), "name", 50), organisation=parse_text(request.POST.get("organisation"), "organisation", 200)
    ), ("people:session", pk))


@requires(Capability.MANAGE_TRAINING)
@login_required
@require_POST
def record_held(request, pk):
    session = access.session_for(request.user, pk, Capability.MANAGE_TRAINING)

    def step():
        ids = [require_id(v, "attended") for v in request.POST.getlist("attended")]
        training.record_held(session, by=request.user, attended_ids=ids, signed_sheet=request.FILES.get("signed_sheet"))

    return _done(request, step, ("people:session", pk))


@requires(Capability.GIVE_TRAINING_FEEDBACK)
@login_required
@require_POST
def give_feedback(request, pk):
    session = access.session_for(request.user, pk, Capability.GIVE_TRAINING_FEEDBACK)

    def step():
        score = parse_positive_int(request.POST.get("satisfaction"), "satisfaction", maximum=5)
        if score is None:
            raise ValidationError({"satisfaction": _("请选择满意度（1–5）。")})
        training.give_feedback(session, by=request.user, satisfaction=score,
                               useful=request.POST.get("useful") == "on", comment=parse_text(request.POST.get("comment"), "comment", 1000))

    return _done(request, step, ("people:session", pk))
