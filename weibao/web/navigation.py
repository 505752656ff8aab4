"""The navigation each role sees. Later apps add their entries here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from weibao.contracts.access import can
from weibao.contracts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def navigation_for(request) -> list[NavItem]:
    user = request.user
    contract = getattr(request, "contract", None)

    def may(capability: str) -> bool:
        """Whether the user holds ``capability`` on the current contract: an item shows
        when its page would let them in."""
        return contract is not None and can(user, contract.pk, capability)

    items = [NavItem(_("工作台"), reverse("web:home"), "home")]
    if may(Capability.LOG_CALLS):
        items.append(NavItem(_("热线"), reverse("hotline:screen"), "hotline"))
    if may(Capability.VIEW_TICKETS):
        items.append(NavItem(_("工单"), reverse("servicedesk:list"), "tickets"))
        items.append(NavItem(_("知识库"), reverse("knowledge:list"), "knowledge"))
        items.append(NavItem(_("现场服务"), reverse("visits:calendar"), "visits"))
        items.append(NavItem(_("好差评"), reverse("feedback:list"), "feedback"))
    if may(Capability.VIEW_ESCALATIONS):
        items.append(NavItem(_("升级"), reverse("escalations:list"), "escalations"))
    if may(Capability.VIEW_ONCALL):
        items.append(NavItem(_("值班"), reverse("oncall:overview"), "oncall"))
    if may(Capability.VIEW_MONITORS):
        items.append(NavItem(_("监测"), reverse("monitoring:list"), "monitoring"))
    elif may(Capability.VIEW_AVAILABILITY):
        items.append(NavItem(_("服务状态"), reverse("monitoring:status"), "monitoring"))
    if may(Capability.VIEW_INCIDENTS):
        items.append(NavItem(_("事件与应急"), reverse("incidents:list"), "incidents"))
    if may(Capability.MANAGE_SLA):
        items.append(NavItem(_("日历与服务级别"), reverse("calendars:home"), "calendars"))
    if may(Capability.MANAGE_MAIL):
        items.append(NavItem(_("邮件渠道"), reverse("mailchannel:inbox"), "mail"))
    if may(Capability.VIEW_CHANGES):
        items.append(NavItem(_("变更"), reverse("changes:list"), "changes"))
    if may(Capability.VIEW_TEAM):
        items.append(NavItem(_("团队与培训"), reverse("people:team"), "people"))
    items.append(NavItem(_("合同"), reverse("contracts:list"), "contracts"))
    if may(Capability.VIEW_LEDGER):
        items.append(NavItem(_("合同台账"), reverse("ledger:index"), "ledger"))
    if user.is_audit_admin or may(Capability.VIEW_AUDIT):
        items.append(NavItem(_("审计记录"), reverse("audit:list"), "audit"))
    if user.is_security_admin:
        items.append(NavItem(_("用户与角色"), reverse("roles:list"), "roles"))
    if user.is_system_admin:
        items.append(NavItem(_("系统管理"), reverse("admin:index"), "admin"))
        items.append(NavItem(_("全国节假日安排"), reverse("calendars:notice"), "holidays"))
    items.append(NavItem(_("通知"), reverse("notifications:inbox"), "notifications"))
    items.append(NavItem(_("账号安全"), reverse("accounts:security"), "security"))
    return items
