"""Render the app icon for every platform from its one source, resources/icons/app.svg.

Writes into build/icons/ (or ``--out DIR``):

- ``png/NemoDesk-<size>.png`` for every size in SIZES_PX,
- ``NemoDesk.ico`` (Windows, 16–256 px) and ``NemoDesk.icns`` (macOS, 32–1024 px),
- ``nemodesk.png`` (256 px, Linux window/tarball icon),
- ``hicolor/<size>x<size>/apps/<app id>.png`` and ``hicolor/scalable/apps/<app id>.svg``
  for the freedesktop icon theme (the .desktop file's ``Icon=`` is the app id).

Every size is rendered from the SVG (not scaled down from a big bitmap), so the small
icons stay sharp. Quick when nothing changed: outputs newer than the SVG (and this script)
are left alone; ``--force`` renders anyway. Run with the project's venv:
``.venv/bin/python scripts/make_icons.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "packaging")]  # recipes folder, not a package
import bundle  # noqa: E402 - packaging/bundle.py, the single source of truth

SIZES_PX = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES_PX = (16, 24, 32, 48, 64, 128, 256)  # Windows caps .ico entries at 256
ICNS_SIZES_PX = (32, 64, 128, 256, 512, 1024)  # what Pillow's ICNS writer stores
HICOLOR_SIZES_PX = (16, 24, 32, 48, 64, 128, 256, 512)  # hicolor's index.theme stops at 512
LINUX_ICON_PX = 256


def outputs(out: Path, app_id: str) -> list[Path]:
    """Every file this script writes into ``out``."""
    files = [out / "png" / f"NemoDesk-{size}.png" for size in SIZES_PX]
    files += [out / "NemoDesk.ico", out / "NemoDesk.icns", out / "nemodesk.png"]
    files += [out / "hicolor" / f"{s}x{s}" / "apps" / f"{app_id}.png" for s in HICOLOR_SIZES_PX]
    files.append(out / "hicolor" / "scalable" / "apps" / f"{app_id}.svg")
    return files


def up_to_date(svg: Path, files: list[Path]) -> bool:
    sources = max(svg.stat().st_mtime, Path(__file__).stat().st_mtime)
    return all(f.is_file() and f.stat().st_mtime >= sources for f in files)


def render_pngs(svg: Path, folder: Path) -> dict[int, Path]:
    """One transparent PNG per size, drawn by Qt's SVG renderer without a display."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[int, Path] = {}
    for size in SIZES_PX:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = folder / f"NemoDesk-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"make_icons: could not write {path}")
        written[size] = path
    return written


def write_platform_icons(pngs: dict[int, Path], svg: Path, out: Path, app_id: str) -> None:
    from PIL import Image

    images = {size: Image.open(path).convert("RGBA") for size, path in pngs.items()}
    ico = [images[s] for s in ICO_SIZES_PX]
    ico[-1].save(
        out / "NemoDesk.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES_PX], append_images=ico
    )
    icns = [images[s] for s in ICNS_SIZES_PX]
    icns[-1].save(out / "NemoDesk.icns", format="ICNS", append_images=icns)
    shutil.copyfile(pngs[LINUX_ICON_PX], out / "nemodesk.png")
    for size in HICOLOR_SIZES_PX:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pngs[size], folder / f"{app_id}.png")
    scalable = out / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable / f"{app_id}.svg")


def make_icons(out: Path | None = None, force: bool = False) -> bool:
    """Write every icon into ``out`` (default: build/icons); False when already up to date."""
    out = (out or bundle.BUILD_ICONS).resolve()
    svg: Path = bundle.ICON_SVG
    app_id: str = bundle.METADATA["id"]
    if not force and up_to_date(svg, outputs(out, app_id)):
        return False
    out.mkdir(parents=True, exist_ok=True)
    # Render into a scratch folder first, so an interrupted run never leaves a half set.
    with tempfile.TemporaryDirectory(dir=out, prefix=".render-") as scratch:
        pngs = render_pngs(svg, Path(scratch))
        png_dir = out / "png"
        png_dir.mkdir(exist_ok=True)
        final = {size: png_dir / path.name for size, path in pngs.items()}
        for size, path in pngs.items():
            shutil.copyfile(path, final[size])
    write_platform_icons(final, svg, out, app_id)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="default: build/icons")
    parser.add_argument("--force", action="store_true", help="render even when up to date")
    args = parser.parse_args(argv)
    made = make_icons(args.out, force=args.force)
    print(f"make_icons: {'wrote' if made else 'already up to date:'} {args.out or 'build/icons'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
