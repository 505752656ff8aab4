"""core.filters.FilterSet: each list request gets its own filters, bound to it, without
django-filter's deep copies and per-request form classes (issue 19: a third of the list
count's Python calls)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import translation

from weibao.servicedesk.filtersets import TicketFilterSet
from weibao.testing.factories import TicketFactory


def test_a_method_filter_answers_for_its_own_request(desk, contract, pm, engineer):
    mine = TicketFactory(contract=contract, by=pm, assignee=engineer)
    theirs = TicketFactory(contract=contract, by=pm, assignee=pm)
    query = QueryDict("view=mine")
    as_engineer = TicketFilterSet(query, user=engineer)
    as_pm = TicketFilterSet(query, user=pm)
    # Each instance's "view" filter calls its own filter_view, with its own user.
    assert list(as_engineer.qs) == [mine]
    assert list(as_pm.qs) == [theirs]
    assert as_engineer.filters["view"] is not TicketFilterSet.base_filters["view"]
    assert as_engineer.filters["view"].parent is as_engineer


def test_the_form_class_is_built_once_per_language(pm):
    first, second = TicketFilterSet(QueryDict(""), user=pm), TicketFilterSet(QueryDict(""), user=pm)
    assert first.get_form_class() is second.get_form_class()
    with translation.override("en"):
        english = TicketFilterSet(QueryDict(""), user=pm).get_form_class()
    assert english is not first.get_form_class()
    # The forms (and their bound values and errors) stay per request.
    bad, good = TicketFilterSet(QueryDict("status=nope"), user=pm), TicketFilterSet(QueryDict("status=new"), user=pm)
    assert "status" in bad.errors and not good.errors
    assert good.form.cleaned_data["status"] == ["new"]
