"""The contract ledger's pages: the overview (record, payments, proration, penalties,
notices, force majeure, renewal), the obligations matrix and its sealed snapshots, the
printable breach notice. Thin: parse, load-and-check, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from weibao import audit
from weibao.contracts import services as contract_services
from weibao.contracts.access import can, requires
from weibao.contracts.capitals import _yuan_in_words, words_match
from weibao.contracts.models import Contract, ContractChange
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.flash import report_errors, run_and_report
from weibao.core.params import (
    BadParameter,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_money,
    parse_positive_int,
    parse_rate,
    parse_text,
)
from weibao.ledger import access, money
from weibao.ledger.letters import breach_notice_docx, letter_parts
from weibao.ledger.models import (
    BreachNotice,
    ForceMajeureEvent,
    HandoverItem,
    ObligationSnapshot,
    PaymentMilestone,
    PenaltyEntry,
    PenaltyRule,
    Renewal,
)
from weibao.ledger.obligations import Status, matrix, month_bounds
from weibao.ledger.params import milestone_terms
from weibao.ledger.services import notices, payments, penalties, renewal, snapshots
from weibao.ledger.terms import LIMITS as terms_limits
from weibao.ledger.terms import save_terms, terms_for


def _text(request, name: str, limit: int = 2000) -> str:
    return parse_text(request.POST.get(name), name, limit)


def _back(contract_id: int, anchor: str = "") -> tuple[str]:
    """Where an action on the overview returns: its section (``run_and_report``'s target)."""
    return (reverse("ledger:overview", args=[contract_id]) + (f"#{anchor}" if anchor else ""),)


@requires(Capability.VIEW_LEDGER)
@login_required
@require_GET
def index(request):
    contract = getattr(request, "contract", None)
    if contract is None:
        raise PermissionDenied
    return redirect("ledger:overview", access.load_contract(request.user, contract.pk).pk)


@requires(Capability.VIEW_LEDGER)
@login_required
@require_GET
def overview(request, pk):
    contract = access.load_contract(request.user, pk)
    today = clock.local_now().date()
    proration, proration_error = None, ""
    if request.GET.get("last_service_day"):
        day = parse_date(request.GET.get("last_service_day"), "last_service_day")
        if contract.term_start <= day <= contract.term_end:
            proration = money.prorate(contract.amount, contract.term_start, contract.term_end, day,
                                      payments.paid_total(contract))
            audit.record("ledger.proration_read", obj=contract, contract=contract,
                         detail={"last_service_day": day.isoformat()})
        else:
            proration_error = _("最后服务日应在服务期限之内。")
    audit.record("ledger.overview_read", obj=contract, contract=contract)
    user = request.user
    return render(request, "ledger/overview.html", {
        "contract": contract,
        "words_ok": words_match(contract.amount, contract.amount_in_words),
        "words_expected": _yuan_in_words(contract.amount),
        "changes": ContractChange.objects.filter(contract=contract).select_related("by")[:20],
        "documents": contract.documents.all(),
        "schedule": payments.schedule(contract, today),
        "paid": payments.paid_total(contract),
        "handover": HandoverItem.objects.filter(contract=contract).select_related("ticked_by"),
        "handover_done": payments.handover_complete(contract),
        "proration": proration, "proration_error": proration_error,
        "last_service_day": request.GET.get("last_service_day", ""),
        "rules": PenaltyRule.objects.filter(contract=contract),
        "entries": PenaltyEntry.objects.filter(contract=contract).select_related("rule").prefetch_related("events"),
        "notices": BreachNotice.objects.filter(contract=contract),
        "events": ForceMajeureEvent.objects.filter(contract=contract).prefetch_related("documents"),
        "eligibility": renewal.eligibility(contract, today),
        "renewals": Renewal.objects.filter(contract=contract).select_related("successor"),
        "predecessor": contract.renewal_of if contract.renewal_of_id and Contract.objects.for_user(user).filter(
            pk=contract.renewal_of_id).exists() else None,
        "can_manage": can(user, contract.pk, Capability.MANAGE_LEDGER),
        "can_edit_record": can(user, contract.pk, Capability.MANAGE_CONTRACT),
        "can_acknowledge": can(user, contract.pk, Capability.ACKNOWLEDGE_LEDGER),
        "can_issue": can(user, contract.pk, Capability.ISSUE_BREACH_NOTICES),
        "outcomes": [(v, lbl) for v, lbl in BreachNotice.Outcome.choices if v != BreachNotice.Outcome.PENDING],
        "parties": PenaltyRule.Party.choices,
        "penalty_bases": PenaltyRule.Base.choices,
        "penalty_pers": PenaltyRule.Per.choices,
        "milestone_kinds": PaymentMilestone.Kind.choices,
        "today": today,
        "terms": terms_for(contract),
    })


# -- the contract record -----------------------------------------------------------------


@requires(Capability.MANAGE_CONTRACT)
@login_required
def record(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_CONTRACT)
    fields = [f for f in contract_services.RECORD_FIELDS if f not in ("amount", "signed_on", "term_start",
                                                                      "term_end", "status", "service_scope")]
    if request.method == "POST":
        # Each column's own limit: 64 for an account number, 300 for the project's name.
        changes = {name: _text(request, name, Contract._meta.get_field(name).max_length) for name in fields}
        changes["service_scope"] = _text(request, "service_scope", 20000)
        changes["amount"] = parse_money(request.POST.get("amount"), "amount")
        for name in ("signed_on", "term_start", "term_end"):
            changes[name] = parse_date(request.POST.get(name), name)
        for name in ("term_start", "term_end"):
            if changes[name] is None:
                raise BadParameter(name, _("请填写日期。"))
        changes["status"] = parse_choice(request.POST.get("status"), "status", Contract.Status.values) or contract.status
        reason = _text(request, "reason", 500)
        try:
            contract_services.change_contract(contract, changes, by=request.user, reason=reason)
        except ValidationError as error:
            report_errors(request, error)
            contract.refresh_from_db()
        else:
            messages.success(request, _("合同信息已保存。"))
            return redirect(*_back(contract.pk, "record"))
    return render(request, "ledger/record.html", {
        "contract": contract, "fields": [(name, Contract._meta.get_field(name).verbose_name, getattr(contract, name))
                                         for name in fields],
        "statuses": Contract.Status.choices,
    })


@requires(Capability.MANAGE_CONTRACT)
@login_required
@require_POST
def upload_document(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_CONTRACT)
    upload = request.FILES.get("file")
    if upload is None:
        raise BadParameter("file", _("请选择文件。"))
    title = _text(request, "title", 200)
    return run_and_report(request, lambda: contract_services.attach_document(
        contract, title=title, upload=upload, by=request.user), _back(contract.pk, "record"), _("文件已上传。"))


# -- payments ----------------------------------------------------------------------------


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def invoice(request, pk):
    milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
    amount = parse_money(request.POST.get("amount"), "amount")
    issued_on = parse_date(request.POST.get("issued_on"), "issued_on") or clock.local_now().date()
    number = _text(request, "number", 40)
    return run_and_report(request, lambda: payments.issue_invoice(
        milestone, number=number, amount=amount, issued_on=issued_on, by=request.user),
        _back(milestone.contract_id, "payments"), _("发票已登记。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def receipt(request, pk):
    milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
    amount = parse_money(request.POST.get("amount"), "amount")
    received_on = parse_date(request.POST.get("received_on"), "received_on") or clock.local_now().date()
    reference = _text(request, "reference", 64)
    return run_and_report(request, lambda: payments.record_receipt(
        milestone, amount=amount, received_on=received_on, reference=reference, by=request.user),
        _back(milestone.contract_id, "payments"), _("到账已登记。"))


@requires(Capability.ACKNOWLEDGE_LEDGER)
@login_required
@require_POST
def tick_handover(request, pk):
    item = access.record_for(request.user, HandoverItem, pk, Capability.ACKNOWLEDGE_LEDGER)
    ticked = request.POST.get("ticked", "1") != "0"
    return run_and_report(request, lambda: payments.tick_handover(item, by=request.user, ticked=ticked),
                          _back(item.contract_id, "handover"), _("交接清单已更新。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def edit_milestone(request, pk):
    """Correct a milestone; its late-payment penalty follows (payments.change_milestone)."""
    milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
    fields = milestone_terms(request.POST, current=milestone)
    return run_and_report(request, lambda: payments.change_milestone(milestone, by=request.user, **fields),
                          _back(milestone.contract_id, f"milestone-{milestone.pk}"), _("付款节点已保存。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def add_milestone(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    fields = milestone_terms(request.POST)
    return run_and_report(request, lambda: payments.add_milestone(contract, by=request.user, **fields),
                          _back(contract.pk, "payments"), _("付款节点已添加。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def remove_milestone(request, pk):
    milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
    return run_and_report(request, lambda: payments.remove_milestone(milestone, by=request.user),
                          _back(milestone.contract_id, "payments"), _("付款节点已删除。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def edit_terms(request, pk):
    """The contract's periods and limits (remedy days, force majeure, renewals, staffing)."""
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    values = {name: parse_positive_int(request.POST.get(name), name, minimum=low, maximum=high, required=True)
              for name, (low, high) in terms_limits.items()}
    values["advance_ratio"] = parse_rate(request.POST.get("advance_ratio"), "advance_ratio", places=6, required=False)
    return run_and_report(request, lambda: save_terms(contract, by=request.user, **values),
                          _back(contract.pk, "terms"), _("履约期限与限制已保存。"))


# -- penalties ---------------------------------------------------------------------------


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def record_penalty(request, pk):
    rule = access.record_for(request.user, PenaltyRule, pk, Capability.MANAGE_LEDGER)
    occurred_on = parse_date(request.POST.get("occurred_on"), "occurred_on") or clock.local_now().date()
    days = parse_positive_int(request.POST.get("days"), "days", maximum=9999) or 1
    amount_due = parse_money(request.POST.get("amount_due"), "amount_due", required=False)
    description = _text(request, "description", 500)
    return run_and_report(request, lambda: penalties.record_penalty(
        rule, occurred_on=occurred_on, description=description, by=request.user, days=days,
        amount_due=amount_due), _back(rule.contract_id, "penalties"), _("违约金已登记，待项目经理审批。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def add_rule(request, pk):
    """A penalty clause the importer did not recognise (or a supplementary agreement's)."""
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    fields = _rule_fields(request)
    return run_and_report(request, lambda: penalties.add_rule(contract, by=request.user, **fields),
                          _back(contract.pk, "penalties"), _("违约金规则已保存。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def edit_rule(request, pk):
    """Correct a penalty rule (an import misread its rate, a supplementary agreement changed
    it): entries recorded by hand and settled late payments keep their amounts; a late
    payment still accruing is re-priced and goes back to the PM (payments.accrue_late_payment)."""
    rule = access.record_for(request.user, PenaltyRule, pk, Capability.MANAGE_LEDGER)
    fields = _rule_fields(request, rule)
    return run_and_report(request, lambda: penalties.save_rule(rule.contract, key=rule.key, by=request.user, **fields),
                          _back(rule.contract_id, "penalties"), _("违约金规则已保存。"))


def _rule_fields(request, rule: PenaltyRule | None = None) -> dict:
    """The rule form's values; a choice left out keeps the rule's (a new rule needs each)."""
    def choice(name: str, values) -> str:
        value = parse_choice(request.POST.get(name), name, values) or getattr(rule, name, None)
        if value is None:
            raise BadParameter(name, _("请选择一项。"))
        return value

    return {
        "name": parse_text(request.POST.get("name"), "name", 100, required=True),
        "clause": parse_text(request.POST.get("clause"), "clause", 20, required=True),
        "liable": choice("liable", PenaltyRule.Party.values),
        "base": choice("base", PenaltyRule.Base.values),
        "rate": parse_rate(request.POST.get("rate"), "rate"),
        "per": choice("per", PenaltyRule.Per.values),
        "cap": parse_money(request.POST.get("cap"), "cap", required=False),
    }


def _penalty_step(action: str, capability: str, success: str):
    @requires(capability)
    @login_required
    @require_POST
    def view(request, pk):
        entry = access.record_for(request.user, PenaltyEntry, pk, capability)
        note = _text(request, "note", 500)
        return run_and_report(request, lambda: penalties.step(entry, action, by=request.user, note=note),
                              _back(entry.contract_id, "penalties"), success)

    view.__name__ = f"penalty_{action}"
    return view


approve_penalty = _penalty_step("approve", Capability.MANAGE_LEDGER, _("违约金已审批。"))
acknowledge_penalty = _penalty_step("acknowledge", Capability.ACKNOWLEDGE_LEDGER, _("已确认违约金。"))
withdraw_penalty = _penalty_step("withdraw", Capability.MANAGE_LEDGER, _("违约金已撤销。"))


# -- breach notices and force majeure ---------------------------------------------------


@requires(Capability.ISSUE_BREACH_NOTICES)
@login_required
@require_POST
def issue_notice(request, pk):
    contract = access.load_contract(request.user, pk, Capability.ISSUE_BREACH_NOTICES)
    issued_on = parse_date(request.POST.get("issued_on"), "issued_on")
    clause, description = _text(request, "clause", 40), _text(request, "description")
    required_action = _text(request, "required_action")
    return run_and_report(request, lambda: notices.issue_breach_notice(
        contract, clause=clause, description=description, required_action=required_action, issued_on=issued_on,
        by=request.user), _back(contract.pk, "notices"), _("违约通知已发出。"))


@requires(Capability.VIEW_LEDGER)
@login_required
@require_GET
def notice(request, pk):
    """The notice as a printable letter (Chinese official-letter layout), or as DOCX."""
    item = access.record_for(request.user, BreachNotice, pk)
    contract = item.contract
    if request.GET.get("format") == "docx":
        audit.record("ledger.breach_notice_printed", obj=item, contract=contract, detail={"format": "docx"})
        response = HttpResponse(
            breach_notice_docx(item),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="breach-notice-{item.number}.docx"'
        return response
    return render(request, "ledger/notice.html", {"notice": item, "contract": contract,
                                                  "letter": letter_parts(item)})


@requires(Capability.ISSUE_BREACH_NOTICES)
@login_required
@require_POST
def notice_outcome(request, pk):
    item = access.record_for(request.user, BreachNotice, pk, Capability.ISSUE_BREACH_NOTICES)
    outcome = parse_choice(request.POST.get("outcome"), "outcome", [v for v, _l in BreachNotice.Outcome.choices])
    note = _text(request, "note", 500)
    return run_and_report(request, lambda: notices.record_outcome(item, outcome=outcome or "", note=note,
                                                                  by=request.user),
                          _back(item.contract_id, "notices"), _("处理结果已登记。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def force_majeure(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    occurred_on = parse_date(request.POST.get("occurred_on"), "occurred_on")
    if occurred_on is None:
        raise BadParameter("occurred_on", _("请填写发生日期。"))
    notified_at = parse_datetime(request.POST.get("notified_at"), "notified_at")
    party = parse_choice(request.POST.get("party"), "party", PenaltyRule.Party.values) or ""
    description, claim = _text(request, "description"), _text(request, "claim", 200)
    return run_and_report(request, lambda: notices.record_force_majeure(
        contract, party=party, description=description, occurred_on=occurred_on, notified_at=notified_at,
        claim=claim, by=request.user), _back(contract.pk, "force-majeure"), _("不可抗力事件已登记。"))


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def force_majeure_update(request, pk):
    event = access.record_for(request.user, ForceMajeureEvent, pk, Capability.MANAGE_LEDGER)
    certificate = parse_date(request.POST.get("certificate_received_on"), "certificate_received_on")
    handover = parse_date(request.POST.get("handover_done_on"), "handover_done_on")
    upload = request.FILES.get("file")
    title = _text(request, "title", 200)

    def step():
        notices.update_force_majeure(event, by=request.user, certificate_received_on=certificate,
                                     handover_done_on=handover)
        if upload is not None:
            notices.attach_force_majeure_document(event, title=title, upload=upload, by=request.user)

    return run_and_report(request, step, _back(event.contract_id, "force-majeure"), _("不可抗力事件已更新。"))


# -- renewal -----------------------------------------------------------------------------


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def renew(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    start = parse_date(request.POST.get("term_start"), "term_start")
    end = parse_date(request.POST.get("term_end"), "term_end")
    if start is None or end is None:
        raise BadParameter("term_start" if start is None else "term_end", _("请填写日期。"))
    amount = parse_money(request.POST.get("amount"), "amount")
    number, reasons = _text(request, "number", 64), _text(request, "reasons")
    return run_and_report(request, lambda: renewal.renew(
        contract, number=number, term_start=start, term_end=end, amount=amount, reasons=reasons, by=request.user),
        _back(contract.pk, "renewal"), _("已续签：新一期合同已建立（草稿），请复核带入的团队、服务目录、日历与服务级别。"))


# -- the obligations matrix --------------------------------------------------------------


@requires(Capability.VIEW_LEDGER)
@login_required
@require_GET
def obligations(request, pk):
    contract = access.load_contract(request.user, pk)
    rows = matrix(contract)
    counts = {key: sum(1 for r in rows if r["status"] == key) for key in Status.LABELS}
    intact, broken = snapshots.verify(contract)
    today = clock.local_now().date()
    last_month = month_bounds(today.replace(day=1) - dt.timedelta(days=1))[0]
    return render(request, "ledger/obligations.html", {
        "contract": contract, "rows": rows, "counts": counts,
        "labels": Status.LABELS, "snapshots": ObligationSnapshot.objects.filter(contract=contract),
        "intact": intact, "broken": broken, "last_month": last_month,
        "last_month_sealed": ObligationSnapshot.objects.filter(contract=contract, month=last_month).exists()
        or last_month < contract.term_start.replace(day=1),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_LEDGER),
    })


@requires(Capability.MANAGE_LEDGER)
@login_required
@require_POST
def seal(request, pk):
    contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
    month = parse_date(request.POST.get("month"), "month")
    if month is None:
        raise BadParameter("month", _("请选择月份。"))
    return run_and_report(request, lambda: snapshots.take_snapshot(contract, month, by=request.user),
                          ("ledger:obligations", contract.pk), _("月度快照已封存。"))


@requires(Capability.VIEW_LEDGER)
@login_required
@require_GET
def snapshot(request, pk):
    item = access.record_for(request.user, ObligationSnapshot, pk)
    return render(request, "ledger/snapshot.html", {"snapshot": item, "contract": item.contract,
                                                    "labels": Status.LABELS})
