"""Demo ledger of the seed contract: the full record, the payment schedule of clause 七
(the 30 % advance received), the handover checklist, the two penalty rules of clause 九,
one breach notice, and last month's sealed obligations snapshot. Safe to load twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from weibao.accounts.models import User
from weibao.contracts.models import Contract
from weibao.core import clock
from weibao.ledger.models import (
    BreachNotice,
    ContractTerms,
    HandoverItem,
    ObligationSnapshot,
    PaymentMilestone,
    PaymentReceipt,
    PenaltyEntry,
    PenaltyEvent,
    PenaltyRule,
)
from weibao.ledger.money import penalty
from weibao.ledger.services import notices, snapshots

SCOPE = (
    "对石龙区“一体化政务服务平台”涉及的应用软件及运营环境提供运维服务：7×24 小时电话支持；"
    "主动上门与按需上门的现场服务，工作日现场驻场，重大节假日及特殊时期专项值守；"
    "响应时间及解决问题时间保障；应急预警与应急处理；技术培训（详见合同附件）。"
)
HANDOVER = [
    "运维文档、系统配置与账号清单移交",
    "未结工单与知识库移交",
    "服务器、数据库与网络设备管理权限移交并修改口令",
    "数据与文档资源完整性核对（第五条第5款：数据归甲方所有）",
    "交接会议纪要双方签字",
]
# 《保障中小企业款项支付条例》第八条: a public body pays a small or medium enterprise within 30
# days of delivery; the seed names no day for the balance, so the demo takes that one.
BALANCE_DAYS = 30


def _record(contract: Contract) -> None:
    if not contract.amount_in_words:
        Contract.objects.filter(pk=contract.pk).update(amount_in_words="壹佰叁拾柒万元整", service_scope=SCOPE)
    ContractTerms.objects.get_or_create(contract=contract, defaults={
        "advance_ratio": Decimal("0.3"), "remedy_working_days": 5, "force_majeure_days": 15, "max_renewals": 2,
        "max_total_years": 3, "renewal_window_days": 15, "min_resident_staff": 1,
        "sources": {
            "advance_ratio": "合同签订后，在乙方依据本项目采购需求提供维保服务之前，甲方向乙方支付合同金额的 30%作为预付款",
            "remedy_working_days": "违约方应在通知发出之日起5个工作日内采取补救措施",
            "force_majeure_days": "并在该事件发生后 15 日内向对方提供政府部门开具的有效证明文件",
            "renewal_window_days": "本合同期满前 15 天内",
            "max_renewals": "续签次数不得超过两次",
            "max_total_years": "总服务期限不得超过三年",
            "min_resident_staff": "常驻运维服务人员人数不少于1人",
        }})


def _schedule(contract: Contract, pm) -> None:
    advance, _ = PaymentMilestone.objects.get_or_create(
        contract=contract, sequence=1, defaults={
            "kind": PaymentMilestone.Kind.ADVANCE, "name": "预付款", "ratio": Decimal("0.3"),
            "amount": (contract.amount * Decimal("0.3")).quantize(Decimal("0.01")),
            "condition": "合同签订后、乙方提供维保服务之前", "due_on": contract.term_start,
        })
    PaymentMilestone.objects.get_or_create(
        contract=contract, sequence=2, defaults={
            "kind": PaymentMilestone.Kind.FINAL, "name": "尾款", "ratio": Decimal("0.7"),
            "amount": contract.amount - advance.amount,
            "condition": "服务结束并交接完成后一次性付清",
            "due_on": contract.term_end + timedelta(days=BALANCE_DAYS), "requires_handover": True,
        })
    if not advance.receipts.exists():
        received_on = min(contract.term_start - timedelta(days=5), clock.local_now().date())
        PaymentReceipt.objects.create(contract=contract, milestone=advance, amount=advance.amount,
                                      received_on=received_on, reference="ICBC-DEMO-0001", recorded_by=pm)
    for index, title in enumerate(HANDOVER, start=1):
        HandoverItem.objects.get_or_create(contract=contract, sequence=index, defaults={"title": title})


def _penalties(contract: Contract, pm) -> None:
    confidentiality, _ = PenaltyRule.objects.get_or_create(contract=contract, key="confidentiality", defaults={
        "name": "乙方未履行保密责任", "clause": "九.3", "liable": PenaltyRule.Party.B,
        "base": PenaltyRule.Base.CONTRACT_TOTAL, "rate": Decimal("0.0003"), "per": PenaltyRule.Per.ONCE})
    PenaltyRule.objects.get_or_create(contract=contract, key="late_payment", defaults={
        "name": "甲方未按约定付款", "clause": "九.4", "liable": PenaltyRule.Party.A,
        "base": PenaltyRule.Base.AMOUNT_DUE, "rate": Decimal("0.0003"), "per": PenaltyRule.Per.DAY})
    if not PenaltyEntry.objects.filter(contract=contract).exists():
        figure = penalty(contract.amount, confidentiality.rate, per_day=False)
        entry = PenaltyEntry.objects.create(
            contract=contract, rule=confidentiality, description="运维人员将含办件数据的系统截图发至非工作群（待核实）",
            occurred_on=clock.local_now().date() - timedelta(days=10), base_amount=figure.base_amount,
            days=1, amount=figure.amount, created_by=pm)
        PenaltyEvent.objects.create(entry=entry, by=pm, action="created", amount=entry.amount, note=figure.working)


def _notice(contract: Contract, liaison) -> None:
    if BreachNotice.objects.filter(contract=contract).exists():
        return
    issued_on = clock.local_now().date() - timedelta(days=3)
    due = notices.remedy_deadline(contract.pk, issued_on)
    BreachNotice.objects.create(
        contract=contract, number=f"WY-{issued_on.year}-001", issuing_party=PenaltyRule.Party.A, clause="五.2",
        description="近两周内有 3 个工作日常驻运维服务人员未在岗，不符合“常驻运维服务人员人数不少于1人”的约定。",
        required_action="立即安排常驻人员到岗，并书面说明缺岗原因及整改措施。",
        issued_on=issued_on, remedy_due_on=due.value, deadline_provisional=bool(due.uncovered_years),
        issued_by=liaison)


def _snapshot(contract: Contract) -> None:
    today = clock.local_now().date()
    last_month = today.replace(day=1) - timedelta(days=1)
    if last_month >= contract.term_start and not ObligationSnapshot.objects.filter(contract=contract).exists():
        snapshots.take_snapshot(contract, last_month)


@transaction.atomic
def load(contracts: dict[str, Contract]) -> None:
    seed = contracts["seed"]
    users = {u.username: u for u in User.objects.filter(username__in=["pm", "liaison"])}
    _record(seed)
    _schedule(seed, users.get("pm"))
    _penalties(seed, users.get("pm"))
    _notice(seed, users.get("liaison"))
    _snapshot(seed)
