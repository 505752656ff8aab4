"""``{% options %}``: a select's options in one call, selected by value whatever its type,
everything escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from weibao.servicedesk.models import Priority
from weibao.testing.factories import UserFactory


def _render(choices, selected=None) -> str:
    template = Template("{% load select_options %}{% options choices selected %}")
    return template.render(Context({"choices": choices, "selected": selected}))


def test_pairs_with_one_or_several_values_selected():
    assert _render([("new", "新建"), ("closed", "已关闭")], "closed") == (
        '<option value="new">新建</option><option value="closed" selected>已关闭</option>')
    html = _render(Priority.choices, ["p1", "p3"])
    assert html.count(" selected") == 2 and '<option value="p1" selected>' in html


def test_ids_select_whether_given_as_numbers_or_text():
    assert _render([(3, "三"), (30, "三十")], ["3"]) == '<option value="3" selected>三</option><option value="30">三十</option>'
    assert _render([("3", "三")], 3) == '<option value="3" selected>三</option>'


def test_plain_values_are_their_own_labels():
    assert _render((25, 50), 50) == '<option value="25">25</option><option value="50" selected>50</option>'


def test_nothing_selected_for_none_or_empty():
    assert " selected" not in _render([("", "全部"), ("a", "A")], None)
    assert " selected" not in _render([("", "全部"), ("a", "A")], [])


@pytest.mark.django_db
def test_model_instances_give_their_id_and_name_escaped():
    user = UserFactory(display_name='<b>"王"</b>')
    html = _render([user], [user.pk])
    assert html == f'<option value="{user.pk}" selected>{_escaped(str(user))}</option>'
    assert "<b>" not in html


def test_values_and_labels_are_escaped():
    html = _render([('"><script>', "<i>x</i>")])
    assert html == '<option value="&quot;&gt;&lt;script&gt;">&lt;i&gt;x&lt;/i&gt;</option>'


def _escaped(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def test_objects_with_a_pk_give_their_pk_and_a_selected_model_counts_by_its_pk():
    from weibao.servicedesk.queries import Choice

    assert _render([Choice(7, "二线运维组"), Choice(8, "一线")], ["7"]) == (
        '<option value="7" selected>二线运维组</option><option value="8">一线</option>')


@pytest.mark.django_db
def test_a_selected_model_instance_selects_its_own_option():
    user = UserFactory(display_name="王工")
    assert f'value="{user.pk}" selected' in _render([user], user)
