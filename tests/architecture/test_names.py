"""One name per thing (issue 12): the ticket services are imported as ``tickets`` only,
"feedback" is the 好差评 app and nothing in the knowledge base, and the service packages
split out of one module re-export nothing under the old names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import weibao

ROOT = Path(weibao.__file__).parent.parent
TICKETS = "weibao.servicedesk.services.tickets"


def _python_files():
    for folder in ("weibao", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imports_of_ticket_services(path: Path) -> list[str]:
    """Each import of the ticket services in ``path`` that is not ``from
    weibao.servicedesk.services import tickets`` (an alias, or names taken out of it)."""
    odd = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.module == TICKETS:
            odd.append(f"{where} takes {', '.join(a.name for a in node.names)} out of the module")
        elif isinstance(node, ast.ImportFrom) and node.module == "weibao.servicedesk.services":
            odd += [f"{where} imports tickets as {a.asname}" for a in node.names
                    if a.name == "tickets" and a.asname not in (None, "tickets")]
        elif isinstance(node, ast.Import):
            odd += [f"{where} imports {a.name}" for a in node.names if a.name == TICKETS]
    return odd


def test_the_ticket_services_have_one_import_name():
    odd = [line for path in _python_files() for line in _imports_of_ticket_services(path)]
    assert not odd, "import the ticket services as `from weibao.servicedesk.services import tickets`:\n" + "\n".join(odd)


def test_attachments_are_their_own_module_not_part_of_the_ticket_lifecycle():
    tickets = importlib.import_module(TICKETS)
    attachments = importlib.import_module("weibao.servicedesk.services.attachments")
    for name in ("add_attachment", "sniff", "attachment_name", "offered_name"):
        assert hasattr(attachments, name)
        assert not hasattr(tickets, name), f"tickets.{name} is an alias of attachments.{name}"


def test_the_knowledge_base_calls_its_helpful_answers_votes_not_feedback():
    knowledge = ROOT / "weibao" / "knowledge"
    named = [str(p.relative_to(ROOT)) for p in knowledge.rglob("*") if "feedback" in p.name]
    for path in [*knowledge.rglob("*.py"), *knowledge.rglob("*.html")]:
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        named += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                  if "feedback" in line.lower()]
    assert not named, "\n".join(named)


@pytest.mark.parametrize("package", ["weibao.knowledge.services", "weibao.feedback.services"])
def test_a_split_services_package_re_exports_nothing(package):
    source = Path(importlib.import_module(package).__file__).read_text(encoding="utf-8")
    body = ast.parse(source).body
    statements = [node for node in body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert not statements, f"{package} should hold only its docstring, not names of its modules"
