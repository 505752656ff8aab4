"""A schedule's and a rotation layer's values from the on-call pages' forms or an API body,
parsed once: the same names, limits and messages on both (``core.params`` turns each into
a 400 naming its field). Membership and the rules between fields (a window needs both
ends) are the services' (``services.save_layer``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from weibao.core.params import (
    BadParameter,
    json_value,
    parse_choice,
    parse_datetime,
    parse_positive_int,
    parse_text,
    parse_time,
    refuse_unknown_names,
    require_id,
)
from weibao.oncall.models import Layer, Override

MAX_PARTICIPANTS = 50
#: What a JSON body may hold for each name besides text (a form holds text only).
_JSON_KINDS = {"level": (int,), "shift_days": (int,)}


def schedule_fields(data: Mapping, *, partial: bool = False, strict: bool = False) -> dict:
    """``name`` and ``description`` for ``services.save_schedule``. ``partial`` (a PATCH):
    only the names present; ``strict`` (an API body): any other name is a 400."""
    parsers = {
        "name": lambda v: parse_text(v, "name", 100, required=True),
        "description": lambda v: parse_text(v, "description", 300),
    }
    if strict:
        refuse_unknown_names(data, [*parsers, "contract"], _("值班表"))
    names = [n for n in parsers if n in data] if partial else list(parsers)
    return {name: parsers[name](json_value(data, name)) for name in names}


def participants(value) -> list[int]:
    """The rotation's people in order: user ids (a list in a JSON body, the ordered selects
    of the page; their empty slots skipped), at most ``MAX_PARTICIPANTS``."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise BadParameter("participants", _("应为人员编号的列表。"))
    if len(value) > 2 * MAX_PARTICIPANTS:  # before parsing a huge list (the page's empty slots allowed)
        raise BadParameter("participants", _("最多 %(n)d 人。") % {"n": MAX_PARTICIPANTS})
    ids = []
    for item in value:
        if isinstance(item, str) and not item.strip():
            continue
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise BadParameter("participants", _("应为人员编号的列表。"))
        ids.append(require_id(str(item), "participants"))
    if len(ids) > MAX_PARTICIPANTS:
        raise BadParameter("participants", _("最多 %(n)d 人。") % {"n": MAX_PARTICIPANTS})
    return ids


def layer_fields(data: Mapping, *, partial: bool = False, strict: bool = False) -> dict:
    """The keyword arguments of ``services.save_layer``. A whole form or POST body: every
    value, defaults for what is left out (weekly, level 1, every day, all day). ``partial``
    (a PATCH): only the names present. ``strict`` (an API body): any other name is a 400.
    Times are Beijing time, ``YYYY-MM-DDTHH:MM`` and ``HH:MM``."""
    parsers = {
        "name": lambda v: parse_text(v, "name", 100),
        "level": lambda v: parse_positive_int(v, "level", maximum=99) or 1,
        "rotation": lambda v: parse_choice(v, "rotation", Layer.Rotation.values) or Layer.Rotation.WEEKLY,
        "shift_days": lambda v: parse_positive_int(v, "shift_days", maximum=366) or 7,
        "starts_at": lambda v: parse_datetime(v, "starts_at"),
        "participants": participants,
        "days": lambda v: parse_choice(v, "days", Layer.Days.values) or Layer.Days.ALL,
        "window_start": lambda v: parse_time(v, "window_start"),
        "window_end": lambda v: parse_time(v, "window_end"),
    }
    if strict:
        refuse_unknown_names(data, parsers, _("轮值层"))
    names = [n for n in parsers if n in data] if partial else list(parsers)
    fields = {}
    for name in names:
        raw = data.get(name) if name == "participants" else json_value(data, name, _JSON_KINDS.get(name, ()))
        fields[name] = parsers[name](raw)
    if "starts_at" in fields and fields["starts_at"] is None:
        raise BadParameter("starts_at", _("请填写开始（交接）时间。"))
    return fields


def override_fields(data: Mapping, *, strict: bool = False) -> dict:
    """A request for a 代班 or 换班: ``schedule``, ``user`` and ``replaces`` as ids (the caller
    loads them within the contract), ``start`` and ``end`` (Beijing time), ``kind``,
    ``reason``. ``strict`` (an API body): any other name is a 400."""
    parsers = {
        "schedule": lambda v: require_id(v, "schedule"),
        "user": lambda v: require_id(v, "user"),
        "replaces": lambda v: require_id(v, "replaces"),
        "start": lambda v: parse_datetime(v, "start"),
        "end": lambda v: parse_datetime(v, "end"),
        "kind": lambda v: parse_choice(v, "kind", Override.Kind.values) or Override.Kind.OVERRIDE,
        "reason": lambda v: parse_text(v, "reason", 300),
    }
    if strict:
        refuse_unknown_names(data, [*parsers, "contract"], _("代班申请"))
    ids = ("schedule", "user", "replaces")
    fields = {name: parser(json_value(data, name, (int,) if name in ids else ())) for name, parser in parsers.items()}
    for name, message in (("schedule", _("请选择值班表。")), ("user", _("请选择本合同的值班人员。")),
                          ("start", _("请填写开始时间。")), ("end", _("请填写结束时间。"))):
        if fields[name] is None:
            raise BadParameter(name, message)
    return fields
