"""Keep the UI translations in step with the code.

Run with the project's venv python (the Qt tools are taken from the venv's bin)::

    .venv/bin/python scripts/translations.py update          # code -> .ts (keeps translations)
    .venv/bin/python scripts/translations.py fill zh.json    # {"source": "译文"} -> .ts
    .venv/bin/python scripts/translations.py release         # .ts -> .qm the app loads
    .venv/bin/python scripts/translations.py check           # exit 1 if anything untranslated
    .venv/bin/python scripts/translations.py check --fresh   # ... including strings not yet
                                                              # extracted from the code

``--ts`` and ``--sources`` point the commands elsewhere (the tests use temp copies).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_DIR = ROOT / "nemodesk" / "ui"
TRANSLATIONS_DIR = ROOT / "resources" / "translations"
DEFAULT_TS = TRANSLATIONS_DIR / "nemodesk_zh_CN.ts"
TS_LANGUAGE = "zh_CN"


def qt_tool(name: str) -> str:
    """A PySide6 tool next to the running python (the venv), else from PATH."""
    bindir = Path(sys.executable).parent
    found = shutil.which(name, path=str(bindir)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found next to {sys.executable} or on PATH")
    return found


def ui_sources(root: Path = UI_DIR) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def update(ts: Path = DEFAULT_TS, sources: Iterable[Path] | None = None) -> None:
    """Extract tr()/translate() strings into ``ts``; existing translations are kept."""
    files = [str(p) for p in (sources if sources is not None else ui_sources())]
    if not files:
        raise SystemExit("no source files to scan")
    ts.parent.mkdir(parents=True, exist_ok=True)
    if not ts.exists():
        ts.write_text(
            f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
            f'<TS version="2.1" language="{TS_LANGUAGE}"></TS>\n',
            encoding="utf-8",
        )
    cmd = [qt_tool("pyside6-lupdate"), *files, "-no-obsolete", "-locations", "relative"]
    subprocess.run([*cmd, "-ts", str(ts)], check=True, capture_output=True, text=True)


def release(ts_files: Iterable[Path] | None = None) -> list[Path]:
    """Compile each .ts to the .qm beside it; returns the .qm paths."""
    outputs = []
    for ts in ts_files if ts_files is not None else sorted(TRANSLATIONS_DIR.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        cmd = [qt_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        outputs.append(qm)
    return outputs


def _live_messages(root: ET.Element) -> Iterable[tuple[str, ET.Element]]:
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") in ("vanished", "obsolete"):
                continue
            yield name, message


def _translated(translation: ET.Element | None) -> bool:
    if translation is None or translation.get("type") == "unfinished":
        return False
    forms = translation.findall("numerusform")
    texts = [f.text for f in forms] if forms else [translation.text]
    return all(t and t.strip() for t in texts)


def check(ts: Path = DEFAULT_TS) -> list[str]:
    """'context: source' for every message still untranslated (empty or unfinished)."""
    root = ET.parse(ts).getroot()
    return [
        f"{ctx}: {msg.findtext('source', default='')}"
        for ctx, msg in _live_messages(root)
        if not _translated(msg.find("translation"))
    ]


def check_fresh(ts: Path = DEFAULT_TS, sources: Iterable[Path] | None = None) -> list[str]:
    """Like check, after extracting the current code's strings into a temp copy of ``ts``."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ts.name
        if ts.exists():
            shutil.copyfile(ts, copy)
        update(copy, sources)
        return check(copy)


def _write_ts(tree: ET.ElementTree, ts: Path) -> None:
    """Write in lupdate's own layout, so a fill shows up as a small diff."""
    root = tree.getroot()
    root.text = "\n"
    for context in root:
        ET.indent(context, space="    ")
        context.tail = "\n"
    body = ET.tostring(root, encoding="unicode").replace(" />", "/>")
    ts.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', encoding="utf-8"
    )


def fill(ts: Path, translations: Mapping[str, str]) -> tuple[int, list[str]]:
    """Set the translation of every message whose source is a key of ``translations``.

    Returns how many messages changed and the keys that matched no message (typos, or
    strings not extracted yet).
    """
    tree = ET.parse(ts)
    used: set[str] = set()
    changed = 0
    for _ctx, message in _live_messages(tree.getroot()):
        source = message.findtext("source", default="")
        if source not in translations or not translations[source]:
            continue
        used.add(source)
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        forms = translation.findall("numerusform")
        if message.get("numerus") == "yes":
            if not forms:
                forms = [ET.SubElement(translation, "numerusform")]
            for form in forms:
                form.text = translations[source]
        else:
            translation.text = translations[source]
        translation.attrib.pop("type", None)
        changed += 1
    _write_ts(tree, ts)
    return changed, sorted(set(translations) - used)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ts", type=Path, help=f"the .ts file (default {DEFAULT_TS.name})")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd_update = commands.add_parser("update", help="extract strings from the code")
    cmd_update.add_argument("--sources", type=Path, nargs="+", help="default: nemodesk/ui")
    commands.add_parser("release", help="compile the .ts to a .qm")
    cmd_check = commands.add_parser("check", help="fail on untranslated strings")
    cmd_check.add_argument("--fresh", action="store_true", help="extract from the code first")
    cmd_check.add_argument("--sources", type=Path, nargs="+", help="with --fresh")
    cmd_fill = commands.add_parser("fill", help="merge a JSON {source: translation}")
    cmd_fill.add_argument("json", type=Path)
    args = parser.parse_args(argv)
    ts: Path = args.ts or DEFAULT_TS

    if args.command == "update":
        update(ts, args.sources)
        print(f"updated {os.path.relpath(ts)}")
    elif args.command == "release":
        for qm in release([args.ts] if args.ts else None):
            print(f"wrote {os.path.relpath(qm)}")
    elif args.command == "check":
        missing = check_fresh(ts, args.sources) if args.fresh else check(ts)
        for line in missing:
            print(f"untranslated: {line}")
        if missing:
            print(f"{len(missing)} untranslated in {os.path.relpath(ts)}", file=sys.stderr)
            return 1
        print(f"{os.path.relpath(ts)}: complete")
    elif args.command == "fill":
        mapping = json.loads(args.json.read_text(encoding="utf-8"))
        if not isinstance(mapping, dict):
            raise SystemExit("the JSON must be an object {source: translation}")
        changed, unknown = fill(ts, mapping)
        for key in unknown:
            print(f"no message with source: {key}", file=sys.stderr)
        print(f"filled {changed} message(s) in {os.path.relpath(ts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
