"""Proactive inspection (巡检, issue 15 item 7): checklists carried out on the visits app's
planned rounds. The round is planned, assigned and signed in the visits app; this only
adds what is checked, item by item, and opens a ticket for each failed item."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.incidents.models import Inspection, InspectionItem, InspectionTemplate
from weibao.servicedesk.services import tickets
from weibao.visits.models import Visit

DEFAULT_TEMPLATES = [
    ("每日平台巡检", InspectionTemplate.Cadence.DAILY, [
        "门户首页、移动端、小程序可正常打开", "统一身份认证个人、法人登录正常", "电子证照调用接口响应正常",
        "好差评数据推送无积压", "服务器 CPU、内存、磁盘使用率低于 80%", "证书有效期大于 30 天",
    ]),
    ("每周备份验证", InspectionTemplate.Cadence.WEEKLY, [
        "数据库全量备份本周成功", "抽取一份备份在测试环境恢复成功", "文件存储增量备份成功", "备份异地副本已同步",
    ]),
    ("每月安全检查", InspectionTemplate.Cadence.MONTHLY, [
        "操作系统与中间件补丁已更新", "弱口令与多余账号已清理", "网页防篡改系统运行正常",
        "安全设备日志已留存（不少于 6 个月）", "漏洞扫描高危项已整改",
    ]),
]


def install_defaults(contract) -> None:
    for title, cadence, items in DEFAULT_TEMPLATES:
        InspectionTemplate.objects.get_or_create(
            contract=contract, title=title, defaults={"cadence": cadence, "items": "\n".join(items)}
        )


@transaction.atomic
def attach(visit: Visit, template: InspectionTemplate, *, by) -> Inspection:
    """Give a planned round a checklist (whoever plans rounds)."""
    require(by, visit.contract_id, Capability.PLAN_VISITS)
    if template.contract_id != visit.contract_id:
        raise ValidationError({"template": _("巡检清单不存在。")})
    if visit.kind != Visit.Kind.PLANNED or visit.status == Visit.Status.CANCELLED:
        raise ValidationError({"visit": _("只能给未取消的计划巡检添加检查清单。")})
    inspection, created = Inspection.objects.get_or_create(contract_id=visit.contract_id, visit=visit, template=template)
    if created:
        InspectionItem.objects.bulk_create(
            InspectionItem(inspection=inspection, order=i, text=text) for i, text in enumerate(template.item_lines(), 1)
        )
    return inspection


@transaction.atomic
def record(item: InspectionItem, *, by, result: str, note: str = "") -> InspectionItem:
    """Pass or fail one item (the round's team, SIGN_VISITS); a failed item opens a fault
    ticket, once, naming the round and the item."""
    inspection = item.inspection
    visit = inspection.visit
    require(by, visit.contract_id, Capability.SIGN_VISITS)
    if result not in InspectionItem.Result.values:
        raise ValidationError({"result": _("请选择通过或不通过。")})
    note = (note or "").strip()[:1000]
    if result == InspectionItem.Result.FAIL and not note:
        raise ValidationError({"note": _("不通过时请说明发现的问题。")})
    item.result, item.note, item.checked_at, item.checked_by = result, note, clock.now(), by
    if result == InspectionItem.Result.FAIL and item.ticket_id is None:
        item.ticket = tickets.create_ticket(
            visit.contract, by=by, type="fault", priority="p3", channel="onsite",
            subject=(_("巡检发现：") + item.text)[:200],
            description=_("%(template)s（%(day)s，%(engineer)s）：%(note)s") % {
                "template": inspection.template.title,
                "day": visit.planned_start.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d"),
                "engineer": visit.engineer, "note": note,
            },
            requester_name=by.get_full_name() or by.username,
        )
    item.save()
    return item
