"""The roles of a contract (domain.md) and what each may do: one table, beside
``Membership``. Views, APIs and services ask ``roles_with(capability)`` (or the apps'
``access`` helpers built on it), never spell a set of roles themselves."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.accounts.roles import AdminRole


class ContractRole(models.TextChoices):
    HOTLINE_AGENT = "hotline_agent", _("客服坐席")
    RESIDENT_ENGINEER = "resident_engineer", _("驻场工程师")
    ONCALL_ENGINEER = "oncall_engineer", _("值班工程师")
    PROJECT_MANAGER = "project_manager", _("项目经理")
    BUREAU_LIAISON = "bureau_liaison", _("甲方联络人")
    BUREAU_VIEWER = "bureau_viewer", _("甲方领导/查看者")
    AUDITOR = "auditor", _("审计员")


VENDOR_ROLES = frozenset(
    {
        ContractRole.HOTLINE_AGENT,
        ContractRole.RESIDENT_ENGINEER,
        ContractRole.ONCALL_ENGINEER,
        ContractRole.PROJECT_MANAGER,
    }
)
BUREAU_ROLES = frozenset({ContractRole.BUREAU_LIAISON, ContractRole.BUREAU_VIEWER})


class Capability(models.TextChoices):
    """What a contract role allows. Later issues add theirs here, in one table."""

    VIEW_CONTRACT = "contract.view"
    MANAGE_CONTRACT = "contract.manage"
    VIEW_AUDIT = "audit.view"
    VIEW_TICKETS = "ticket.view"
    WORK_TICKETS = "ticket.work"
    MANAGE_SLA = "sla.manage"
    MANAGE_MAIL = "mail.manage"
    # A requester's clear phone, to call back (PIPL art. 51: everyone else sees it masked).
    REVEAL_PERSONAL_DATA = "personal_data.reveal"


ALL_MEMBERS = frozenset(ContractRole)

CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.VIEW_CONTRACT: ALL_MEMBERS,
    Capability.MANAGE_CONTRACT: frozenset({ContractRole.PROJECT_MANAGER}),
    Capability.VIEW_AUDIT: frozenset({ContractRole.AUDITOR}),
    Capability.VIEW_TICKETS: frozenset(ALL_MEMBERS - {ContractRole.AUDITOR}),
    Capability.WORK_TICKETS: VENDOR_ROLES,
    Capability.MANAGE_SLA: frozenset({ContractRole.PROJECT_MANAGER}),
    Capability.MANAGE_MAIL: frozenset({ContractRole.PROJECT_MANAGER}),
    Capability.REVEAL_PERSONAL_DATA: frozenset(VENDOR_ROLES | {ContractRole.BUREAU_LIAISON}),
}


def roles_with(capability: str) -> frozenset[str]:
    return CAPABILITIES[capability]


def role_label(role: str) -> str:
    for choices in (ContractRole, AdminRole):
        if role in choices.values:
            return str(choices(role).label)
    return role
