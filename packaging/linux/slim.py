"""Make the Linux bundle small without losing a feature (issue 18). Called from build.spec
through ``bundle.slim_binaries`` on the binaries PyInstaller collected:

0. **One FFmpeg**: QtMultimedia's FFmpeg plugin brings its own libavcodec, libavformat, …
   (19.5 MB); PyAV carries the same FFmpeg release (pyproject pins a PyAV whose FFmpeg is
   Qt's). When each library has the same major.minor version and defines every symbol the
   plugin uses at its version, Qt's copy becomes a link to PyAV's (``share_ffmpeg``), so one
   FFmpeg is on disk and in memory. Otherwise Qt keeps its own, with a warning.
1. **Reachability**: a shared library stays only when something that runs needs it — a
   Python extension module, a Qt plugin we keep, a library loaded by path (the speech
   detector's runtime) or one Qt opens by name (``DLOPENED``) — following DT_NEEDED. What
   PyInstaller pulled in for files we drop (the GTK stack behind Qt's GTK theme, …) goes.
2. **Stubs**: libraries that kept libraries *link* but whose code the app never runs
   (``STUBS``: x265, SVT-AV1, libaom, OpenH264, libvpx, oneVPL, WebP, AMR and VMAF for
   PyAV; GnuTLS, SRT and GMP for network streams in libavformat; X11/KMS screen capture
   and DRM frames; ALSA devices; Qt Quick/QML for QtMultimedia's screen capture of Quick
   windows)
   are replaced by a tiny library built here with gcc: the same soname and symbol versions,
   exporting exactly the symbols the linking libraries reference, as functions that return 0
   (NULL / "not available") and zeroed data. Their own dependencies then become unreachable.
3. **Strip**: every ELF file that still has a symbol table is stripped (``strip
   --strip-unneeded``: the dynamic symbols stay) into build/slim/strip, cached by source.

Needs binutils (readelf, nm, strip) and gcc; without them the step is skipped with a warning
and the bundle is just bigger.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "build" / "slim"

# (bundle path pattern -> why its code never runs in NemoDesk)
STUBS: dict[str, str] = {
    r"av\.libs/libx265-[0-9a-f]{8}\.so.*":
        "PyAV's H.265 encoder (exports encode H.264 with libx264)",
    r"av\.libs/libSvtAv1Enc-[0-9a-f]{8}\.so.*":
        "PyAV's SVT-AV1 encoder (AV1 is decoded by dav1d, kept)",
    r"av\.libs/libaom-[0-9a-f]{8}\.so.*":
        "libaom's AV1 encoder and decoder (AV1 is decoded by dav1d, kept)",
    r"av\.libs/libopenh264-[0-9a-f]{8}\.so.*":
        "Cisco's H.264 codec (FFmpeg's native H.264 decoder and libx264 are used)",
    r"av\.libs/libsrt-[0-9a-f]{8}\.so.*":
        "SRT streaming in libavformat (only local files are read); its OpenSSL goes with it",
    r"av\.libs/libgmp-[0-9a-f]{8}\.so.*":
        "RTMPE key exchange in libavformat (network streams)",
    r"av\.libs/libvpx-[0-9a-f]{8}\.so.*":
        "libvpx VP8/VP9 (FFmpeg's native VP8/VP9 decoders are used)",
    r"av\.libs/libvpl-[0-9a-f]{8}\.so.*":
        "Intel oneVPL/QSV hardware codecs",
    r"av\.libs/libwebp-[0-9a-f]{8}\.so.*":
        "libwebp encoder in libavcodec (the native WebP decoder is used)",
    r"av\.libs/libwebpmux-[0-9a-f]{8}\.so.*":
        "animated WebP encoder in libavcodec",
    r"av\.libs/libopencore-amr(nb|wb)-[0-9a-f]{8}\.so.*":
        "AMR via opencore (FFmpeg's native AMR decoders are used)",
    r"av\.libs/libxcb(-shm|-shape|-xfixes)?-[0-9a-f]{8}\.so.*":
        "X11 screen capture (x11grab) in libavdevice; libXau goes with it (PyAV 18.1.1's "
        "wheel pads these to 6 MB each)",
    r"av\.libs/libvmaf-[0-9a-f]{8}\.so.*":
        "the VMAF video-quality filter in libavfilter (PyAV 18.1.1)",
    r"av\.libs/libdrm-[0-9a-f]{8}\.so.*":
        "DRM hardware frames in libavutil and KMS screen capture in libavdevice",
    r"av\.libs/libgnutls-[0-9a-f]{8}\.so.*":
        "TLS (https://) in libavformat: only local files are read",
    r"(av|pedalboard)\.libs/libasound-[0-9a-f]{8}\.so.*":
        "ALSA devices in libavdevice and pedalboard's AudioStream (playback is Qt's)",
    r"pedalboard\.libs/libfreetype-[0-9a-f]{8}\.so.*":
        "JUCE's font rendering in pedalboard (we only process audio); its libpng and "
        "libbz2 go with it",
    r"pillow\.libs/libxcb-[0-9a-f]{8}\.so.*":
        "Pillow's X11 screen grab (ImageGrab); libXau goes with it",
    r"PySide6/Qt/lib/libQt6Quick\.so\.6":
        "QtMultimedia's FFmpeg plugin links Qt Quick to capture Quick windows; the app is "
        "Qt Widgets (the plugin uses only QQuickWindow::grabWindow and staticMetaObject)",
    r"PySide6/Qt/lib/libQt6Qml\.so\.6":
        "linked by the FFmpeg media plugin, no symbol used",
}  # fmt: skip

# Libraries Qt opens by name at run time (not DT_NEEDED of anything kept).
DLOPENED = ("libdbus-1.so.3",)

# Folders whose libraries are loaded by path (ctypes), so always kept.
LOADED_BY_PATH = ("tinysoundfont/",)


def available() -> bool:
    return sys.platform.startswith("linux") and all(
        shutil.which(tool) for tool in ("readelf", "nm", "strip", "gcc")
    )


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def is_elf(path: str | Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: str | Path) -> list[str]:
    """DT_NEEDED sonames of an ELF file."""
    out = _run("readelf", "-d", "-W", str(path))
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def soname(path: str | Path) -> str | None:
    found = re.search(
        r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _run("readelf", "-d", "-W", str(path))
    )
    return found.group(1) if found else None


def is_stub(dest: str) -> bool:
    return any(re.fullmatch(pattern, dest) for pattern in STUBS)


def _dest_target(dest: str, src: str) -> str:
    """Where a SYMLINK entry of PyInstaller's TOC points, as a bundle path."""
    return os.path.normpath(os.path.join(os.path.dirname(dest), src))


