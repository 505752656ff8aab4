"""`{% load i18n %}` gives Django's tags with constant texts translated once per language
(weibao/core/template_i18n.py): what a page shows must not change."""

from __future__ import annotations

from django.template import engines
from django.templatetags import i18n as django_i18n
from django.utils import translation

from weibao.core import template_i18n
from weibao.core.template_i18n import ConstantTranslateNode


def _render(source: str, language: str, **context) -> str:
    template = engines["django"].from_string("{% load i18n %}" + source)
    with translation.override(language):
        return template.render(context)


def test_a_constant_text_follows_the_language_of_each_render():
    template = engines["django"].from_string('{% load i18n %}{% trans "工单" %}|{% translate "一" context "weekday" %}')
    shown = []
    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            shown.append(template.render({}))
    assert shown == ["工单|一", "Ticket|Mon", "工单|一", "Ticket|Mon"]
    nodes = template.template.nodelist.get_nodes_by_type(ConstantTranslateNode)
    assert len(nodes) == 2


def test_texts_that_depend_on_the_page_are_rendered_each_time():
    source = '{% trans label %}|{% trans "工单" as t %}{{ t }}|{% trans "工单"|upper %}|{% trans "一" context which %}'
    assert _render(source, "en", label="工单", which="weekday") == "Ticket|Ticket|TICKET|Mon"
    assert _render(source, "en", label="一", which="other") == "一|Ticket|TICKET|一"
    template = engines["django"].from_string("{% load i18n %}" + source)
    assert not template.template.nodelist.get_nodes_by_type(ConstantTranslateNode)


def test_the_other_i18n_tags_are_still_there_and_every_template_loads_these():
    source = ('{% get_current_language as L %}{{ L }}|{% blocktrans with n=3 %}第 {{ n }} 页{% endblocktrans %}'
              '|{{ "en"|language_name_local }}')
    assert _render(source, "zh-hans", ) == "zh-hans|第 3 页|English"
    assert django_i18n.register.tags["trans"] is template_i18n.do_translate
    assert django_i18n.register.tags["translate"] is template_i18n.do_translate


def test_an_escaped_text_stays_escaped():
    assert _render('{% autoescape on %}{% trans "<b>" %}{% endautoescape %}', "en") == "<b>"  # a literal is safe
    assert _render('{% trans v %}', "en", v="<b>") == "&lt;b&gt;"


def test_a_changed_translation_setting_is_not_answered_from_before(settings):
    """What Django itself translates after a test changes a translation setting."""
    from django.utils.translation import gettext

    template = engines["django"].from_string('{% load i18n %}{% trans "工单" %}')
    with translation.override("en"):
        assert template.render({}) == gettext("工单") == "Ticket"
        settings.LOCALE_PATHS = []
        assert template.render({}) == gettext("工单") == "工单"
