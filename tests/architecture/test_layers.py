"""Imports point down (docs/decisions/0013-layers.md): an app imports only apps of a lower
layer, or itself. A lower layer that must show something of a higher one offers a
registry (web/home.py's panels, servicedesk/panels.py, accounts/sections.py, the
credentials signal) instead of importing it; an import inside a function body to dodge a
cycle is counted like any other."""

from __future__ import annotations

import ast
from pathlib import Path

import weibao

PACKAGE = Path(weibao.__file__).parent

# Lowest first. Apps on one line are peers: they may not import each other either,
# except where a line says so.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("audit",),
    ("accounts",),
    ("contracts",),
    # The auditors' pages read memberships: the read side of the audit app sits above
    # contracts, while the trail itself (record, seal, verify) is right above core.
    AUDIT_READ_SIDE := ("audit.selectors", "audit.exports", "audit.views",
                        "audit.views_anchor", "audit.urls"),
    ("api",),
    ("calendars", "notifications"),
    # Staff compliance is asked by assignment and rosters, so it sits below them.
    ("people",),
    ("servicedesk",),
    ("feedback",),
    ("knowledge",),
    ("visits", "portal"),
    # Escalations page people; the on-call app registers "whoever is on call" as a target.
    ("escalations",),
    ("oncall",),
    ("monitoring",),
    ("incidents",),
    ("changes",),
    ("hotline", "mailchannel"),
    # The ledger reads every operational app's evidence for the obligations matrix.
    ("ledger",),
    ("web",),
    ("demo",),
    ("testing",),
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# The project's own modules (settings, urls, wsgi) sit above every app.
TOP = len(LAYERS)


def _module_of(path: Path) -> str | None:
    """"audit.views" for weibao/audit/views.py; None for the project's own modules."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if len(parts) < 2:
        return None
    return ".".join(parts[:2]) if parts[-1] != "__init__" or len(parts) > 2 else parts[0]


def _layer(module: str) -> str:
    """The LAYERS entry a module belongs to: its own name if listed, else its app."""
    return module if module in RANK else module.split(".")[0]


def _imported_modules(node: ast.AST) -> list[str]:
    """The modules of other apps an import names, as "app.module" (or "app")."""
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        parts = node.module.split(".")
        if parts[0] != "weibao":
            return []
        if len(parts) >= 3:
            return [".".join(parts[1:3])]
        if len(parts) == 2:
            return [f"{parts[1]}.{alias.name}" for alias in node.names]
        return [alias.name for alias in node.names]
    if isinstance(node, ast.Import):
        return [".".join(alias.name.split(".")[1:3]) for alias in node.names if alias.name.startswith("weibao.")]
    return []


def _python_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def import_arrows() -> list[tuple[str, str, str, bool]]:
    """(importing layer, imported layer, where, inside a function body) for each import
    from one layer to another."""
    arrows = []
    for path in _python_files():
        module = _module_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function.update(id(inner) for inner in ast.walk(node) if inner is not node)
        source = _layer(module) if module else "(project)"
        for node in ast.walk(tree):
            for target_module in _imported_modules(node):
                target = _layer(target_module)
                if target in RANK and target != source:
                    where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                    arrows.append((source, target, where, id(node) in in_function))
    return arrows


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps <= set(RANK), sorted(apps - set(RANK))


def _points_up_or_sideways(source: str, target: str) -> bool:
    """Up always; sideways between two apps of one layer (modules of one app may use each
    other, e.g. the audit pages' views and filters)."""
    if RANK[target] != RANK[source]:
        return RANK[target] > RANK[source]
    return source.split(".")[0] != target.split(".")[0]


def test_imports_point_down():
    upward = [
        f"{where}: {app} → {target}"
        for app, target, where, _ in import_arrows()
        if app != "(project)" and _points_up_or_sideways(app, target)
    ]
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


# Imports of another app inside a function body, allowed only where being late is the point:
# an AppConfig.ready() registers with a lower layer, and the browser-test harness loads
# data inside its own process set-up.
LATE_IMPORTS_ALLOWED_IN = ("testing/browser.py", "demo/__init__.py")


def test_no_other_app_is_imported_inside_a_function():
    late = []
    for path in _python_files():
        module = _module_of(path)
        rel = str(path.relative_to(PACKAGE))
        if module is None or rel in LATE_IMPORTS_ALLOWED_IN:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            for node in ast.walk(function):
                for target in _imported_modules(node):
                    if target.split(".")[0] != module.split(".")[0]:
                        late.append(f"{rel}:{node.lineno} imports {target} in {function.name}()")
    assert not late, "\n".join(late)
