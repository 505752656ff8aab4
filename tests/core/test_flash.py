"""core.flash.run_form: a form's save step answers its result, or its refusals by field."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from weibao.core.flash import run_form
from weibao.core.params import BadParameter


def _raise(error):
    def step():
        raise error
    return step


def test_a_saved_form_answers_its_result_and_no_errors():
    assert run_form(lambda: 42) == (42, {})


def test_a_bad_parameter_and_a_field_refusal_are_errors_by_field():
    assert run_form(_raise(BadParameter("name", "内容过长"))) == (None, {"name": "内容过长"})
    assert run_form(_raise(ValidationError({"end": ["须晚于开始", "不超过 31 天"]}))) == (
        None, {"end": "须晚于开始 不超过 31 天"})


def test_a_refusal_tied_to_no_field_is_shown_under_all():
    assert run_form(_raise(ValidationError("合同已终止"))) == (None, {"__all__": "合同已终止"})
