"""The package's import graph reads as the flow: the engine never reaches up to what draws
or to the fronts, and no module imports itself back through another.

Imports are read from the source (every `import` and `from ... import`, inside functions
too, as the package imports heavy modules where they are used), leaving out the ones under
`if TYPE_CHECKING:`, which exist for type hints only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rangemap"
#: The thin fronts: the command line (its commands and its parameters), the Python API and
#: the package's lazy exports.
FRONTS = {"rangemap", "rangemap.__main__", "rangemap.api", "rangemap.cli", "rangemap.cli_params"}
#: Drawing libraries: only rangemap.render may import them.
DRAWING = ("folium", "branca", "matplotlib")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(path: Path) -> set[str]:
    """Every name a module imports: modules, and module.name for `from module import name`
    (which is a submodule when the module is a package)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                assert child.level == 0, f"{path}: relative import"
                found.add(str(child.module))
                found.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


GRAPH = {
    name: {target for target in _imports(path) if target in MODULES and target != name}
    for name, path in MODULES.items()
}


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_scan_sees_the_package():
    assert {"rangemap.scene", "rangemap.scene_build", "rangemap.render.html_map"} <= set(GRAPH)
    assert "rangemap.scene" in GRAPH["rangemap.scene_build"]
    assert "rangemap.coverage" in GRAPH["rangemap.render.html_parts"]


@pytest.mark.parametrize("name", sorted(set(MODULES) - FRONTS))
def test_only_render_and_the_fronts_import_drawing(name):
    if _in(name, "rangemap.render"):
        return
    imported = _imports(MODULES[name])
    drawing = sorted(
        target
        for target in imported
        if _in(target, "rangemap.render") or any(_in(target, lib) for lib in DRAWING)
    )
    assert not drawing, f"{name} imports {drawing}: drawing belongs in rangemap.render"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _in(n, "rangemap.render")))
def test_render_solves_no_geodesic_itself(name):
    """What render draws on a range comes from the engine: its outline (Ring.boundaries, and
    points of it through Ring.outline_toward and outline_between) and rangemap.geodesic's
    functions; no render module holds a geodesic solver of its own."""
    solvers = sorted(
        target
        for target in _imports(MODULES[name])
        if target in ("pyproj.Geod", "geographiclib", "rangemap.geodesic.GEOD")
        or _in(target, "geographiclib")
    )
    assert not solvers, f"{name} imports {solvers}: geodesics come from the engine"


@pytest.mark.parametrize("name", sorted(set(MODULES) - FRONTS))
def test_nothing_below_the_fronts_imports_them(name):
    # `from rangemap import __version__` reads the package, whose exports load lazily.
    fronts = GRAPH[name] & (FRONTS - {"rangemap"})
    assert not fronts, f"{name} imports {sorted(fronts)}"


def test_no_import_cycles():
    """Tarjan's strongly connected components: a cycle is a component of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            connect(node)
    assert cycles == []
