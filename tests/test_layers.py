"""The layers hold and no module imports itself round a loop.

Each import-linter contract in pyproject.toml ([tool.importlinter]) is run on its own with
``lint-imports --contract ID`` (``make lint`` runs them all at once), so one that is broken
names itself. The cycle test walks nemodesk/'s import graph (grimp, the graph import-linter
builds) — imports inside functions and under ``if TYPE_CHECKING:`` count — and lists every
loop it finds, one area of the package per test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections import deque
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"][
    "contracts"
]

# Contracts and areas that may fail while a restructuring step is under way, each with the
# step as its reason (marked xfail, not strict); empty when every step has landed.
PENDING_CONTRACTS: dict[str, str] = {}
PENDING_CYCLES: dict[str, str] = {}


def lint_imports() -> str:
    """The ``lint-imports`` beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: `make setup` installs it (import-linter)"
    return found


@pytest.mark.parametrize(
    "contract_id",
    [
        pytest.param(
            c["id"],
            marks=[pytest.mark.xfail(strict=False, reason=PENDING_CONTRACTS[c["id"]])]
            if c["id"] in PENDING_CONTRACTS
            else [],
        )
        for c in CONTRACTS
    ],
)
def test_import_contract_is_kept(contract_id: str) -> None:
    run = subprocess.run(
        [lint_imports(), "--no-cache", "--no-logo", "--contract", contract_id, str(PYPROJECT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, f"lint-imports --contract {contract_id}:\n{run.stdout}{run.stderr}"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each group of modules that import one another round a loop (strongly connected
    components of more than one module, or a module importing itself), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        # iterative Tarjan: (module, the modules it imports still to visit)
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        while work:
            module, todo = work[-1]
            for imported in todo:
                if imported not in index:
                    index[imported] = low[imported] = counter
                    counter += 1
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append(
                        (imported, iter(sorted(graph.find_modules_directly_imported_by(imported))))
                    )
                    break
                if imported in on_stack:
                    low[module] = min(low[module], index[imported])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1 or module in graph.find_modules_directly_imported_by(module):
                        groups.append(sorted(group))
    return sorted(groups)


def one_loop(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """A shortest loop through the group's first module, as a → b → … → a."""
    members = set(group)
    first = group[0]
    came_from: dict[str, str] = {}
    queue = deque([first])
    while queue:
        module = queue.popleft()
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported == first:
                path = [module]
                while path[-1] != first:
                    path.append(came_from[path[-1]])
                return [first, *reversed(path[:-1]), first]
            if imported in members and imported not in came_from:
                came_from[imported] = module
                queue.append(imported)
    return [*group, first]


AREAS = ["nemodesk.client", "nemodesk.ui", "nemodesk.engine", "nemodesk.core"]


def area_of(group: list[str]) -> str:
    for area in AREAS:
        if all(m == area or m.startswith(area + ".") for m in group):
            return area
    return "across packages"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("nemodesk", cache_dir=None)


@pytest.mark.parametrize(
    "area",
    [
        pytest.param(
            a,
            marks=[pytest.mark.xfail(strict=False, reason=PENDING_CYCLES[a])]
            if a in PENDING_CYCLES
            else [],
        )
        for a in [*AREAS, "across packages"]
    ],
)
def test_no_import_cycles(graph: grimp.ImportGraph, area: str) -> None:
    found = [g for g in import_cycles(graph) if area_of(g) == area]
    loops = "\n".join(
        f"  {' → '.join(one_loop(graph, g))}" + (f"  (all of {', '.join(g)})" if len(g) > 2 else "")
        for g in found
    )
    assert not found, f"{len(found)} import cycle(s) in {area}:\n{loops}"


def test_cycle_finder_finds_a_loop() -> None:
    graph = grimp.ImportGraph()
    for name in ["p", "p.a", "p.b", "p.c", "p.d"]:
        graph.add_module(name)
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]
    assert one_loop(graph, ["p.a", "p.b", "p.c"]) == ["p.a", "p.b", "p.c", "p.a"]


def test_the_ui_uses_only_the_clients_public_surface(graph: grimp.ImportGraph) -> None:
    """The UI imports ``nemodesk.client`` itself (its ``__all__``), never a module inside it,
    so the client's surface stays the one the package curates."""
    inside = [
        (ui, imported)
        for ui in sorted(graph.find_descendants("nemodesk.ui") | {"nemodesk.ui"})
        for imported in sorted(graph.find_modules_directly_imported_by(ui))
        if imported.startswith("nemodesk.client.")
    ]
    assert not inside, "\n".join(f"{a} imports {b}" for a, b in inside)
