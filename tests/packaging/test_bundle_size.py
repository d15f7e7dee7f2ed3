"""Issue 18's size goal, measured on a real build: the one-folder app (dist/NemoDesk) and the
Linux installer made from it (the .tar.xz users download)."""

from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

import nemodesk
from tests.packaging.conftest import allow_seconds

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_GOAL_MB = 250
BUNDLE_NOW_MB = 245  # reached in issue 18 (239 MB): no change may grow the app past it
INSTALLER_GOAL_MB = 120


def folder_mb(path: Path) -> float:
    """Bytes of the regular files under ``path`` (symlinks not counted), in MB."""
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1e6


def _tarball_module() -> ModuleType:
    path = ROOT / "packaging" / "linux" / "build_tarball.py"
    spec = importlib.util.spec_from_file_location("nemodesk_build_tarball_size", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _largest(folder: Path, n: int = 12) -> str:
    sizes: dict[str, int] = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            top = p.relative_to(folder).parts[:2]
            sizes["/".join(top)] = sizes.get("/".join(top), 0) + p.stat().st_size
    biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{k} {v / 1e6:.0f}" for k, v in biggest)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_bundle_does_not_grow(frozen_app: Path) -> None:
    folder = frozen_app.parent
    size = folder_mb(folder)
    assert size <= BUNDLE_NOW_MB, (
        f"dist/NemoDesk is {size:.0f} MB, more than the {BUNDLE_NOW_MB} MB it was; largest (MB): "
        + _largest(folder)
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_bundle_is_within_the_goal(frozen_app: Path) -> None:
    folder = frozen_app.parent
    size = folder_mb(folder)
    assert size <= BUNDLE_GOAL_MB, (
        f"dist/NemoDesk is {size:.0f} MB, goal ≤ {BUNDLE_GOAL_MB} MB; largest (MB): "
        + _largest(folder)
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_installer_is_within_the_goal(frozen_app: Path, app_icons: Path, tmp_path: Path) -> None:
    allow_seconds(1700)
    out = _tarball_module().make_tarball(frozen_app.parent, app_icons, tmp_path)
    assert out.name.endswith(".tar.xz")
    size = out.stat().st_size / 1e6
    with tarfile.open(out) as tar:  # stock tools read it: Python's tarfile as a stand-in
        names = tar.getnames()
    top = f"{nemodesk.APP_NAME}-{nemodesk.__version__}"
    assert f"{top}/install.sh" in names
    assert f"{top}/{nemodesk.APP_NAME}/{nemodesk.APP_NAME}" in names
    assert size <= INSTALLER_GOAL_MB, f"{out.name} is {size:.0f} MB, goal ≤ {INSTALLER_GOAL_MB} MB"
