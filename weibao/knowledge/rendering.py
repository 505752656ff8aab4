"""Markdown to HTML for article bodies, safely: raw HTML in the source is escaped."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# html=False: "<script>" in an article is shown as text, never run. markdown-it's own
# link validation refuses javascript:, vbscript: and data: (except images) URLs.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


def render_markdown(source: str) -> SafeString:
    return mark_safe(_md.render(source or ""))  # noqa: S308 - escaped by markdown-it (html=False)
