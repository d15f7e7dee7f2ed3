"""Windows packaging from the one source of truth (packaging/bundle.py).

``python packaging/windows/build_installer.py`` writes build/windows-version.txt, the version
resource build.spec embeds in NemoDesk.exe (run it before PyInstaller; works on any OS).
``--installer`` then compiles packaging/windows/nemodesk.iss with Inno Setup 6's ``iscc``,
passing name, version, publisher and the accepted extensions as /D defines, into
dist/NemoDesk-<version>-Windows-setup.exe.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "packaging")]  # recipes folder, not a package
import bundle  # noqa: E402 - packaging/bundle.py, the single source of truth

ISS = ROOT / "packaging" / "windows" / "nemodesk.iss"
VERSION_FILE = ROOT / "build" / "windows-version.txt"


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Windows wants four integers: '0.1.0' -> (0, 1, 0, 0), '1.2rc1' -> (1, 2, 0, 0)."""
    parts = [int(m.group()) for m in (re.match(r"\d+", p) for p in version.split(".")) if m]
    return tuple([*parts, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def version_file_text(meta: dict[str, str]) -> str:
    """A PyInstaller version file (VSVersionInfo): the Details tab of NemoDesk.exe."""
    numbers = numeric_version(meta["version"])
    strings = {
        "CompanyName": meta["publisher"],
        "FileDescription": meta["name"],
        "FileVersion": meta["version"],
        "InternalName": meta["name"],
        "LegalCopyright": f"© {meta['publisher']}",
        "OriginalFilename": f"{meta['name']}.exe",
        "ProductName": meta["name"],
        "ProductVersion": meta["version"],
        "Comments": meta["description"],
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""# UTF-8
# Written by packaging/windows/build_installer.py from nemodesk/__init__.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo(
      [
        StringTable(
          '040904B0',
          [
{table},
          ],
        )
      ]
    ),
    VarFileInfo([VarStruct('Translation', [1033, 1200])]),
  ],
)
"""


def write_version_file(path: Path = VERSION_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_file_text(bundle.METADATA), encoding="utf-8")
    return path


def extensions() -> list[str]:
    """Every accepted extension, in the order of the app's own format list."""
    return [ext for exts in bundle.document_types().values() for ext in exts]


def iscc_defines() -> list[str]:
    meta = bundle.METADATA
    numbers = ".".join(str(n) for n in numeric_version(meta["version"]))
    return [
        f"/DAppName={meta['name']}",
        f"/DAppVersion={meta['version']}",
        f"/DAppVersionNumeric={numbers}",
        f"/DAppPublisher={meta['publisher']}",
        f"/DAppDescription={meta['description']}",
        f"/DAppExtensions={';'.join(extensions())}",
    ]


def find_iscc() -> str:
    """``$ISCC``, ``iscc`` on PATH, or Inno Setup 6's usual install folders."""
    candidates = [os.environ.get("ISCC", ""), shutil.which("iscc") or ""]
    for base in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA"):
        folder = os.environ.get(base)
        if folder:
            prefix = Path(folder) / ("Programs" if base == "LOCALAPPDATA" else "")
            candidates.append(str(prefix / "Inno Setup 6" / "ISCC.exe"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit(
        "build_installer: Inno Setup 6 not found (install it: `choco install innosetup`, "
        "or set ISCC to the path of ISCC.exe)"
    )


def installer_path() -> Path:
    meta = bundle.METADATA
    return ROOT / "dist" / f"{meta['name']}-{meta['version']}-Windows-setup.exe"


def build_installer() -> Path:
    name = bundle.METADATA["name"]
    exe = ROOT / "dist" / name / f"{name}.exe"
    if not exe.is_file():
        raise SystemExit(f"build_installer: {exe} is missing; run PyInstaller first")
    subprocess.run([find_iscc(), *iscc_defines(), str(ISS)], check=True, cwd=ROOT)
    out = installer_path()
    if not out.is_file():
        raise SystemExit(f"build_installer: iscc finished but {out} is missing")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version-file", type=Path, default=VERSION_FILE)
    parser.add_argument("--installer", action="store_true", help="also compile the installer")
    args = parser.parse_args(argv)
    print(f"build_installer: wrote {write_version_file(args.version_file)}")
    if args.installer:
        print(f"build_installer: wrote {build_installer()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
