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
    """What a contract role may do, as verbs. Later issues add theirs here, in one table."""

    VIEW_CONTRACT = "contract.view"
    MANAGE_CONTRACT = "contract.manage"
    VIEW_AUDIT = "audit.view"
    VIEW_TICKETS = "ticket.view"
    CREATE_TICKETS = "ticket.create"
    # Change a ticket: transitions, assignment, fields, work logs, links, bulk actions.
    WORK_TICKETS = "ticket.work"
    # Be handed a ticket and sent on site: the engineers and the PM, not the hotline
    # agent, who logs and routes (an agent still takes a call it answers on the spot).
    TAKE_WORK = "ticket.take_work"
    REPLY = "ticket.reply"
    WRITE_INTERNAL_NOTE = "ticket.note"
    URGE = "ticket.urge"  # 督办
    EXPORT_TICKETS = "ticket.export"
    # A requester's clear phone, to call back (PIPL art. 51: everyone else sees it masked).
    REVEAL_PERSONAL_DATA = "personal_data.reveal"
    RATE = "rating.rate"  # 好差评 on the requester's side
    RELAY_RATING = "rating.relay"  # the requester's words, taken on a call-back
    MANAGE_RECTIFICATIONS = "rectification.manage"
    VIEW_FIGURES = "figures.view"
    LOG_CALLS = "hotline.log"
    PLAN_VISITS = "visit.plan"
    SIGN_VISITS = "visit.sign"  # check in and out (the visit's engineer; the PM with a reason)
    SIGN_VISITS_FOR_ENGINEER = "visit.sign_for"  # the PM, giving a reason (phone died on site)
    CONFIRM_VISITS = "visit.confirm"
    WRITE_ARTICLES = "knowledge.write"
    MANAGE_KNOWLEDGE = "knowledge.manage"  # synonyms, sharing with other contracts
    MANAGE_SLA = "sla.manage"  # SLA policies and the contract's calendars
    MANAGE_MAIL = "mail.manage"

    # people:
    VIEW_TEAM = "people.view"  # the team page: who works for party B (clause 十一.4)
    # Insurance policy numbers, scans, agreements (personal data: every read is audited).
    VIEW_STAFF_RECORDS = "people.records"
    MANAGE_PEOPLE = "people.manage"
    OVERRIDE_ASSIGNMENT = "people.override"  # put a non-compliant person to work, with a reason
    VIEW_TRAINING = "training.view"
    MANAGE_TRAINING = "training.manage"
    AGREE_TRAINING_PLAN = "training.agree"  # the bureau agrees the plan (clause 四.2)
    GIVE_TRAINING_FEEDBACK = "training.feedback"

    # escalations:
    VIEW_ESCALATIONS = "escalation.view"
    ACKNOWLEDGE_ESCALATIONS = "escalation.acknowledge"  # take the page: "I am on it"
    MANAGE_ESCALATIONS = "escalation.manage"  # policies, steps and triggers

    # oncall:
    VIEW_ONCALL = "oncall.view"  # who is on call now and next, the rosters
    MANAGE_ONCALL = "oncall.manage"  # schedules, residency, holiday duty plans, approvals
    REQUEST_OVERRIDE = "oncall.request_override"  # ask to take or swap a shift, own feed
    WRITE_HANDOVER = "oncall.handover"  # 交接班: write and acknowledge
    CONFIRM_DUTY_PLAN = "oncall.confirm_duty_plan"  # the bureau confirms 节假日值守
    VIEW_COVERAGE = "oncall.coverage"  # the gap report

    # monitoring:
    VIEW_MONITORS = "monitoring.view"  # monitors, their targets and check history (vendor side)
    MANAGE_MONITORS = "monitoring.manage"  # monitors, availability targets, status pages
    DECLARE_MAINTENANCE = "maintenance.declare"  # 维护窗口: paging suppressed, recording not
    VIEW_AVAILABILITY = "availability.view"  # figures, outage breakdown, the bureau status page

    # incidents:
    VIEW_INCIDENTS = "incident.view"
    WORK_INCIDENTS = "incident.work"  # acknowledge, resolve, notes, checklists, reports
    MANAGE_INCIDENTS = "incident.manage"  # integrations (secret URLs), levels, plans, drills, reviews

    # changes:
    VIEW_CHANGES = "change.view"
    REQUEST_CHANGES = "change.request"  # raise, implement, roll back and review a change
    ENDORSE_CHANGES = "change.endorse"  # the PM's approval before the bureau's, where set
    APPROVE_CHANGES = "change.approve"  # the bureau's approval (clause 五.5), signed
    CONFIGURE_CHANGES = "change.configure"  # approval settings and standard templates
    VIEW_DATA_ACCESS = "data_access.view"
    REQUEST_DATA_ACCESS = "data_access.request"
    APPROVE_DATA_ACCESS = "data_access.approve"

    # ledger:
    IMPORT_CONTRACT = "contract.import"  # read a contract's text into a draft and create it

    VIEW_LEDGER = "ledger.view"  # payments, penalties, notices, obligations: money reads are audited
    MANAGE_LEDGER = "ledger.manage"  # schedule, invoices, receipts, penalty entries, renewal
    ACKNOWLEDGE_LEDGER = "ledger.acknowledge"  # the bureau: acknowledges penalties, ticks the handover
    ISSUE_BREACH_NOTICES = "ledger.breach_notice"  # clause 九.1: either party

    # notifications:
    MANAGE_CHANNELS = "notification.channels"  # the contract's robots, webhooks, gateway
    MANAGE_DELIVERIES = "notification.deliveries"  # see the delivery log, retry now


