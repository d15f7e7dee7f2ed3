"""packaging/linux/slim.py on real libraries of the venv (no bundle build): a stub defines
every symbol, at every version, its users reference and loads; stripping keeps libraries
loadable; Qt's trimmed ICU data is smaller and still an ICU data library."""

from __future__ import annotations

import ctypes
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not all(
        shutil.which(t) for t in ("readelf", "nm", "strip", "gcc")
    ),
    reason="the slimming step runs on Linux with binutils and gcc",
)  # fmt: skip


@pytest.fixture(scope="module")
def slim() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "nemodesk_slim_under_test", ROOT / "packaging" / "linux" / "slim.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site_lib(folder: str, pattern: str) -> Path:
    import av

    site = Path(av.__file__).resolve().parents[1]
    found = sorted((site / folder).glob(pattern))
    if not found:
        pytest.skip(f"{folder}/{pattern} not in this venv")
    return found[0]


def test_stub_defines_what_users_reference_at_their_versions(
    slim: ModuleType, tmp_path: Path
) -> None:
    """libavdevice references ALSA symbols at non-default versions (@ALSA_0.9.0rc4): a stub
    missing one makes `import av` fail in the frozen app."""
    alsa = _site_lib("av.libs", "libasound-*.so*")
    user = _site_lib("av.libs", "libavdevice-*.so*")
    stub = slim.build_stub(str(alsa), [str(user)], tmp_path)
    assert stub.stat().st_size < 100_000 < alsa.stat().st_size
    assert slim.soname(stub) == slim.soname(alsa)
    made = {(n, v) for n, _k, v, _d, _s in slim._symbols(str(stub), "--defined-only")}
    refs = {
        (n, v)
        for n, _k, v, _d, _s in slim._symbols(str(user), "--undefined-only")
        if n.startswith("snd_")
    }
    assert refs and refs <= made, sorted(refs - made)[:5]
    assert any(v == "ALSA_0.9.0rc4" for _n, v in refs)
    lib = ctypes.CDLL(str(stub))
    assert lib.snd_pcm_open() == 0  # "never called", but harmless when it is


def test_stub_for_qt_quick_serves_the_media_plugin(slim: ModuleType, tmp_path: Path) -> None:
    quick = _site_lib("PySide6/Qt/lib", "libQt6Quick.so.6")
    plugin = _site_lib("PySide6/Qt/plugins/multimedia", "libffmpegmediaplugin.so")
    stub = slim.build_stub(str(quick), [str(plugin)], tmp_path)
    names = {n for n, *_ in slim._symbols(str(stub), "--defined-only")}
    assert "_ZN12QQuickWindow16staticMetaObjectE" in names
    assert stub.stat().st_size < 100_000


