"""Request bodies of the API are JSON objects: every operation's schema says so, and a
``null``, a list or a number must be refused by name (400), not reach the views. Nesting
is bounded: Python's parser recurses and deep input raised RecursionError (a 500)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from weibao.core.params import MAX_JSON_DEPTH, json_depth


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        # Measured before parsing, as core.middleware measures every JSON body: this
        # parser does not rely on the middleware being installed.
        raw = stream.read() if stream is not None else b""
        too_deep = _("JSON 嵌套过深（最多 %(max)d 层）。") % {"max": MAX_JSON_DEPTH}
        if json_depth(raw.decode("utf-8", "replace")) > MAX_JSON_DEPTH:
            raise ParseError(too_deep)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if not isinstance(data, dict):
            raise ParseError(_("请求体应为 JSON 对象（{...}）。"))
        return data
