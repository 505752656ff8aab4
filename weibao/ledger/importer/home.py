"""The import's panel on the home page: a way in for those who may import."""

from __future__ import annotations

from weibao.ledger.importer.access import may_import


def panels(request, contract) -> list[dict]:
    if not may_import(request.user):
        return []
    return [{"template": "ledger/_import_home_panel.html"}]
