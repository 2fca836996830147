"""The shape of the code: stages import one way, nothing imports the CLI, no private names cross modules.

The checker reads every module's imports (module level and inside functions, type-only ones
too) with :mod:`ast`, so it sees what an import-linter contract would, without running code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

# Lower layers first; a module may import its own layer's stage and any lower layer.
LAYERS: dict[str, int] = {
    "synth.errors": 0,
    "synth._version": 0,
    "synth.io": 0,
    "synth._native": 0,
    "synth._lazy": 0,
    "synth.decompress": 0,
    "synth.workers": 0,
    "synth.wording": 0,
    "synth.schema": 1,
    "synth.generation": 2,
    "synth.validate": 3,
    "synth.workload": 4,
    "synth.load": 5,
    "synth.pages": 6,
    "synth.feeds": 6,
    "synth.testing": 6,
    "synth.render": 6,  # first homes, kept as re-exports of their stage
    "synth.strategies": 6,
    "synth.pytest_plugin": 6,
    "synth.cli": 7,
    "synth": 8,  # the package's lazy public API and ``python -m synth``
    "synth.__main__": 8,
}
# Modules that count as part of another entry: the first homes as their stage, the foundation as one.
GROUPS = {
    "synth.render": "synth.pages",
    "synth.strategies": "synth.testing",
    "synth.pytest_plugin": "synth.testing",
    "synth._version": "synth.errors",
    "synth.io": "synth.errors",
    "synth._native": "synth.errors",
    "synth._lazy": "synth.errors",
    "synth.decompress": "synth.errors",
    "synth.workers": "synth.errors",
    "synth.wording": "synth.errors",
}
FORBIDDEN = {  # (importer, imported): pairs the layers would allow but the design does not
    ("synth.generation.corpus", "synth.generation.defects"),
    ("synth.generation.corpus", "synth.generation.edition"),
    ("synth.generation.manifest", "synth.generation.parts"),
    ("synth.generation.manifest", "dask"),
    ("synth.generation.manifest", "distributed"),
}


def stage_of(module: str) -> str:
    """The entry of :data:`LAYERS` a module belongs to (its longest matching prefix)."""
    best = max((key for key in LAYERS if module == key or module.startswith(key + ".")), key=len)
    return GROUPS.get(best, best)


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in ``tree``."""
    base = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = base.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1] + ([target] if target else []))
            yield target, [alias.name for alias in node.names], node.lineno


EXTENSIONS = {"synth._native"}  # compiled modules: no source to read, importable by name


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """What breaks the rules among ``sources`` (module name -> (source text, is a package))."""
    modules = set(sources) | EXTENSIONS
    found = []
    for module, (text, is_package) in sorted(sources.items()):
        own = stage_of(module)
        for target, names, line in _imports(ast.parse(text), module, is_package):
            where = f"{module}:{line}"
            for name in names:
                private = name.startswith("_") and not name.startswith("__")
                if private and target.startswith("synth") and f"{target}.{name}" not in modules:
                    found.append(f"{where} imports the private name {name} of {target}")
            if (module, target) in FORBIDDEN or any((module, f"{target}.{n}") in FORBIDDEN for n in names):
                found.append(f"{where} imports {target}, which the design forbids")
            if not target.startswith("synth.") or target == "synth":
                continue
            theirs = stage_of(target)
            if theirs == "synth.cli" and own not in ("synth.cli", "synth.__main__"):
                found.append(f"{where} imports the CLI ({target})")
            elif LAYERS[theirs] > LAYERS[own] or (LAYERS[theirs] == LAYERS[own] and theirs != own):
                found.append(f"{where} ({own}) imports {target} ({theirs}), a higher or sibling stage")
    return found


def package_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for path in sorted((ROOT / "synth").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def test_the_package_keeps_the_rules() -> None:
    assert violations(package_sources()) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("synth.schema.probe", "from synth.load.importer import import_paths\n", "a higher or sibling stage"),
        ("synth.generation.probe", "def f():\n    from synth.validate import check\n", "a higher or sibling stage"),
        ("synth.feeds.probe", "from synth.pages.html import render_html\n", "a higher or sibling stage"),
        ("synth.testing.probe", "import synth.cli.generate\n", "imports the CLI"),
        ("synth.load.probe", "from synth.validate.report import _private\n", "private name _private"),
        ("synth.workload.probe", "from synth.load.check import check_index\n", "a higher or sibling stage"),
        ("synth.validate.probe", "from synth.workload.scan import Scan\n", "a higher or sibling stage"),
        ("synth.generation.corpus", "from synth.generation.defects import KINDS\n", "the design forbids"),
        ("synth.generation.manifest", "from synth.generation import parts\n", "the design forbids"),
    ],
)
def test_a_deliberate_breach_is_caught(module: str, source: str, expected: str) -> None:
    sources = package_sources()
    sources[module] = (source, False)
    found = [v for v in violations(sources) if v.startswith(module + ":")]
    assert len(found) == 1 and expected in found[0], found


def test_no_import_cycle_between_modules() -> None:
    sources = package_sources()
    graph = {
        module: {target for target, _, _ in _imports(ast.parse(text), module, is_package) if target in sources}
        for module, (text, is_package) in sources.items()
    }
    for module, (_, is_package) in sources.items():
        if is_package:
            graph[module] = set()  # a package's lazy __getattr__ re-exports are not dependencies of its modules
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_module_and_function_sizes() -> None:
    lengths = []
    for module, (text, _) in package_sources().items():
        assert text.count("\n") <= 500, f"{module} has {text.count(chr(10))} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                assert size <= 60, f"{module}.{node.name} is {size} lines"
                lengths.append(size)
    lengths.sort()
    assert lengths[len(lengths) // 2] <= 12, f"median function length {lengths[len(lengths) // 2]}"
