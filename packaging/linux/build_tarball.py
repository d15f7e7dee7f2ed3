"""Linux packaging from the one source of truth (packaging/bundle.py).

``python packaging/linux/build_tarball.py`` writes build/linux/<app id>.desktop (menu entry,
"Open With" MIME types from the app's own format list). ``--tarball`` also packs
dist/NemoDesk/, that entry, the hicolor icons (scripts/make_icons.py) and install.sh into
dist/NemoDesk-<version>-Linux-x86_64.tar.xz, which users unpack (``tar xf``, stock GNU tar and
xz-utils) and run ``./install.sh``. xz -9 (LZMA2, 64 MiB dictionary) is the best ratio stock
tools unpack everywhere: about 40% smaller than gzip -6 on the bundle (issue 18).
"""

from __future__ import annotations

import argparse
import io
import lzma
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "packaging")]  # recipes folder, not a package
import bundle  # noqa: E402 - packaging/bundle.py, the single source of truth

HERE = Path(__file__).resolve().parent
DESKTOP_TEMPLATE = HERE / "nemodesk.desktop.in"
INSTALL_SCRIPT = HERE / "install.sh"
BUILD_DIR = ROOT / "build" / "linux"
DIST = ROOT / "dist"
EXEC_MODE = 0o755
FILE_MODE = 0o644


def mime_types() -> list[str]:
    """The MIME types of every accepted extension, once each, in the app's order."""
    exts = [ext for group in bundle.document_types().values() for ext in group]
    return list(dict.fromkeys(bundle.MIME_TYPES[ext] for ext in exts))


def desktop_entry(exec_path: str | None = None) -> str:
    """The .desktop text; Exec is the bare binary name unless ``exec_path`` is given
    (install.sh rewrites it to the installed binary)."""
    meta = bundle.METADATA
    return Template(DESKTOP_TEMPLATE.read_text(encoding="utf-8")).substitute(
        name=meta["name"],
        description=meta["description"],
        exec=exec_path or meta["name"],
        icon=meta["id"],
        mime_types="".join(f"{m};" for m in mime_types()),
        wm_class=meta["name"],  # Qt's X11 WM_CLASS class is the application name
    )


def write_desktop_file(out_dir: Path = BUILD_DIR) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{bundle.METADATA['id']}.desktop"
    path.write_text(desktop_entry(), encoding="utf-8")
    return path


def install_script() -> str:
    meta = bundle.METADATA
    text = INSTALL_SCRIPT.read_text(encoding="utf-8")
    return text.replace("@DESKTOP_ID@", meta["id"]).replace("@APP_NAME@", meta["name"])


def tarball_name() -> str:
    meta = bundle.METADATA
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower())
    return f"{meta['name']}-{meta['version']}-Linux-{arch or platform.machine()}.tar.xz"


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owned by root, readable by all; executables (and folders) keep their exec bits."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if info.isdir() or (info.isfile() and info.mode & 0o111):
        info.mode = EXEC_MODE
    elif info.isfile():
        info.mode = FILE_MODE
    return info


def _add_text(tar: tarfile.TarFile, name: str, text: str, mode: int) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(INSTALL_SCRIPT.stat().st_mtime)
    tar.addfile(info, io.BytesIO(data))


def make_tarball(app_dir: Path, icons_dir: Path, out_dir: Path = DIST) -> Path:
    """Pack ``app_dir`` (PyInstaller's dist/NemoDesk) and ``icons_dir``/hicolor."""
    meta = bundle.METADATA
    binary = app_dir / meta["name"]
    if not binary.is_file():
        raise SystemExit(f"build_tarball: {binary} is missing; run PyInstaller first")
    hicolor = icons_dir / "hicolor"
    if not hicolor.is_dir():
        raise SystemExit(f"build_tarball: {hicolor} is missing; run scripts/make_icons.py first")
    top = f"{meta['name']}-{meta['version']}"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / tarball_name()
    partial = out.with_name(out.name + ".partial")
    tar_file = out.with_name(out.name + ".tar.partial")
    try:
        with tarfile.open(tar_file, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(app_dir, arcname=f"{top}/{meta['name']}", filter=_normalise)
            tar.add(hicolor, arcname=f"{top}/icons/hicolor", filter=_normalise)
            _add_text(tar, f"{top}/{meta['id']}.desktop", desktop_entry(), FILE_MODE)
            _add_text(tar, f"{top}/install.sh", install_script(), EXEC_MODE)
        _xz(tar_file, partial)
    finally:
        tar_file.unlink(missing_ok=True)
    partial.replace(out)
    return out


def _xz(source: Path, dest: Path) -> None:
    """xz -9 of ``source``: the xz tool on both cores when it is there (same format), else
    Python's lzma."""
    if shutil.which("xz"):
        with open(dest, "wb") as f:
            subprocess.run(["xz", "-9", "-T2", "-c", str(source)], stdout=f, check=True)
        return
    with open(source, "rb") as f, lzma.open(dest, "wb", preset=9) as out:
        shutil.copyfileobj(f, out, 1 << 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", action="store_true", help="also pack the tarball")
    parser.add_argument("--out", type=Path, default=None, help="default: build/linux, dist")
    args = parser.parse_args(argv)
    print(f"build_tarball: wrote {write_desktop_file(args.out or BUILD_DIR)}")
    if args.tarball:
        app_dir = DIST / bundle.METADATA["name"]
        tarball = make_tarball(app_dir, bundle.BUILD_ICONS, args.out or DIST)
        print(f"build_tarball: wrote {tarball}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
