"""Django's ``{% translate %}`` with one change: a constant text is rendered once per
language and kept on its template node.

A page carries 70–90 such texts (labels, headings, buttons) and Django resolves,
translates and escapes each on every render: about a quarter of a list page's template
time for output that can only change with the language. Texts with a variable, a filter,
``as`` or a variable context render as Django renders them.

``install()`` (the core app's ``ready``) registers the tag on Django's own ``i18n``
library, so every ``{% load i18n %}`` gets it; a second library under the same name would
be a system-check warning (templates.W003).
"""

from __future__ import annotations

from django.templatetags import i18n as django_i18n
from django.utils import translation


class ConstantTranslateNode(django_i18n.TranslateNode):
    """A TranslateNode whose output depends only on the language (and autoescape)."""

    _rendered: dict

    def render(self, context):
        key = (translation.get_language(), context.autoescape, _settings_generation)
        try:
            return self._rendered[key]
        except KeyError:
            value = self._rendered[key] = super().render(context)
            return value


def _is_constant(node) -> bool:
    expression = node.filter_expression
    context = node.message_context
    return (
        node.asvar is None
        and not expression.filters
        and getattr(expression.var, "literal", None) is not None
        # A quoted context is compiled to its text; a variable one to a Variable.
        and (context is None or (not context.filters and isinstance(context.var, str)))
    )


def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    if _is_constant(node):
        node.__class__ = ConstantTranslateNode
        node._rendered = {}
    return node


# Bumped when a test changes how texts translate (override_settings): kept outputs of the
# settings before are not used again.
_settings_generation = 0
_TRANSLATION_SETTINGS = frozenset({"USE_I18N", "LANGUAGE_CODE", "LANGUAGES", "LOCALE_PATHS"})


def _translation_settings_changed(*, setting, **kwargs) -> None:
    global _settings_generation
    if setting in _TRANSLATION_SETTINGS:
        _settings_generation += 1


def install() -> None:
    from django.test.signals import setting_changed

    for name in ("translate", "trans"):
        django_i18n.register.tag(name, do_translate)
    setting_changed.connect(_translation_settings_changed, dispatch_uid="weibao.template_i18n")
