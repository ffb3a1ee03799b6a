"""The folders are the layers: no module imports a higher layer (not even inside a function) and nothing imports in a circle.

Every ``import`` in the package is read from its source (module level, inside
functions, under ``if``), so a lazy upward import is caught as well as a
top-level one. ``torch`` counts as part of the ``nn`` layer: the NumPy layers
below it may not import it at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import hwprune_edu

PACKAGE_DIR = Path(hwprune_edu.__file__).parent

#: Layer of each top-level part of the package, bottom (0) to top.
LAYERS = {
    "hwprune_edu": 0,  # the package itself: only __version__
    "util": 0,
    "pruning": 1,
    "hardware": 1,
    "interview": 1,
    "nn": 2,
    "studies": 3,
    "viz": 4,
    "grading": 5,
    "quiz": 5,
    "course": 6,
    "__main__": 6,
}
#: Third-party packages that belong to one of our layers.
EXTERNAL_LAYERS = {"torch": 2}
#: Within the NumPy layer, pruning sits below hardware and interview (they read masks; it never needs them).
SAME_LAYER_ORDER = {"pruning": 0, "hardware": 1, "interview": 1}
#: The NumPy layers, which must import without importing torch (checked by importing them for real).
NUMPY_LAYERS = ("util", "pruning", "hardware", "interview")
#: Above nn, results and pictures stay torch-free too, so a chart or a quiz starts fast; only the runners need torch.
TORCH_FREE = ("hwprune_edu.studies.results", "hwprune_edu.studies.targets", "hwprune_edu.viz", "hwprune_edu.quiz",
              "hwprune_edu.course.cli")


def _module_names() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = ("hwprune_edu",) + path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _module_names()


def _part(module: str) -> str:
    """The top-level part of the package a module belongs to (``hwprune_edu.nn.data`` -> ``nn``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "hwprune_edu"


def _rank(module: str) -> tuple[int, int]:
    if module.split(".")[0] in EXTERNAL_LAYERS:
        return EXTERNAL_LAYERS[module.split(".")[0]], 0
    part = _part(module)
    return LAYERS[part], SAME_LAYER_ORDER.get(part, 0)


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in ``module``: ours resolved to the deepest module, plus torch."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from a import b` imports the module a.b when there is one, else the name b from a.
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES or target.split(".")[0] in EXTERNAL_LAYERS:
                found.append((target if target in MODULES else target.split(".")[0], node.lineno))
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_part_of_the_package_has_a_layer():
    assert {_part(module) for module in MODULES} <= set(LAYERS), "a new top-level folder needs a layer in LAYERS"


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{MODULES[module].relative_to(PACKAGE_DIR.parent)}:{line} imports {target}"
        for module, targets in GRAPH.items()
        for target, line in targets
        if _rank(target) > _rank(module)
    ]
    assert not upward, "imports reaching up a layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    internal = {module: sorted({t for t, _ in targets if t in MODULES} - {module}) for module, targets in GRAPH.items()}
    # Tarjan's strongly connected components: any component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in internal[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in internal:
        if module not in index:
            visit(module)
    assert not cycles, f"modules importing each other: {cycles}"


def test_the_graph_sees_local_imports():
    # The test would prove nothing if it read only module-level imports: a function-local import must show up.
    tree = ast.parse("def f():\n    from hwprune_edu.nn import data\n")
    assert any(isinstance(node, ast.ImportFrom) for node in ast.walk(tree))
    assert any(target == "hwprune_edu.course.cli" for target, _ in GRAPH["hwprune_edu.__main__"])


def test_numpy_layers_results_and_pictures_import_without_torch():
    modules = [m for m in MODULES if (_part(m) in NUMPY_LAYERS + ("hwprune_edu",) and not m.endswith("__main__"))
               or m.startswith(TORCH_FREE)]
    assert "hwprune_edu.viz.masks" in modules and "hwprune_edu.hardware.cost" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"importing {modules} imported torch: {result.stdout[:200]}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    # One idea per module: a module past ~600 lines usually holds several.
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 650, f"{module} has {lines} lines: split it by idea"
