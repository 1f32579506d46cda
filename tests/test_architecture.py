"""The shape of the package, checked: imports form no circle and never run back up a layer,
blueprints do not import each other, domain code needs no request, role names appear only in
the permission layer, and domain errors carry lazy messages. Read from the source with ast;
nothing is imported."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reviewhub"

# Lower layers never import higher ones. Within a layer any import is fine (no circle, below).
LAYERS: list[tuple[str, ...]] = [
    ("clock", "dbtypes", "extensions", "transactions", "text", "files"),
    ("models",),
    ("permissions", "audit", "labels"),
    ("publishing", "rounds", "compare", "feedback", "accounts"),
    ("jobs", "notifications", "samples", "exports", "imports", "search"),
    ("views", "cli"),
    ("web", "security", "database", "config", "i18n", "__init__"),
]
BLUEPRINTS = ("account", "admin", "auth", "compare", "documents", "review", "site", "workspace",
              "progress", "positions", "exports", "imports", "attachments", "jobqueue", "feeds",
              "inbox", "search", "questions", "api", "api_feedback", "api_compare", "api_exports",
              "api_reference")  # fmt: skip
# Domain code: called by views, the CLI and jobs alike, so it may not reach for a request.
DOMAIN = ("text", "compare", "feedback", "accounts", "publishing", "rounds", "permissions", "audit",
          "models", "clock", "labels", "exports", "imports", "search")  # fmt: skip
# compare.page renders the standalone page, exports.pdf_nota the reactienota's HTML, and
# exports.queued's job finds the instance folder: the parts of a domain wing that need an app
# (its templates, its folder), not a request.
NOT_DOMAIN = ("compare.page", "exports.pdf_nota", "exports.pdf_version", "exports.queued")
REQUEST_NAMES = {"request", "session", "g", "current_app", "render_template", "url_for",
                 "flash", "abort", "redirect"}  # fmt: skip
# Where roles may be named: the rules, the model, their labels and the demo accounts.
ROLE_NAMES_ALLOWED = ("permissions", "models", "labels", "samples", "cli.users")


def _module_name(path: Path) -> str:
    """``views.helpers``; a package by its own name (``feedback``); the top one ``__init__``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _package_of(module: str) -> list[str]:
    if module == "__init__":
        return []
    parts = module.split(".")
    return parts if (PACKAGE / Path(*parts) / "__init__.py").exists() else parts[:-1]


def _imports(module: str) -> set[str]:
    """The reviewhub modules ``module`` imports, anywhere in it."""
    found: set[str] = set()
    modules = _modules()
    for node in ast.walk(modules[module]):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module)[: len(_package_of(module)) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif (node.module or "").startswith("reviewhub"):
                target = node.module.split(".")[1:]  # type: ignore[union-attr]
            else:
                continue
            for alias in node.names:
                candidate = ".".join([*target, alias.name])
                found.add(candidate if candidate in modules else ".".join(target) or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reviewhub."):
                    found.add(alias.name.removeprefix("reviewhub."))
    return {name for name in found if name in modules and name != module}


def _layer(module: str) -> int:
    top = module.split(".")[0]
    return next(index for index, names in enumerate(LAYERS) if top in names)


def _in(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def test_every_module_has_a_layer():
    for module in _modules():
        assert _layer(module) >= 0, module


def test_no_import_runs_back_up_a_layer():
    upward = [
        (module, target)
        for module in _modules()
        for target in _imports(module)
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_the_imports_form_no_circle():
    graph = {module: _imports(module) for module in _modules()}
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                pytest.fail("import circle: " + " -> ".join([*path[path.index(target) :], target]))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_blueprints_never_import_each_other():
    for name in BLUEPRINTS:
        others = {f"views.{other}" for other in BLUEPRINTS if other != name}
        assert _imports(f"views.{name}") & others == set(), name


def test_domain_code_needs_no_request():
    for module, tree in _modules().items():
        if not _in(module, DOMAIN) or _in(module, NOT_DOMAIN):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                taken = {alias.name for alias in node.names} & (REQUEST_NAMES | {"current_user"})
                assert taken == set(), f"{module} imports {taken} from {node.module}"
            if isinstance(node, ast.ImportFrom) and node.module and node.level:
                assert "views" not in node.module.split("."), f"{module} imports views"


def test_role_names_appear_only_in_the_permission_layer():
    for module, tree in _modules().items():
        if _in(module, ROLE_NAMES_ALLOWED):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert node.value.id != "Role", f"{module}:{node.lineno} names Role.{node.attr}"
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute):
                # current_user.role == "partner" and the like
                assert node.left.attr != "role" or not any(
                    isinstance(c, ast.Constant) for c in node.comparators
                ), f"{module}:{node.lineno} compares a role"


def test_domain_errors_carry_lazy_messages():
    """A message translated when the error is raised would be in the wrong language outside
    a request (a job, the CLI): domain errors keep lazy_gettext strings, translated when
    shown."""
    for module, tree in _modules().items():
        if not _in(module, DOMAIN):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                for argument in node.exc.args:
                    if isinstance(argument, ast.Call) and isinstance(argument.func, ast.Name):
                        assert argument.func.id not in ("gettext", "_"), (
                            f"{module}:{node.lineno} raises with gettext"
                        )
