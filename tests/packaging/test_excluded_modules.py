"""What the bundle leaves out (packaging/bundle.py's EXCLUDES) is not needed by the app:
every nemodesk module imports in a fresh interpreter where every excluded module is made
unimportable, and the only attempts at one are the optional imports bundle.py lists
(try/except ImportError in a library). The frozen counterpart — a real session inside the
built bundle — is test_frozen_session.py."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL = r"""
import importlib, importlib.abc, json, pkgutil, sys
EXCLUDES = json.loads(sys.argv[1])
attempts = []

class Excluded(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == x or name.startswith(x + ".") for x in EXCLUDES):
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (excluded)", name=name)
        return None

sys.meta_path.insert(0, Excluded())
import nemodesk
failed = {}
for info in pkgutil.walk_packages(nemodesk.__path__, "nemodesk."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except Exception as e:  # noqa: BLE001
        failed[info.name] = repr(e)
print(json.dumps({"modules": sorted(sys.modules), "failed": failed, "attempts": attempts}))
"""


def load_bundle() -> ModuleType:
    path = ROOT / "packaging" / "bundle.py"
    spec = importlib.util.spec_from_file_location("nemodesk_bundle_excl", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def excluded_in(modules: list[str], excludes: list[str]) -> list[str]:
    """The modules that are, or live inside, an excluded module."""
    return sorted(m for m in modules for x in excludes if m == x or m.startswith(x + "."))


def test_excluded_matcher() -> None:
    found = excluded_in(["yaml", "yaml.loader", "yamlish", "PIL.Image"], ["yaml"])
    assert found == ["yaml", "yaml.loader"]


def test_the_app_imports_without_any_excluded_module() -> None:
    bundle = load_bundle()
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, json.dumps(bundle.EXCLUDES)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert not report["failed"], f"need an excluded module: {report['failed']}"
    assert len(report["modules"]) > 300  # the walk really imported the app
    assert not excluded_in(report["modules"], bundle.EXCLUDES)
    unexpected = sorted(set(report["attempts"]) - set(bundle.OPTIONAL_IMPORTS))
    assert not unexpected, f"tried to import excluded modules: {unexpected}"
