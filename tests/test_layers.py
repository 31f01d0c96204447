"""Roundtable's shape, kept true: imports run one way only, down the layers,
and no module imports another that imports it back (not even inside a
function). The layer order is written here, once.

A lower layer learns about a higher one only through a registry the higher one
fills from its own apps.py (the ledger's composers and sweepers, permissions).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import its own modules and any app of a lower layer.
LAYERS: list[tuple[str, ...]] = [
    ("coordination",),  # base: settings, Celery, coalitions, committees, accounts, access, the ledger
    ("members",),  # domain: agencies, people, roles
    ("meetings",),  # domain: meetings, agendas, attendance, minutes
    ("tasks",),  # domain: action items
    # top: apps that read across every domain, each may use those listed before it
    ("reports",),  # activities, the annual and engagement reports, charts
    ("public_site",),  # the public pages (they list upcoming public activities)
    ("dashboard",),  # each person's start page
    ("api",),  # the REST API and its personal tokens, under the pages' rules
    ("webhooks",),  # signed webhooks of what happens, delivered through the ledger
    ("demo",),  # the demo coalitions
    ("bench",),  # the benchmark: its data set and its measures of every page
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    modules = {}
    for app in RANK:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).is_dir() else []:
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours that `name` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # "from . import views" names a module; "from .models import X" a name in one
            candidates = [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and candidate.split(".")[0] in RANK:
                found.add(candidate)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def upward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    bad = set()
    for module, targets in graph.items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != app and RANK[other] >= RANK[app]:
                bad.add((module, target))
    return bad


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_layer_test_sees_the_imports():
    graph = import_graph()
    assert "coordination.access" in graph["meetings.models"]  # from coordination import access
    assert "members.models" in graph["members.views"]  # from .models import ...


def test_the_layer_test_catches_an_upward_import_and_a_cycle():
    graph = {"coordination.a": {"tasks.b"}, "tasks.b": {"coordination.a"}}
    assert upward_imports(graph) == {("coordination.a", "tasks.b")}
    assert cycles(graph) == {frozenset({"coordination.a", "tasks.b"})}


def test_every_app_of_ours_has_a_place_in_the_layers():
    from django.conf import settings

    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert ours == set(RANK)


def test_imports_run_down_the_layers_only():
    assert upward_imports(import_graph()) == set()


def test_no_app_imports_another_apps_views():
    """Shared page helpers live in the base (coordination/pages.py) or in an
    app's pages.py, never in another app's views."""
    borrowed = {
        (module, target)
        for module, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] != module.split(".")[0] and target.split(".")[-1] == "views"
    }
    assert borrowed == set()


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(import_graph()) == set()
