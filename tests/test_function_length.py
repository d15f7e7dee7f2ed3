"""No long function without a reason (issue 16).

The project rule: a function over ~60 lines says in its docstring why it is that long (what
it does and why it stays one piece), or it is split into named steps. This test walks every
module under nemodesk/ with ``ast`` and fails naming each function — methods and nested
functions included — longer than ``MAX_LINES`` whose docstring is missing or shorter than
``MIN_REASON_CHARS`` (a one-liner like "Run it." explains nothing).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nemodesk"

MAX_LINES = 60  # from the ``def`` line to the last line of the body
MIN_REASON_CHARS = 60  # a docstring shorter than this does not explain a long function


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the ``def`` to the end of the body (decorators not counted)."""
    return (node.end_lineno or node.lineno) - node.lineno + 1


def _qualified_functions(
    tree: ast.Module,
) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function in a module with its dotted name (Class.method, outer.inner)."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                found.append((name, child))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def long_functions_without_reason(package: Path = PACKAGE) -> list[str]:
    """``path:line name (N lines, docstring M chars)`` for each offending function."""
    offenders: list[str] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node in _qualified_functions(tree):
            lines = _length(node)
            if lines <= MAX_LINES:
                continue
            doc = " ".join((ast.get_docstring(node) or "").split())
            if len(doc) < MIN_REASON_CHARS:
                where = path.relative_to(package.parent).as_posix()
                offenders.append(
                    f"{where}:{node.lineno} {name} ({lines} lines, docstring {len(doc)} chars)"
                )
    return offenders


def test_long_functions_say_why() -> None:
    offenders = long_functions_without_reason()
    assert not offenders, (
        f"functions over {MAX_LINES} lines need a docstring of at least {MIN_REASON_CHARS} "
        "characters saying why they stay whole (or split them into named steps):\n  "
        + "\n  ".join(offenders)
    )


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    """The walker itself works: a long bare function is named, a long explained one is not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    reason = "Stays whole: a single sequential pipeline whose steps share every local."
    (tmp_path / "mod.py").write_text(
        f"class C:\n  def bare(self):\n{body}\n\n"
        f'def explained():\n    """{reason}"""\n{body}\n\n'
        f"def short():\n    return 1\n",
        encoding="utf-8",
    )
    found = long_functions_without_reason(tmp_path)
    assert len(found) == 1 and " C.bare " in found[0], found