def _is_root(dest: str, typecode: str, python_lib: str) -> bool:
    name = Path(dest).name
    return (
        typecode == "EXTENSION"
        or "PySide6/Qt/plugins/" in dest
        or dest.startswith(LOADED_BY_PATH)
        or name == python_lib
        or name in DLOPENED
    )


def reachable(toc: list[tuple[str, str, str]]) -> set[str]:
    """Bundle paths of the binaries something that runs needs (DT_NEEDED closure)."""
    by_name: dict[str, str] = {}  # file name in the bundle -> its bundle path
    sources: dict[str, str] = {}
    for dest, src, typecode in toc:
        if typecode in ("BINARY", "EXTENSION"):
            by_name.setdefault(Path(dest).name, dest)
            sources[dest] = src
        elif typecode == "SYMLINK":
            by_name.setdefault(Path(dest).name, _dest_target(dest, src))
    python_lib = f"libpython{sys.version_info.major}.{sys.version_info.minor}.so.1.0"
    todo = [d for d, _, t in toc if t in ("BINARY", "EXTENSION") and _is_root(d, t, python_lib)]
    seen: set[str] = set()
    while todo:
        dest = todo.pop()
        if dest in seen or dest not in sources:
            continue
        seen.add(dest)
        if is_stub(dest) or not is_elf(sources[dest]):
            continue  # a stub needs nothing
        for lib in needed(sources[dest]):
            if lib in by_name:
                todo.append(by_name[lib])
    return seen


def _cache_key(src: str, extra: str = "") -> str:
    st = os.stat(src)
    return hashlib.sha1(f"{src}|{st.st_size}|{st.st_mtime_ns}|{extra}".encode()).hexdigest()[:16]


def _symbols(path: str, *flags: str) -> list[tuple[str, str, str | None, bool, int]]:
    """(name, nm type, version or None, is the default version, size) of dynamic symbols."""
    rows = []
    for line in _run("nm", "-D", "-S", *flags, path).splitlines():
        parts = line.split()
        if len(parts) == 4:
            _, size, kind, name = parts
        elif len(parts) == 3:
            _, kind, name = parts
            size = "0"
        elif len(parts) == 2:
            kind, name, size = parts[0], parts[1], "0"
        else:
            continue
        name, at, version = name.partition("@")
        default = version.startswith("@") or not at
        rows.append((name, kind, version.lstrip("@") or None, default, int(size, 16)))
    return rows


