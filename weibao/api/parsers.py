"""Request bodies of the API are JSON objects: every operation's schema says so, and a
``null``, a list or a number must be refused by name (400), not reach the views."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("请求体应为 JSON 对象（{...}）。"))
        return data
