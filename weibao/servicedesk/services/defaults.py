"""A new contract's starting service desk: calendars, the platform's service catalogue,
support groups and SLA policies a project manager then adjusts."""

from __future__ import annotations

from weibao.calendars.models import BusinessCalendar
from weibao.servicedesk.models import (
    Priority,
    ServiceComponent,
    SlaPolicy,
    SupportGroup,
    TicketType,
)

# The group hotline follow-ups go to at first; the project manager may choose another.
HOTLINE_FOLLOW_UP_GROUP = "二线运维组"
OFFICE_HOURS = [["09:00", "12:00"], ["13:30", "17:30"]]

CATALOGUE = [
    ("portal", "政务服务门户", "网上办事大厅、移动端、小程序"),
    ("uia", "统一身份认证", "个人/法人注册登录、实名核验、单点登录"),
    ("licence", "电子证照", "证照生成、归集、共享、用证"),
    ("rating", "好差评系统", "服务评价、差评整改、回访"),
    ("approval", "审批业务系统", "受理、审批、办结，一窗受理后台"),
    ("items", "事项库", "政务服务事项、办事指南"),
    ("data", "数据共享交换", "接口、数据交换与共享"),
    ("infra", "基础环境", "服务器、网络、安全设备、数据库"),
]

# (response, arrival or None, resolution) minutes and the calendar each runs on.
TARGETS = {
    Priority.P1: ((15, "24x7"), (120, "24x7"), (240, "24x7")),
    Priority.P2: ((30, "24x7"), (240, "24x7"), (8 * 60, "24x7")),
    Priority.P3: ((60, "office"), (None, None), (3 * 420, "office")),
    Priority.P4: ((240, "office"), (None, None), (10 * 420, "office")),
}


def install_defaults(contract) -> dict:
    always, _ = BusinessCalendar.objects.get_or_create(
        contract=contract, name="7×24", defaults={"kind": BusinessCalendar.Kind.ALWAYS}
    )
    office, _ = BusinessCalendar.objects.get_or_create(
        contract=contract, name="工作日 9:00–17:30",
        defaults={"kind": BusinessCalendar.Kind.WORKDAY, "hours": OFFICE_HOURS},
    )
    calendars = {"24x7": always, "office": office}
    # What the contract lacks, in one INSERT per model: a row the contract has already (a
    # component, group or policy the project manager kept or changed) is left as it is —
    # the unique constraints on (contract, code), (contract, name) and (contract, type,
    # priority) turn a second install, or a concurrent one, into nothing.
    ServiceComponent.objects.bulk_create(
        [ServiceComponent(contract=contract, code=code, name=name, description=description)
         for code, name, description in CATALOGUE],
        ignore_conflicts=True,
    )
    has_follow_up_group = SupportGroup.objects.filter(contract=contract, hotline_follow_up=True).exists()
    SupportGroup.objects.bulk_create(
        [SupportGroup(contract=contract, name=name,
                      hotline_follow_up=name == HOTLINE_FOLLOW_UP_GROUP and not has_follow_up_group)
         for name in ("一线服务台", "二线运维组", "驻场组")],
        ignore_conflicts=True,
    )
    if not has_follow_up_group and not SupportGroup.objects.filter(
            contract=contract, name=HOTLINE_FOLLOW_UP_GROUP).exists():
        # Another group was made the follow-up one meanwhile: its flag conflicted and the
        # whole row was skipped. The group still belongs in the desk, without the flag.
        SupportGroup.objects.get_or_create(contract=contract, name=HOTLINE_FOLLOW_UP_GROUP)
    SlaPolicy.objects.bulk_create(
        [SlaPolicy(contract=contract, ticket_type=ticket_type, priority=priority,
                   response_minutes=response[0], response_calendar=calendars[response[1]],
                   arrival_minutes=arrival[0], arrival_calendar=calendars.get(arrival[1]) if arrival[1] else None,
                   resolution_minutes=resolution[0], resolution_calendar=calendars[resolution[1]])
         for ticket_type in TicketType.values
         for priority, (response, arrival, resolution) in TARGETS.items()],
        ignore_conflicts=True,
    )
    return calendars
