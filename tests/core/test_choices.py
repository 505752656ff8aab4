"""Choice labels come from a dictionary built once per field, and still follow the
active language (the labels stay lazy)."""

from __future__ import annotations

from django.utils import translation

from weibao.servicedesk.models import Ticket


def test_a_label_follows_the_active_language_each_time_it_is_asked():
    ticket = Ticket(status="closed", priority="p1")
    assert ticket.get_status_display() == "已关闭"
    with translation.override("en"):
        assert ticket.get_status_display() == "Closed"
    assert ticket.get_status_display() == "已关闭"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Ticket(status="gone").get_status_display() == "gone"
    assert Ticket(status="").get_status_display() == ""
