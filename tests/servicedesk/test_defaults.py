"""A contract's starting service desk: installed whole, and installed again without
duplicating or undoing what the project manager changed since."""

from __future__ import annotations

from weibao.servicedesk.models import ServiceComponent, SlaPolicy, SupportGroup, TicketType
from weibao.servicedesk.services.defaults import (
    CATALOGUE,
    HOTLINE_FOLLOW_UP_GROUP,
    TARGETS,
    install_defaults,
)
from weibao.testing.factories import ContractFactory


def _state(contract):
    return (
        sorted(ServiceComponent.objects.filter(contract=contract).values_list("code", "name")),
        sorted(SupportGroup.objects.filter(contract=contract).values_list("name", "hotline_follow_up")),
        sorted(SlaPolicy.objects.filter(contract=contract).values_list(
            "ticket_type", "priority", "response_minutes", "response_calendar__name", "arrival_minutes",
            "resolution_minutes", "resolution_calendar__name")),
    )


def test_a_new_contract_gets_the_catalogue_groups_and_a_policy_for_each_type_and_priority(db):
    contract = ContractFactory()
    calendars = install_defaults(contract)
    components, groups, policies = _state(contract)
    assert components == sorted((code, name) for code, name, _ in CATALOGUE)
    assert groups == sorted([("一线服务台", False), (HOTLINE_FOLLOW_UP_GROUP, True), ("驻场组", False)])
    assert len(policies) == len(TicketType.values) * len(TARGETS)
    p1_fault = SlaPolicy.objects.get(contract=contract, ticket_type="fault", priority="p1")
    assert (p1_fault.response_minutes, p1_fault.arrival_minutes, p1_fault.resolution_minutes) == (15, 120, 240)
    assert p1_fault.response_calendar == calendars["24x7"]
    p3 = SlaPolicy.objects.get(contract=contract, ticket_type="consultation", priority="p3")
    assert p3.arrival_minutes is None and p3.arrival_calendar is None and p3.resolution_calendar == calendars["office"]


def test_installing_again_adds_nothing_and_keeps_what_the_project_manager_changed(db, django_assert_max_num_queries):
    contract, other = ContractFactory(), ContractFactory()
    install_defaults(contract)
    SlaPolicy.objects.filter(contract=contract, ticket_type="fault", priority="p1").update(response_minutes=10)
    SupportGroup.objects.filter(contract=contract).update(hotline_follow_up=False)
    SupportGroup.objects.filter(contract=contract, name="驻场组").update(hotline_follow_up=True)
    ServiceComponent.objects.filter(contract=contract, code="portal").update(name="门户（改名）")
    before = _state(contract)
    with django_assert_max_num_queries(12):  # not one query per row
        install_defaults(contract)
    assert _state(contract) == before
    assert SupportGroup.objects.filter(contract=contract, hotline_follow_up=True).count() == 1
    install_defaults(other)  # another contract's desk is its own
    assert len(_state(other)[2]) == len(before[2])
    assert SlaPolicy.objects.get(contract=other, ticket_type="fault", priority="p1").response_minutes == 15


def test_a_group_made_the_follow_up_one_meanwhile_still_leaves_the_whole_desk(db, monkeypatch):
    from django.db.models import QuerySet

    contract = ContractFactory()
    SupportGroup.objects.create(contract=contract, name="热线组", hotline_follow_up=True)
    real_exists, asked = QuerySet.exists, []

    def exists_before_the_flag_was_set(queryset):
        # The install's first question ("is any group the follow-up one?") was answered
        # before another request flagged 热线组: it sees none.
        asked.append(queryset.model)
        return False if len(asked) == 1 else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_before_the_flag_was_set)
    install_defaults(contract)
    groups = dict(SupportGroup.objects.filter(contract=contract).values_list("name", "hotline_follow_up"))
    assert groups == {"热线组": True, "一线服务台": False, HOTLINE_FOLLOW_UP_GROUP: False, "驻场组": False}