ALL_MEMBERS = frozenset(ContractRole)
PROJECT_MANAGER = frozenset({ContractRole.PROJECT_MANAGER})
TICKET_READERS = frozenset(ALL_MEMBERS - {ContractRole.AUDITOR})
VENDOR_AND_LIAISON = frozenset(VENDOR_ROLES | {ContractRole.BUREAU_LIAISON})

CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.VIEW_CONTRACT: ALL_MEMBERS,
    Capability.MANAGE_CONTRACT: PROJECT_MANAGER,
    Capability.VIEW_AUDIT: frozenset({ContractRole.AUDITOR}),
    Capability.VIEW_TICKETS: TICKET_READERS,
    Capability.CREATE_TICKETS: VENDOR_AND_LIAISON,
    Capability.WORK_TICKETS: VENDOR_ROLES,
    Capability.TAKE_WORK: frozenset(
        {ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER, ContractRole.PROJECT_MANAGER}
    ),
    Capability.REPLY: VENDOR_AND_LIAISON,
    Capability.WRITE_INTERNAL_NOTE: VENDOR_ROLES,
    Capability.URGE: BUREAU_ROLES,
    Capability.EXPORT_TICKETS: TICKET_READERS,
    Capability.REVEAL_PERSONAL_DATA: VENDOR_AND_LIAISON,
    Capability.RATE: frozenset({ContractRole.BUREAU_LIAISON}),
    Capability.RELAY_RATING: frozenset({ContractRole.HOTLINE_AGENT, ContractRole.PROJECT_MANAGER}),
    Capability.MANAGE_RECTIFICATIONS: PROJECT_MANAGER,
    Capability.VIEW_FIGURES: TICKET_READERS,
    Capability.LOG_CALLS: VENDOR_ROLES,
    Capability.PLAN_VISITS: VENDOR_ROLES,
    Capability.SIGN_VISITS: VENDOR_ROLES,
    Capability.SIGN_VISITS_FOR_ENGINEER: PROJECT_MANAGER,
    Capability.CONFIRM_VISITS: frozenset(VENDOR_ROLES | BUREAU_ROLES),
    Capability.WRITE_ARTICLES: VENDOR_ROLES,
    Capability.MANAGE_KNOWLEDGE: PROJECT_MANAGER,
    Capability.MANAGE_SLA: PROJECT_MANAGER,
    Capability.MANAGE_MAIL: PROJECT_MANAGER,

    # people:
    Capability.VIEW_TEAM: ALL_MEMBERS,
    Capability.VIEW_STAFF_RECORDS: frozenset(
        {ContractRole.PROJECT_MANAGER, ContractRole.BUREAU_LIAISON, ContractRole.AUDITOR}
    ),
    Capability.MANAGE_PEOPLE: PROJECT_MANAGER,
    Capability.OVERRIDE_ASSIGNMENT: PROJECT_MANAGER,
    Capability.VIEW_TRAINING: ALL_MEMBERS,
    Capability.MANAGE_TRAINING: PROJECT_MANAGER,
    Capability.AGREE_TRAINING_PLAN: frozenset({ContractRole.BUREAU_LIAISON}),
    Capability.GIVE_TRAINING_FEEDBACK: frozenset(BUREAU_ROLES | {ContractRole.PROJECT_MANAGER}),

    # escalations:
    Capability.VIEW_ESCALATIONS: TICKET_READERS,
    Capability.ACKNOWLEDGE_ESCALATIONS: VENDOR_ROLES,
    Capability.MANAGE_ESCALATIONS: PROJECT_MANAGER,

    # oncall:
    Capability.VIEW_ONCALL: ALL_MEMBERS,
    Capability.MANAGE_ONCALL: PROJECT_MANAGER,
    Capability.REQUEST_OVERRIDE: frozenset(
        {ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER, ContractRole.PROJECT_MANAGER}
    ),
    Capability.WRITE_HANDOVER: VENDOR_ROLES,
    Capability.CONFIRM_DUTY_PLAN: frozenset({ContractRole.BUREAU_LIAISON}),
    Capability.VIEW_COVERAGE: frozenset(PROJECT_MANAGER | BUREAU_ROLES | {ContractRole.AUDITOR}),

    # monitoring:
    Capability.VIEW_MONITORS: VENDOR_ROLES,
    Capability.MANAGE_MONITORS: PROJECT_MANAGER,
    Capability.DECLARE_MAINTENANCE: frozenset(
        {ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER, ContractRole.PROJECT_MANAGER}
    ),
    Capability.VIEW_AVAILABILITY: ALL_MEMBERS,

    # incidents:
    Capability.VIEW_INCIDENTS: TICKET_READERS,
    Capability.WORK_INCIDENTS: VENDOR_ROLES,
    Capability.MANAGE_INCIDENTS: PROJECT_MANAGER,

    # changes:
    Capability.VIEW_CHANGES: ALL_MEMBERS,
    Capability.REQUEST_CHANGES: frozenset(
        {ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER, ContractRole.PROJECT_MANAGER}
    ),
    Capability.ENDORSE_CHANGES: PROJECT_MANAGER,
    Capability.APPROVE_CHANGES: frozenset({ContractRole.BUREAU_LIAISON}),
    Capability.CONFIGURE_CHANGES: PROJECT_MANAGER,
    Capability.VIEW_DATA_ACCESS: ALL_MEMBERS,
    Capability.REQUEST_DATA_ACCESS: frozenset(
        {ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER, ContractRole.PROJECT_MANAGER}
    ),
    Capability.APPROVE_DATA_ACCESS: frozenset({ContractRole.BUREAU_LIAISON}),

    # ledger:
    Capability.IMPORT_CONTRACT: PROJECT_MANAGER,

    Capability.VIEW_LEDGER: frozenset({ContractRole.PROJECT_MANAGER, *BUREAU_ROLES}),
    Capability.MANAGE_LEDGER: PROJECT_MANAGER,
    Capability.ACKNOWLEDGE_LEDGER: BUREAU_ROLES,
    Capability.ISSUE_BREACH_NOTICES: frozenset({ContractRole.PROJECT_MANAGER, ContractRole.BUREAU_LIAISON}),

    # notifications:
    Capability.MANAGE_CHANNELS: PROJECT_MANAGER,
    Capability.MANAGE_DELIVERIES: PROJECT_MANAGER,
}


def roles_with(capability: str) -> frozenset[str]:
    return CAPABILITIES[capability]


def role_label(role: str) -> str:
    for choices in (ContractRole, AdminRole):
        if role in choices.values:
            return str(choices(role).label)
    return role