def build_stub(src: str, users: Iterable[str], out_dir: Path = WORK / "stubs") -> Path:
    """A library with ``src``'s soname and symbol versions that defines every symbol of
    ``src`` the ``users`` reference, at the versions they reference (non-default ones such
    as ALSA's ``@ALSA_0.9.0rc4`` through ``.symver``): functions return 0, data is zeroed."""
    users = sorted(set(users))
    key = _cache_key(src, "|".join(_cache_key(u) for u in users) + "|v2")
    name = Path(src).name
    out = out_dir / key / name
    if out.is_file():
        return out
    kinds: dict[str, tuple[str, int]] = {}
    default_version: dict[str, str | None] = {}
    for n, k, v, default, size in _symbols(src, "--defined-only"):
        if k in ("U", "w", "v"):
            continue
        kinds[n] = (k, max(size, kinds.get(n, (k, 0))[1]))
        if default:
            default_version[n] = v
    wanted: set[tuple[str, str | None]] = set()
    for user in users:
        for n, _k, v, _default, _size in _symbols(user, "--undefined-only"):
            if n in kinds:
                wanted.add((n, v or default_version.get(n)))
    lines = ["/* stub made by packaging/linux/slim.py: never called by NemoDesk */"]
    nodes: dict[str, list[str]] = {}
    for i, (n, version) in enumerate(sorted(wanted, key=lambda w: (w[0], w[1] or ""))):
        kind, size = kinds[n]
        plain = version is None or default_version.get(n, version) == version
        c_name = n if plain else f"nemodesk_stub_{i}"
        if kind.upper() in ("T", "I", "W"):
            lines.append(f"long {c_name}(void) {{ return 0; }}")
        else:  # data: zeroed, as big as the original object
            lines.append(f"char {c_name}[{max(size, 8)}] __attribute__((aligned(16))) = {{0}};")
        if not plain:
            lines.append(f'__asm__(".symver {c_name},{n}@{version}");')
        if version:
            nodes.setdefault(version, []).append(c_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    c_file = out.with_suffix(out.suffix + ".c")
    c_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cmd = ["gcc", "-shared", "-fPIC", "-O0", "-nostdlib", "-o", str(out), str(c_file)]
    cmd.append(f"-Wl,-soname,{soname(src) or name}")
    if nodes:  # the same version nodes as the original
        script = out.with_suffix(out.suffix + ".map")
        script.write_text(
            "".join(
                f"{v} {{ global: {' '.join(s + ';' for s in syms)} }};\n"
                for v, syms in sorted(nodes.items())
            ),
            encoding="utf-8",
        )
        cmd.append(f"-Wl,--version-script={script}")
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    _run("strip", "--strip-unneeded", str(out))
    made = {(n, v) for n, _k, v, _d, _s in _symbols(str(out), "--defined-only")}
    missing = {(n, v) for n, v in wanted if (n, v) not in made}
    if missing:
        out.unlink()
        raise RuntimeError(f"slim: stub {name} lacks {sorted(missing, key=str)[:5]}")
    return out


def loadable(path: str | Path, page: int = 4096) -> bool:
    """False when a PT_LOAD segment's file offset and address disagree modulo the page size
    (glibc: "ELF load command address/offset not page-aligned"): what ``strip`` does to some
    libraries patchelf rewrote (auditwheel's *.libs)."""
    import struct

    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit ELF only
            return True
        (phoff,) = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, _flags, p_offset, p_vaddr = struct.unpack_from("<IIQQ", table, i * phentsize)
        if p_type == 1 and (p_vaddr - p_offset) % page:
            return False
    return True


def stripped(src: str, out_dir: Path = WORK / "strip") -> str:
    """``src`` without its symbol table and debug sections (a cached copy), or ``src`` when
    there is nothing to strip."""
    if not is_elf(src) or ".symtab" not in _run("readelf", "-S", "-W", src):
        return src
    out = out_dir / _cache_key(src) / Path(src).name
    if not out.is_file() or not loadable(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        shutil.copyfile(src, partial)
        subprocess.run(["strip", "--strip-unneeded", str(partial)], check=True)
        if not loadable(partial) or partial.stat().st_size >= os.path.getsize(src):
            shutil.copyfile(src, partial)  # strip broke it (or gained nothing): keep as is
        partial.replace(out)
    return str(out)


# ICU data Qt keeps (libicudata, 32 MB). Qt takes locale names, number and date formats
# from its own CLDR tables; what it calls in ICU (nm -D of every Qt library and plugin) is
# ucol_* (QCollator), ucnv_* (QStringConverter's non-UTF codecs), ucal_* (time-zone names)
# and u_strToUpper/Lower. Kept: the root-level data (properties, normalisation, likely
# subtags, time zones, root/English/Chinese locale bundles, converter aliases), every
# collation, zone names for root/English/Chinese. Dropped: the ~3,400 per-locale display-name
# bundles (currencies, languages, regions, units, spell-out rules, other zone names), break
# iterators (Qt breaks text itself), transliterators, StringPrep/IDNA/confusables/character
# names, and the table-based legacy charsets (GBK, Big5, Shift-JIS… — UTF-8/16/32, Latin-1
# and ASCII are algorithmic and stay).
ICU_DROP_TREES = ("curr", "lang", "region", "unit", "rbnf", "translit", "brkitr")
ICU_DROP_ROOT = re.compile(r".*\.(cnv|spp|cfu)|unames\.icu|uts46\.nrm")
ICU_KEEP_LOCALES = re.compile(r"(root|pool|res_index|en|en_.*|zh|zh_.*)")


def _icu_keep(item: str) -> bool:
    tree, _, name = item.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    if tree in ICU_DROP_TREES:
        return False
    if tree == "zone":
        return bool(ICU_KEEP_LOCALES.fullmatch(stem))
    if tree:  # coll: every collation
        return True
    if ICU_DROP_ROOT.fullmatch(name):
        return False
    locale = re.fullmatch(r"[a-z]{2,3}(_[A-Za-z0-9]+)*\.res", name)
    return not locale or bool(ICU_KEEP_LOCALES.fullmatch(stem))


def trimmed_icu_data(src: str, out_dir: Path = WORK / "icu") -> str:
    """``src`` (Qt's libicudata.so.NN) rebuilt with only the data Qt can use (``_icu_keep``),
    by ICU's own icupkg and genccode (Debian: icu-devtools); ``src`` when they are missing."""
    if not (shutil.which("icupkg") and shutil.which("genccode")):
        print("slim: icupkg/genccode missing (apt install icu-devtools): ICU data kept whole")
        return src
    out = out_dir / _cache_key(src, "v3") / Path(src).name
    if out.is_file():
        return str(out)
    symbol = next(
        (n, v, size) for n, v, size in _symbol_values(src) if re.fullmatch(r"icudt\d+_dat", n)
    )
    name, vaddr, size = symbol
    sections = _run("readelf", "-S", "-W", src)
    addr, offset = next(
        (int(m.group(1), 16), int(m.group(2), 16))
        for m in re.finditer(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    )
    work = out.parent
    work.mkdir(parents=True, exist_ok=True)
    package = work / f"{name.removesuffix('_dat')}l.dat"  # icudt73l.dat: little-endian
    with open(src, "rb") as f:
        f.seek(vaddr - addr + offset)
        package.write_bytes(f.read(size))
    items = _run("icupkg", "-l", str(package)).split()
    (work / "remove.txt").write_text(
        "".join(i + "\n" for i in items if not _icu_keep(i)), encoding="utf-8"
    )
    # icupkg names the items after the output file: it must keep the package's own name
    small = work / "small" / package.name
    small.parent.mkdir(exist_ok=True)
    _run("icupkg", "-r", str(work / "remove.txt"), str(package), str(small))
    _run("genccode", "-a", "gcc", "-e", name.removesuffix("_dat"), "-d", str(work), str(small))
    assembly = work / f"{package.stem}_dat.S"
    partial = out.with_name(out.name + ".partial")
    cmd = ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname(src) or out.name}"]
    _run(*cmd, "-o", str(partial), str(assembly))
    _run("strip", "--strip-unneeded", str(partial))
    listed = _run("icupkg", "-l", str(small)).split()
    if "coll/zh.res" not in listed or len(listed) >= len(items):
        raise RuntimeError(f"slim: ICU data trimming went wrong ({len(listed)} items)")
    for scratch in (package, small, assembly):
        scratch.unlink()
    partial.replace(out)
    return str(out)


def _symbol_values(path: str) -> list[tuple[str, int, int]]:
    rows = []
    for line in _run("nm", "-D", "-S", "--defined-only", path).splitlines():
        parts = line.split()
        if len(parts) == 4:
            rows.append((parts[3].partition("@")[0], int(parts[0], 16), int(parts[1], 16)))
    return rows


_FFMPEG_LIBS = ("avcodec", "avformat", "avutil", "swresample", "swscale")


def _pyav_ffmpeg(toc: list[tuple[str, str, str]]) -> dict[str, tuple[str, str, tuple[int, int]]]:
    """PyAV's FFmpeg libraries: name -> (bundle path, source, (major, minor))."""
    found = {}
    for dest, src, typecode in toc:
        m = re.fullmatch(r"av\.libs/lib([a-z]+)-[0-9a-f]{8}\.so\.(\d+)\.(\d+)\.\d+", dest)
        if m and typecode == "BINARY" and m.group(1) in _FFMPEG_LIBS:
            found[m.group(1)] = (dest, src, (int(m.group(2)), int(m.group(3))))
    return found


def _qt_version(src: str) -> tuple[int, int] | None:
    """(major, minor) of a Qt-shipped FFmpeg library, from its fully versioned sibling."""
    for sibling in sorted(Path(src).parent.glob(Path(src).name + ".*")):
        m = re.search(r"\.so\.(\d+)\.(\d+)\.\d+$", sibling.name)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def _versioned(path: str, *flags: str) -> set[tuple[str, str]]:
    return {(name, ver) for name, _, ver, _, _ in _symbols(path, *flags) if ver}


def share_ffmpeg(toc: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Qt's copies of FFmpeg's libraries replaced by links to PyAV's, where they are the
    same release and PyAV's defines every versioned symbol Qt's binaries use from them."""
    pyav = _pyav_ffmpeg(toc)
    qt = {
        m.group(1): (dest, src)
        for dest, src, typecode in toc
        if typecode == "BINARY"
        and (m := re.fullmatch(r"PySide6/Qt/lib/lib([a-z]+)\.so\.\d+", dest))
        and m.group(1) in _FFMPEG_LIBS
    }
    if not qt:
        return toc
    qt_dests = {d for d, _ in qt.values()}
    users = [
        src for dest, src, typecode in toc
        if typecode in ("BINARY", "EXTENSION") and dest.startswith("PySide6/")
        and dest not in qt_dests and is_elf(src)
        and any(re.match(r"lib(av|sw)[a-z]+\.so\.", n) for n in needed(src))
    ]  # fmt: skip
    wanted = set().union(*(_versioned(u, "--undefined-only") for u in users)) if users else set()
    links: dict[str, str] = {}
    for name, (dest, src) in qt.items():
        ours = pyav.get(name)
        if ours is None or _qt_version(src) != ours[2]:
            print(f"slim: Qt's lib{name} is not PyAV's FFmpeg release; both are bundled")
            return toc
        links[dest] = ours[0]
    have = set().union(*(_versioned(pyav[n][1], "--defined-only") for n in qt))
    missing = {s for s in wanted if re.match(r"LIB(AV|SW)", s[1])} - have
    if missing:
        print(f"slim: PyAV's FFmpeg lacks {sorted(missing)[:5]}; Qt keeps its own")
        return toc
    return [
        (dest, os.path.relpath(links[dest], os.path.dirname(dest)), "SYMLINK")
        if dest in links else (dest, src, typecode)
        for dest, src, typecode in toc
    ]  # fmt: skip


def slim(toc: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The binaries TOC with Qt's FFmpeg shared with PyAV's, unreachable libraries dropped,
    stubs in place of ``STUBS`` and everything stripped."""
    toc = share_ffmpeg(toc)
    keep = reachable(toc)
    users_of: dict[str, set[str]] = {}
    for dest, src, typecode in toc:
        if dest in keep and typecode in ("BINARY", "EXTENSION") and is_elf(src):
            if is_stub(dest):
                continue
            for lib in needed(src):
                users_of.setdefault(lib, set()).add(src)
    out: list[tuple[str, str, str]] = []
    for dest, src, typecode in toc:
        if typecode == "SYMLINK":
            if _dest_target(dest, src) in keep:
                out.append((dest, src, typecode))
            continue
        if typecode not in ("BINARY", "EXTENSION"):
            out.append((dest, src, typecode))
            continue
        if dest not in keep:
            continue
        name = Path(dest).name
        if is_stub(dest):
            users = users_of.get(soname(src) or name, set()) | users_of.get(name, set())
            out.append((dest, str(build_stub(src, users)), typecode))
        elif re.fullmatch(r"libicudata\.so\.\d+", name):
            out.append((dest, trimmed_icu_data(src), typecode))
        else:
            out.append((dest, stripped(src), typecode))
    return out


def report(before: list[tuple[str, str, str]], after: list[tuple[str, str, str]]) -> str:
    def size(toc: list[tuple[str, str, str]]) -> int:
        return sum(os.path.getsize(s) for _, s, t in toc if t in ("BINARY", "EXTENSION"))

    return f"slim: binaries {size(before) / 1e6:.1f} MB -> {size(after) / 1e6:.1f} MB"
