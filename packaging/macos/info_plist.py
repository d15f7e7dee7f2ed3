"""The Info.plist entries of NemoDesk.app, merged by PyInstaller's BUNDLE into its defaults.

Name, id and version come from the package and the document types from the same format list
the drop area accepts (packaging/bundle.py), so the Dock icon and "Open With" take exactly
the files the app itself takes. Loaded by path from build.spec (packaging/ is no package).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "packaging")]  # recipes folder, not a package
import bundle  # noqa: E402 - packaging/bundle.py, the single source of truth

MIN_MACOS = "11.0"  # PySide6 6.8+ wheels need Big Sur
KIND_NAMES = {"video": "Video", "image": "Image", "audio": "Audio"}
KIND_UTIS = {"video": "public.movie", "image": "public.image", "audio": "public.audio"}
# UTIs macOS may not declare itself: without a declaration a .mkv gets a dynamic type that
# matches no LSItemContentTypes, so the app would be missing from its "Open With" menu.
IMPORTED_UTIS = ("org.webmproject.webm", "org.matroska.mkv", "org.webmproject.webp")


def document_types() -> list[dict[str, Any]]:
    """One CFBundleDocumentTypes entry per kind of file the app accepts (video/image/audio).

    The app opens clips to score them and never saves them back, hence role Viewer and rank
    Alternate: NemoDesk shows up under "Open With" without claiming to be the default app.
    """
    entries = []
    for kind, extensions in bundle.document_types().items():
        utis = list(dict.fromkeys(bundle.UTIS[ext] for ext in extensions))  # jpg/jpeg share one
        entries.append(
            {
                "CFBundleTypeName": KIND_NAMES[kind],
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Alternate",
                "LSItemContentTypes": utis,
                "CFBundleTypeExtensions": list(extensions),
            }
        )
    return entries


def imported_types() -> list[dict[str, Any]]:
    """UTImportedTypeDeclarations for IMPORTED_UTIS (ignored where macOS knows the type)."""
    declarations = []
    for kind, extensions in bundle.document_types().items():
        for uti in IMPORTED_UTIS:
            exts = [ext for ext in extensions if bundle.UTIS[ext] == uti]
            if not exts:
                continue
            declarations.append(
                {
                    "UTTypeIdentifier": uti,
                    "UTTypeConformsTo": [KIND_UTIS[kind], "public.data"],
                    "UTTypeDescription": f"{exts[0].upper()} {KIND_NAMES[kind].lower()}",
                    "UTTypeTagSpecification": {
                        "public.filename-extension": exts,
                        "public.mime-type": sorted({bundle.MIME_TYPES[ext] for ext in exts}),
                    },
                }
            )
    return declarations


def info_plist() -> dict[str, Any]:
    meta = bundle.METADATA
    return {
        "CFBundleName": meta["name"],
        "CFBundleDisplayName": meta["name"],
        "CFBundleIdentifier": meta["id"],
        "CFBundleVersion": meta["version"],
        "CFBundleShortVersionString": meta["version"],
        "CFBundleDocumentTypes": document_types(),
        "UTImportedTypeDeclarations": imported_types(),
        "LSApplicationCategoryType": "public.app-category.music",
        "LSMinimumSystemVersion": MIN_MACOS,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "NSHumanReadableCopyright": f"© {meta['publisher']}",
    }


if __name__ == "__main__":  # print the plist, to read what BUNDLE will merge
    import plistlib

    sys.stdout.write(plistlib.dumps(info_plist()).decode("utf-8"))
