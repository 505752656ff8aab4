"""core.statements: a query compiled once answers as the ORM would for every id it is
run with, the other contract's rows never among them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from weibao.contracts.models import Membership
from weibao.core.statements import Statement
from weibao.servicedesk import queries
from weibao.servicedesk.models import SupportGroup
from weibao.testing.factories import ContractFactory, member_of


def _memberships(user_id):
    return Membership.objects.filter(user_id=user_id, active=True).select_related("contract").order_by("id")


def test_rows_answer_for_each_id_as_the_query_would(desk, contract):
    other = ContractFactory()
    SupportGroup.objects.create(contract=other, name="另一合同的支持组")
    statement = Statement(lambda contract_id: SupportGroup.objects.filter(contract_id=contract_id)
                          .order_by("name").values_list("pk", "name"))
    for each in (contract, other, contract):
        assert statement.rows(each.pk) == list(
            SupportGroup.objects.filter(contract=each).order_by("name").values_list("pk", "name"))
    assert "另一合同的支持组" not in [name for _, name in statement.rows(contract.pk)]


def test_the_list_filters_name_only_the_contracts_own_groups_and_team(desk, contract, engineer):
    other = ContractFactory()
    SupportGroup.objects.create(contract=other, name="另一合同的支持组")
    stranger = member_of(other, "resident_engineer")
    mine, theirs = queries.filter_choices(contract), queries.filter_choices(other)
    assert [c.label for c in theirs.groups] == ["另一合同的支持组"]
    assert "另一合同的支持组" not in [c.label for c in mine.groups]
    assert engineer.pk in [c.pk for c in mine.team] and stranger.pk not in [c.pk for c in mine.team]
    assert [c.pk for c in theirs.team] == [stranger.pk]


def test_objects_are_the_querys_with_their_related_objects_read_along(contract, pm, django_assert_num_queries):
    second = ContractFactory()
    Membership.objects.create(contract=second, user=pm, role="resident_engineer")
    statement = Statement(_memberships)
    expected = list(_memberships(pm.pk))
    with django_assert_num_queries(1):
        found = statement.objects(pm.pk)
        assert [(m.pk, m.contract.number, m.role) for m in found] == [
            (m.pk, m.contract.number, m.role) for m in expected]
    assert [m.created_at for m in found] == [m.created_at for m in expected]  # converters applied
    assert found[0].created_at.tzinfo is not None
    assert statement.objects(-1) == []
    assert statement.objects(2**70) == []  # beyond any id: nothing, not an error


def test_an_id_compared_with_a_text_column_is_bound_as_text(contract, pm):
    statement = Statement(lambda user_id: Membership.objects.filter(user__username=user_id).values_list("pk"))
    pm.username = "4242"
    pm.save(update_fields=["username"])
    assert statement.rows(4242) == list(Membership.objects.filter(user=pm).values_list("pk"))


def test_a_query_that_does_not_use_its_id_as_given_is_refused(contract):
    statement = Statement(lambda contract_id: SupportGroup.objects.filter(contract_id=contract_id + 1))
    with pytest.raises(ValueError, match="does not put id"):
        statement.rows(contract.pk)
    with pytest.raises(TypeError, match="1 id"):
        Statement(_memberships).objects(1, 2)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_it_on_its_own_connection(contract, pm):
    statement = Statement(_memberships)
    here = [m.pk for m in statement.objects(pm.pk)]
    there = []

    def other_thread():
        from django.db import connection

        try:
            there.extend(m.pk for m in statement.objects(pm.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert there == here != []


def test_a_query_that_changes_between_builds_is_refused(contract):
    from weibao.core import clock

    # A time compiled in would be the first request's time for ever.
    statement = Statement(lambda contract_id: Membership.objects.filter(contract_id=contract_id,
                                                                        created_at__lte=clock.now()))
    with pytest.raises(ValueError, match="changes with its ids or between builds"):
        statement.rows(contract.pk)
    # A list whose length follows the id changes the SQL itself.
    statement = Statement(lambda contract_id: Membership.objects.filter(pk__in=range(abs(contract_id) % 3 + 1)))
    with pytest.raises(ValueError):
        statement.rows(contract.pk)


def test_odd_ids_find_nothing_as_the_orm_would(contract, pm):
    statement = Statement(_memberships)
    for odd in (None, 2**64, -(2**64)):
        assert statement.objects(odd) == []
    # Text ("１２" is an int() to Python) and floats are parsed by the caller, not here.
    for unparsed in (str(pm.pk), "１２", 1e999, True):
        with pytest.raises(TypeError, match="an id is an integer"):
            statement.objects(unparsed)


def test_memberships_with_contracts_keep_the_querysets_own_filters(contract, pm):
    from weibao.accounts.models import User

    second = ContractFactory()
    Membership.objects.create(contract=second, user=pm, role="resident_engineer")
    user = User.objects.select_related("admin_role_grant").get(pk=pm.pk)  # as a request reads it
    assert {m.contract_id for m in Membership.objects.active_with_contracts(user)} == {contract.pk, second.pk}
    assert {m.contract_id for m in Membership.objects.filter(contract=second).active_with_contracts(user)} == {
        second.pk}
    assert Membership.objects.none().active_with_contracts(user) == []


def test_memberships_of_a_user_read_without_their_grant_are_those_that_give_access(contract, pm, outsider):
    from weibao.accounts.models import AdminRoleGrant, User

    second = ContractFactory()
    Membership.objects.create(contract=second, user=pm, role="resident_engineer", active=False)
    plain = User.objects.get(pk=pm.pk)  # as a task or a service outside a request has it
    found = Membership.objects.active_with_contracts(plain)
    assert [(m.pk, m.contract.number) for m in found] == [
        (m.pk, m.contract.number) for m in Membership.objects.active_for(plain).select_related("contract")]
    assert {m.contract_id for m in found} == {contract.pk}  # not the inactive one, not the outsider's
    # An administrator's contract roles count for nothing, read with the grant or without.
    AdminRoleGrant.objects.create(user=outsider, role="security_admin")
    assert Membership.objects.active_with_contracts(User.objects.get(pk=outsider.pk)) == []
    with_grant = User.objects.select_related("admin_role_grant").get(pk=outsider.pk)
    assert Membership.objects.active_with_contracts(with_grant) == []


def test_a_text_argument_is_bound_as_it_is_and_only_from_text(contract, pm, outsider):
    from weibao.accounts.models import User

    statement = Statement(lambda username: User.objects.filter(username=username).values_list("pk"),
                          texts=("username",))
    assert statement.rows(pm.username) == [(pm.pk,)]
    assert statement.rows(outsider.username) == [(outsider.pk,)]
    assert statement.rows("nobody") == [] and statement.rows(None) == []
    assert statement.rows("%") == [] and statement.rows(pm.username.upper() + " ") == []  # compared as it is
    with pytest.raises(TypeError, match="is a text"):
        statement.rows(pm.pk)
    # A text used in another form (a pattern) does not go into the SQL as given: refused.
    def by(lookup):
        return lambda username: User.objects.filter(**{f"username__{lookup}": username})

    for lookup in ("contains", "startswith"):
        with pytest.raises(ValueError, match="does not put id"):
            Statement(by(lookup), texts=("username",)).rows("pm")
    # iexact: SQLite's LIKE gets the text escaped (refused); PostgreSQL's UPPER(…) = UPPER(%s)
    # takes it as given, and answers as the ORM does.
    iexact = Statement(by("iexact"), texts=("username",))
    if connection.vendor == "sqlite":
        with pytest.raises(ValueError, match="does not put id"):
            iexact.objects("pm")
    else:
        for asked in (pm.username.upper(), "%", "P_"):
            assert iexact.objects(asked) == list(by("iexact")(asked))
    with pytest.raises(TypeError, match="no argument named"):
        Statement(lambda username: User.objects.filter(username=username), texts=("name",))
