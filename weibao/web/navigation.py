"""The navigation each role sees. Later apps add their entries here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from weibao.contracts.access import can
from weibao.contracts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def _url(name: str) -> str:
    """A navigation address: the same on every page (no arguments; no language in the
    paths), so reversed once per prefix and URL configuration, not 20 times a page."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _reversed(name: str, script_prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


def navigation_for(request) -> list[NavItem]:
    user = request.user
    contract = getattr(request, "contract", None)

    def may(capability: str) -> bool:
        """Whether the user holds ``capability`` on the current contract: an item shows
        when its page would let them in."""
        return contract is not None and can(user, contract.pk, capability)

    items = [NavItem(_("工作台"), _url("web:home"), "home")]
    if may(Capability.LOG_CALLS):
        items.append(NavItem(_("热线"), _url("hotline:screen"), "hotline"))
    if may(Capability.VIEW_TICKETS):
        items.append(NavItem(_("工单"), _url("servicedesk:list"), "tickets"))
        items.append(NavItem(_("知识库"), _url("knowledge:list"), "knowledge"))
        items.append(NavItem(_("现场服务"), _url("visits:calendar"), "visits"))
        items.append(NavItem(_("好差评"), _url("feedback:list"), "feedback"))
    if may(Capability.VIEW_ESCALATIONS):
        items.append(NavItem(_("升级"), _url("escalations:list"), "escalations"))
    if may(Capability.VIEW_ONCALL):
        items.append(NavItem(_("值班"), _url("oncall:overview"), "oncall"))
    if may(Capability.VIEW_MONITORS):
        items.append(NavItem(_("监测"), _url("monitoring:list"), "monitoring"))
    elif may(Capability.VIEW_AVAILABILITY):
        items.append(NavItem(_("服务状态"), _url("monitoring:status"), "monitoring"))
    if may(Capability.VIEW_INCIDENTS):
        items.append(NavItem(_("事件与应急"), _url("incidents:list"), "incidents"))
    if may(Capability.MANAGE_SLA):
        items.append(NavItem(_("日历与服务级别"), _url("calendars:home"), "calendars"))
    if may(Capability.MANAGE_MAIL):
        items.append(NavItem(_("邮件渠道"), _url("mailchannel:inbox"), "mail"))
    if may(Capability.VIEW_CHANGES):
        items.append(NavItem(_("变更"), _url("changes:list"), "changes"))
    if may(Capability.VIEW_TEAM):
        items.append(NavItem(_("团队与培训"), _url("people:team"), "people"))
    items.append(NavItem(_("合同"), _url("contracts:list"), "contracts"))
    if may(Capability.VIEW_LEDGER):
        items.append(NavItem(_("合同台账"), _url("ledger:index"), "ledger"))
    if user.is_audit_admin or may(Capability.VIEW_AUDIT):
        items.append(NavItem(_("审计记录"), _url("audit:list"), "audit"))
    if user.is_security_admin:
        items.append(NavItem(_("用户与角色"), _url("roles:list"), "roles"))
    if user.is_system_admin:
        items.append(NavItem(_("系统管理"), _url("admin:index"), "admin"))
        items.append(NavItem(_("全国节假日安排"), _url("calendars:notice"), "holidays"))
    items.append(NavItem(_("通知"), _url("notifications:inbox"), "notifications"))
    items.append(NavItem(_("账号安全"), _url("accounts:security"), "security"))
    return items