def test_reachable_follows_needed_and_drops_the_rest(slim: ModuleType) -> None:
    plugin = _site_lib("PySide6/Qt/plugins/multimedia", "libffmpegmediaplugin.so")
    lib = plugin.parents[2] / "lib"
    toc = [
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", str(plugin), "BINARY"),
        ("PySide6/Qt/lib/libavcodec.so.61", str(lib / "libavcodec.so.61"), "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", str(lib / "libQt6Quick.so.6"), "BINARY"),
        ("PySide6/Qt/lib/libQt6QmlModels.so.6", str(lib / "libQt6QmlModels.so.6"), "BINARY"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", str(lib / "libQt6Pdf.so.6"), "BINARY"),
    ]
    toc = [entry for entry in toc if Path(entry[1]).exists()]
    keep = slim.reachable(toc)
    assert "PySide6/Qt/lib/libavcodec.so.61" in keep  # NEEDED by the plugin
    assert "PySide6/Qt/lib/libQt6Quick.so.6" in keep  # NEEDED, stubbed later
    assert "PySide6/Qt/lib/libQt6QmlModels.so.6" not in keep  # only Quick's (a stub's) need
    assert "PySide6/Qt/lib/libQt6Pdf.so.6" not in keep


def test_strip_keeps_libraries_loadable(slim: ModuleType, tmp_path: Path) -> None:
    """Stripping a library patchelf rewrote (OpenBLAS in numpy.libs) breaks its segment
    alignment; stripped() must then keep the original."""
    blas = _site_lib("numpy.libs", "libscipy_openblas*.so")
    out = slim.stripped(str(blas), tmp_path)
    assert slim.loadable(out)
    python = Path(sys.executable).resolve()
    libpython = next(
        (p for p in python.parents[1].glob("lib/libpython3*.so*") if p.is_file()), None
    )
    if (
        libpython is not None
        and ".symtab"
        in subprocess.run(
            ["readelf", "-S", "-W", str(libpython)], capture_output=True, text=True
        ).stdout
    ):
        small = Path(slim.stripped(str(libpython), tmp_path))
        assert small.stat().st_size < libpython.stat().st_size and slim.loadable(small)


@pytest.mark.skipif(not shutil.which("icupkg"), reason="icu-devtools not installed")
def test_trimmed_icu_data_is_smaller_and_complete(slim: ModuleType, tmp_path: Path) -> None:
    icu = _site_lib("PySide6/Qt/lib", "libicudata.so.*")
    out = Path(slim.trimmed_icu_data(str(icu), tmp_path))
    assert out.stat().st_size < 0.4 * icu.stat().st_size
    assert slim.soname(out) == slim.soname(icu)
    symbols = [n for n, *_ in slim._symbols(str(out), "--defined-only")]
    assert any(re.fullmatch(r"icudt\d+_dat", n) for n in symbols)
    for item in ("coll/zh.res", "coll/ucadata.icu", "zh_Hans_CN.res", "zoneinfo64.res"):
        assert slim._icu_keep(f"{item}"), item
    for item in (
        "curr/de.res",
        "lang/fr.res",
        "de.res",
        "translit/root.res",
        "ibm-37_P100-1995.cnv",
    ):
        assert not slim._icu_keep(item), item


def _ffmpeg_toc(lib_version: str = "") -> list[tuple[str, str, str]]:
    """The media plugin, Qt's FFmpeg libraries and PyAV's, as PyInstaller lists them;
    `lib_version` renames PyAV's libavcodec to another release."""
    plugin = _site_lib("PySide6/Qt/plugins/multimedia", "libffmpegmediaplugin.so")
    qt_lib = plugin.parents[2] / "lib"
    toc = [("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", str(plugin), "BINARY")]
    for name in ("avcodec", "avformat", "avutil", "swresample", "swscale"):
        qt = next(qt_lib.glob(f"lib{name}.so.[0-9]*[0-9]"))
        qt = qt_lib / re.sub(r"(\.so\.\d+).*", r"\1", qt.name)
        toc.append((f"PySide6/Qt/lib/{qt.name}", str(qt), "BINARY"))
        ours = _site_lib("av.libs", f"lib{name}-*.so.*")
        dest = f"av.libs/{ours.name}"
        if name == "avcodec" and lib_version:
            dest = re.sub(r"\.so\..*", f".so.{lib_version}", dest)
        toc.append((dest, str(ours), "BINARY"))
    return toc


def test_qt_media_plugin_shares_pyav_ffmpeg(slim: ModuleType) -> None:
    """Issue 18: the bundle carried FFmpeg twice (Qt's 19.5 MB beside PyAV's). The pinned
    PyAV is Qt's FFmpeg release, so Qt's copies become links to PyAV's libraries, and the
    links are what the plugin's NEEDED names resolve to."""
    toc = _ffmpeg_toc()
    shared = slim.share_ffmpeg(toc)
    links = {d: s for d, s, t in shared if t == "SYMLINK"}
    assert sorted(Path(d).name.split(".so")[0] for d in links) == [
        "libavcodec", "libavformat", "libavutil", "libswresample", "libswscale"
    ]  # fmt: skip
    for dest, target in links.items():
        assert slim._dest_target(dest, target).startswith("av.libs/lib"), (dest, target)
    keep = slim.reachable(shared)
    assert not any(d.startswith("PySide6/Qt/lib/libav") for d in keep)
    assert any(d.startswith("av.libs/libavcodec-") for d in keep)


def test_another_ffmpeg_release_is_not_shared(slim: ModuleType) -> None:
    toc = _ffmpeg_toc(lib_version="62.28.100")
    assert slim.share_ffmpeg(toc) == toc
