"""The import arrows and the privacy rule, held by walking the package's syntax trees.

pages → ui → export → charts/maps → wording → metrics → query → store → kernel: a module may
import its own layer and the layers below it, never above. Streamlit is imported only by the
presentation layer, the pages and the entry file; the pipeline imports nothing of the app; no
module reaches into another module's private names. And every function that receives counts of
people from the query layer (found from the SQL: the statements that compute cell keys) sends
them through `privacy.protect` before they leave the metric layer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dashboard"

# Rank of each layer: a module may import modules of its own rank or lower.
KERNEL = ("settings", "contract", "filters", "privacy", "stats", "indicators", "i18n", "geo", "markdown")
RANKS = {
    **{name: 0 for name in KERNEL},
    "store": 1, "query": 2, "metrics": 3, "release": 3, "wording": 4, "charts": 5, "maps": 5,
    "export": 6, "warm": 6, "ui": 7,
}
PIPELINE = ("clean", "demo")
PAGES_RANK = 8
# What the pipeline may use of the app's package besides the kernel: it writes the query-ready
# copies the store reads and publishes the extract folder the store opens (store.prepared,
# store.versions); and its command, once the extract is written,
# stores the answers of the standard views (dashboard.warm, which needs no Streamlit).
PIPELINE_MAY_IMPORT = {"dashboard.store.prepared": "dashboard.clean.pipeline",
                       "dashboard.store.versions": "dashboard.clean.pipeline",
                       "dashboard.warm": "dashboard.clean.__main__"}
# What a command may use above its layer: the release command, once a release is approved, writes
# its standard files (press kits, fact sheets) with the export layer.
COMMAND_MAY_IMPORT = {"dashboard.export.standard": "dashboard.release.__main__"}
STREAMLIT_LAYERS = ("ui",)
# Functions that hand protected figures on: they call protect, or a function that does.
PROTECTORS = ("protect", "protect_with_intervals", "shown_counts")
# Modules outside the query layer whose statements count people too: a release's cube.
KEYED_MODULES = ("dashboard.release.cube",)
# Layers that may receive counts of people from statements (they protect them before handing on).
PROTECTING_LAYERS = ("metrics", "release")
# SQL helpers whose use marks a statement as counting people (it computes their cell keys).
KEYED_SQL = ("key_sum", "cell_key", "record_key")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. dashboard.metrics.skills, or pages.skills
    path: Path
    tree: ast.Module

    @property
    def layer(self) -> str:
        parts = self.name.split(".")
        return parts[1] if parts[0] == "dashboard" and len(parts) > 1 else parts[0]

    @property
    def rank(self) -> int | None:
        if self.name.startswith("pages.") or self.name == "streamlit_app":
            return PAGES_RANK
        return RANKS.get(self.layer)


def _modules() -> list[Module]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py"]
    out = []
    for path in files:
        rel = path.relative_to(ROOT).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return out


MODULES = _modules()
BY_NAME = {m.name: m for m in MODULES}


def _is_main_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _nodes(tree: ast.AST):
    """Every node, except those of an `if __name__ == "__main__":` block (a script's entry point,
    not a dependency of the module)."""
    for child in ast.iter_child_nodes(tree):
        if _is_main_block(child):
            continue
        yield child
        yield from _nodes(child)


def _imports(module: Module) -> list[tuple[str, int, list[str]]]:
    """Every import anywhere in the module (functions included): (module, line, names)."""
    found = []
    for node in _nodes(module.tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            # `from dashboard.ui import cache` imports the module dashboard.ui.cache, not the package
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in BY_NAME]
            if len(submodules) < len(names):
                found.append((node.module, node.lineno, names))
            found += [(name, node.lineno, []) for name in submodules]
    return found


def _target(name: str) -> Module | None:
    while name:
        if name in BY_NAME:
            return BY_NAME[name]
        name = name.rpartition(".")[0]
    return None


def test_every_module_belongs_to_a_layer():
    unplaced = [m.name for m in MODULES if m.rank is None and m.layer not in PIPELINE and m.name != "dashboard"]
    assert not unplaced, f"modules outside every layer (add them to RANKS): {unplaced}"


@pytest.mark.parametrize("module", [m for m in MODULES if m.rank is not None], ids=lambda m: m.name)
def test_imports_point_down(module):
    upward = []
    for name, line, _names in _imports(module):
        target = _target(name)
        if target is None or target is module or not target.name.startswith("dashboard"):
            continue
        if target.name == "dashboard":  # the package itself (its __init__ imports nothing)
            continue
        if target.layer in PIPELINE:
            upward.append(f"line {line}: {name} (the app never imports the pipeline)")
        elif (target.rank is not None and target.rank > module.rank
              and COMMAND_MAY_IMPORT.get(target.name) != module.name):
            upward.append(f"line {line}: {name} ({target.layer} is above {module.layer})")
    assert not upward, f"{module.name} imports upwards:\n" + "\n".join(upward)


@pytest.mark.parametrize("module", [m for m in MODULES if m.layer in PIPELINE], ids=lambda m: m.name)
def test_the_pipeline_imports_nothing_of_the_app(module):
    found = []
    for name, line, _names in _imports(module):
        target = _target(name)
        if target is None or not target.name.startswith("dashboard") or target.layer in PIPELINE:
            continue
        if target.rank != 0 and PIPELINE_MAY_IMPORT.get(target.name) != module.name:
            found.append(f"line {line}: {name}")
    assert not found, f"{module.name} imports the app:\n" + "\n".join(found)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_streamlit_only_in_the_presentation_layer(module):
    allowed = module.rank == PAGES_RANK or module.layer in STREAMLIT_LAYERS
    found = [f"line {line}: {name}" for name, line, _n in _imports(module)
             if name == "streamlit" or name.startswith("streamlit.")]
    assert allowed or not found, f"{module.name} imports Streamlit:\n" + "\n".join(found)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_no_module_reaches_into_another_modules_private_names(module):
    found = []
    imported: dict[str, str] = {}  # local name -> dashboard module it stands for
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dashboard"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                full = f"{node.module}.{alias.name}"
                if full in BY_NAME:
                    imported[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dashboard") and alias.asname:
                    imported[alias.asname] = alias.name
    for node in ast.walk(module.tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not found, f"{module.name} uses private names of other modules:\n" + "\n".join(found)


# ---- counts of people pass through privacy.protect -------------------------------------------

def _functions(module: Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in module.tree.body if isinstance(n, ast.FunctionDef)}


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def _keyed_queries() -> set[str]:
    """Functions of the query layer whose statements count people (they compute cell keys),
    directly or through a helper of their own module."""
    keyed = set()
    for module in MODULES:
        if module.layer != "query" and module.name not in KEYED_MODULES:
            continue
        functions = _functions(module)
        direct = {name for name, fn in functions.items() if _called_names(fn) & set(KEYED_SQL)}
        changed = True
        while changed:  # helpers that build keyed SQL make their callers keyed too
            grown = {name for name, fn in functions.items() if _called_names(fn) & direct} | direct
            changed, direct = grown != direct, grown
        keyed |= {name for name in direct if not name.startswith("_") and name not in KEYED_SQL}
    return keyed


KEYED = _keyed_queries()


def test_the_people_counting_statements_are_found():
    # A plain second look: these statements are known to count people; if the scan misses one
    # of them, it would miss others.
    assert {"load_activity_totals", "load_self_ratings", "load_breakdown", "load_rating_summary",
            "load_region_figures", "load_hub_figures", "load_waitlist_latest"} <= KEYED


def _protecting() -> dict[str, set[str]]:
    """Metric-layer functions that protect, per module (protect itself, or a protecting callee)."""
    out = {}
    for module in MODULES:
        if module.layer not in (*PROTECTING_LAYERS, "export"):
            continue
        functions = _functions(module)
        protects = {name for name, fn in functions.items() if _called_names(fn) & set(PROTECTORS)}
        out[module.name] = protects
    # A function that returns protected figures (of its own module or another's) protects too.
    changed = True
    while changed:
        every = set().union(*out.values())
        changed = False
        for module in MODULES:
            if module.name in out:
                functions = _functions(module)
                grown = out[module.name] | {name for name, fn in functions.items() if _called_names(fn) & every}
                changed, out[module.name] = changed or grown != out[module.name], grown
    return out


PROTECTING = _protecting()


def _callers_of_keyed_queries() -> list[tuple[Module, str, set[str]]]:
    found = []
    for module in MODULES:
        if module.layer in ("query", "store") or module.layer in PIPELINE or module.name in KEYED_MODULES:
            continue
        for name, fn in _functions(module).items():
            used = _called_names(fn) & KEYED
            if used:
                found.append((module, name, used))
    return found


@pytest.mark.parametrize("caller", _callers_of_keyed_queries(), ids=lambda c: f"{c[0].name}.{c[1]}")
def test_every_count_of_people_is_protected_before_it_leaves_the_metric_layer(caller):
    module, name, used = caller
    assert module.layer in PROTECTING_LAYERS, (
        f"{module.name}.{name} reads counts of people ({', '.join(sorted(used))}) outside the metric layer")
    assert name in PROTECTING[module.name], (
        f"{module.name}.{name} reads counts of people ({', '.join(sorted(used))}) and never calls privacy.protect")


def test_every_metric_function_with_a_rule_protects():
    unprotected = []
    for module in MODULES:
        if module.layer not in ("metrics", "export"):
            continue
        for name, fn in _functions(module).items():
            takes_rule = any(a.arg == "rule" for a in fn.args.args)
            if takes_rule and name.startswith("compute_") and name not in PROTECTING[module.name]:
                unprotected.append(f"{module.name}.{name}")
    assert not unprotected, f"take a privacy Rule but never protect: {unprotected}"
