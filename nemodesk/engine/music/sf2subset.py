"""A SoundFont cut down to the presets the engine plays, with the very same sample bytes.

The built-in FluidR3 GM has 189 presets and 148 MB of samples; the engine plays a few dozen
of them (``engine_presets``, read from the genre, instrument, groove and accent tables). The
subset keeps those presets, the instruments they use and the samples those reference —
each sample's 16-bit data copied byte for byte, with the points its zones may reach and the
46 padding points the format asks for — so a note renders exactly as from the full file.
TinySoundFont holds every sample of a loaded SoundFont as float32, so a smaller file is a
smaller worker too.

No maintained SoundFont *writer* is on PyPI (``sf2utils`` and ``sf2_loader`` read or play),
so this is a small RIFF reader/writer for SoundFont 2.01: the nine ``pdta`` record tables
are copied with their indices renumbered; the ``INFO`` list is kept as it was.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

DRUM_BANK = 128
PAD_POINTS = 46  # zero points the spec asks for after each sample (we keep the source's)

# record sizes of the pdta sub-chunks (SoundFont 2.01, section 7)
_SIZES = {
    b"phdr": 38,
    b"pbag": 4,
    b"pmod": 10,
    b"pgen": 4,
    b"inst": 22,
    b"ibag": 4,
    b"imod": 10,
    b"igen": 4,
    b"shdr": 46,
}
_ORDER = tuple(_SIZES)
_GEN_INSTRUMENT = 41
_GEN_SAMPLE_ID = 53
# generators that move a zone's sample start/end/loop points, in points (coarse: x 32768)
_START_OFFSETS = {0: 1, 4: 32768}
_END_OFFSETS = {1: 1, 12: 32768}
_LOOP_START_OFFSETS = {2: 1, 45: 32768}
_LOOP_END_OFFSETS = {3: 1, 50: 32768}


class SF2Error(ValueError):
    """Not a SoundFont 2 file this module can read."""


def _chunks(buf: bytes, start: int, end: int):
    off = start
    while off + 8 <= end:
        cid = buf[off : off + 4]
        (size,) = struct.unpack_from("<I", buf, off + 4)
        yield cid, off + 8, size
        off += 8 + size + (size & 1)


def _chunk(cid: bytes, payload: bytes) -> bytes:
    return cid + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")


@dataclass
class SF2:
    """A parsed SoundFont: the INFO list as it was, the sample data and the record tables
    (each a list of raw records, the terminal record last)."""

    info: bytes  # the whole LIST INFO payload, after "INFO"
    smpl: memoryview
    sm24: memoryview | None
    tables: dict[bytes, list[bytes]]

    @classmethod
    def parse(cls, data: bytes) -> SF2:
        if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
            raise SF2Error("not a SoundFont 2 file")
        view = memoryview(data)
        info = b""
        smpl = sm24 = None
        tables: dict[bytes, list[bytes]] = {}
        for cid, off, size in _chunks(data, 12, len(data)):
            if cid != b"LIST":
                continue
            kind = data[off : off + 4]
            if kind == b"INFO":
                info = data[off + 4 : off + size]
            for sub, soff, ssize in _chunks(data, off + 4, off + size):
                if kind == b"sdta" and sub == b"smpl":
                    smpl = view[soff : soff + ssize]
                elif kind == b"sdta" and sub == b"sm24":
                    sm24 = view[soff : soff + ssize]
                elif kind == b"pdta" and sub in _SIZES:
                    n = _SIZES[sub]
                    if ssize % n or ssize < n:
                        raise SF2Error(f"{sub.decode()} has {ssize} bytes, not records of {n}")
                    tables[sub] = [data[soff + i : soff + i + n] for i in range(0, ssize, n)]
        if smpl is None or set(tables) != set(_SIZES):
            raise SF2Error("the SoundFont lacks its samples or one of its preset tables")
        return cls(info, smpl, sm24, tables)

    # ---- reading ------------------------------------------------------------------------

    def presets(self) -> list[tuple[int, int, str]]:
        """(bank, program, name) of every preset, in file order."""
        out = []
        for rec in self.tables[b"phdr"][:-1]:
            name = rec[:20].split(b"\0", 1)[0].decode("latin-1")
            program, bank = struct.unpack_from("<HH", rec, 20)
            out.append((bank, program, name))
        return out

    def _zones(self, hdr: bytes, bag: bytes, gen: bytes, mod: bytes, i: int, at: int):
        """The bag indices of header ``i`` (its zones), and per bag its gen and mod ranges."""
        headers, bags = self.tables[hdr], self.tables[bag]
        first = struct.unpack_from("<H", headers[i], at)[0]
        last = struct.unpack_from("<H", headers[i + 1], at)[0]
        for b in range(first, last):
            g0, m0 = struct.unpack("<HH", bags[b])
            g1, m1 = struct.unpack("<HH", bags[b + 1])
            yield b, range(g0, g1), range(m0, m1)

    def _gens(self, table: bytes, gens: range) -> list[tuple[int, int]]:
        """(operator, amount as uint16) of the generators in ``gens``."""
        recs = self.tables[table]
        return [struct.unpack("<HH", recs[g]) for g in gens]

    # ---- writing ------------------------------------------------------------------------

    def subset(self, keep: Iterable[tuple[int, int]]) -> bytes:
        """The SoundFont with only the presets (bank, program) in ``keep`` and what they use.
        KeyError names any asked-for preset this SoundFont does not have."""
        wanted = set(keep)
        have = {(b, p): i for i, (b, p, _) in enumerate(self.presets())}
        missing = wanted - have.keys()
        if missing:
            raise KeyError(f"presets not in the SoundFont: {sorted(missing)}")
        presets = sorted(have[k] for k in wanted)
        T = self.tables

        # the instruments the kept presets use, and the samples those use
        instruments: list[int] = []
        for p in presets:
            for _, gens, _ in self._zones(b"phdr", b"pbag", b"pgen", b"pmod", p, 24):
                for op, amount in self._gens(b"pgen", gens):
                    if op == _GEN_INSTRUMENT and amount not in instruments:
                        instruments.append(amount)
        instruments.sort()
        reach: dict[int, list[int]] = {}  # sample -> [lowest, highest] point a zone reads
        for i in instruments:
            zones = list(self._zones(b"inst", b"ibag", b"igen", b"imod", i, 20))
            global_gens: list[tuple[int, int]] = []
            for z, (_, gens, _) in enumerate(zones):
                ops = self._gens(b"igen", gens)
                sample = next((a for op, a in ops if op == _GEN_SAMPLE_ID), None)
                if sample is None:
                    if z == 0:
                        global_gens = ops
                    continue
                self._reach(reach, sample, {**dict(global_gens), **dict(ops)})
        for s in list(reach):  # a stereo half keeps its partner (the link must point somewhere)
            link, kind = struct.unpack_from("<HH", T[b"shdr"][s], 42)
            if (
                kind & 0x0E
                and kind & 0x8000 == 0
                and link not in reach
                and link < len(T[b"shdr"]) - 1
            ):
                self._reach(reach, link, {})
        samples = sorted(reach)

        new_inst = {old: new for new, old in enumerate(instruments)}
        new_sample = {old: new for new, old in enumerate(samples)}

        phdr, pbag, pgen, pmod = self._copy_headers(
            b"phdr", b"pbag", b"pgen", b"pmod", presets, 24, {_GEN_INSTRUMENT: new_inst}
        )
        inst, ibag, igen, imod = self._copy_headers(
            b"inst", b"ibag", b"igen", b"imod", instruments, 20, {_GEN_SAMPLE_ID: new_sample}
        )

        # sample data: each kept sample's reach, copied as it was, one after the other
        smpl = bytearray()
        sm24 = bytearray() if self.sm24 is not None else None
        shdr: list[bytes] = []
        total = len(self.smpl) // 2
        for s in samples:
            rec = T[b"shdr"][s]
            start, end, loop0, loop1 = struct.unpack_from("<IIII", rec, 20)
            lo, hi = reach[s]
            lo, hi = max(0, min(lo, start)), min(total, max(hi, end) + PAD_POINTS)
            base = len(smpl) // 2 - lo
            smpl += self.smpl[2 * lo : 2 * hi]
            if sm24 is not None and self.sm24 is not None:
                sm24 += self.sm24[lo:hi]
            link, kind = struct.unpack_from("<HH", rec, 42)
            shdr.append(
                rec[:20]
                + struct.pack("<IIII", start + base, end + base, loop0 + base, loop1 + base)
                + rec[36:42]
                + struct.pack("<HH", new_sample.get(link, 0), kind)
            )
        shdr.append(T[b"shdr"][-1])

        pdta = b"pdta" + b"".join(
            _chunk(cid, b"".join(recs))
            for cid, recs in zip(
                _ORDER, (phdr, pbag, pmod, pgen, inst, ibag, imod, igen, shdr), strict=True
            )
        )
        sdta = b"sdta" + _chunk(b"smpl", bytes(smpl))
        if sm24 is not None:
            sdta += _chunk(b"sm24", bytes(sm24))
        body = b"sfbk" + _chunk(b"LIST", b"INFO" + self.info) + _chunk(b"LIST", sdta)
        body += _chunk(b"LIST", pdta)
        return b"RIFF" + struct.pack("<I", len(body)) + body

    def _reach(self, reach: dict[int, list[int]], sample: int, gens: dict[int, int]) -> None:
        """Widen ``reach[sample]`` to the points a zone with generators ``gens`` may read."""

        def offset(ops: dict[int, int]) -> int:
            return sum(struct.unpack("<h", struct.pack("<H", gens.get(op, 0)))[0] * k
                       for op, k in ops.items())  # fmt: skip

        start, end, loop0, loop1 = struct.unpack_from("<IIII", self.tables[b"shdr"][sample], 20)
        points = (
            start,
            start + offset(_START_OFFSETS),
            end,
            end + offset(_END_OFFSETS),
            loop0 + offset(_LOOP_START_OFFSETS),
            loop1 + offset(_LOOP_END_OFFSETS),
        )
        lo, hi = reach.get(sample, [start, end])
        reach[sample] = [min(lo, *points), max(hi, *points)]

    def _copy_headers(
        self,
        hdr: bytes,
        bag: bytes,
        gen: bytes,
        mod: bytes,
        keep: list[int],
        at: int,
        renumber: dict[int, dict[int, int]],
    ) -> tuple[list[bytes], list[bytes], list[bytes], list[bytes]]:
        """The kept headers with their zones, generators (index operands renumbered) and
        modulators, each table ending in its (source) terminal record, indices fixed."""
        T = self.tables
        headers: list[bytes] = []
        bags: list[bytes] = []
        gens: list[bytes] = []
        mods: list[bytes] = []

        def header(rec: bytes) -> bytes:
            return rec[:at] + struct.pack("<H", len(bags)) + rec[at + 2 :]

        for h in keep:
            headers.append(header(T[hdr][h]))
            for _, grange, mrange in self._zones(hdr, bag, gen, mod, h, at):
                bags.append(struct.pack("<HH", len(gens), len(mods)))
                for g in grange:
                    op, amount = struct.unpack("<HH", T[gen][g])
                    if op in renumber:
                        amount = renumber[op][amount]
                    gens.append(struct.pack("<HH", op, amount))
                mods.extend(T[mod][m] for m in mrange)
        headers.append(header(T[hdr][-1]))
        bags.append(struct.pack("<HH", len(gens), len(mods)))
        gens.append(T[gen][-1])
        mods.append(T[mod][-1])
        return headers, bags, gens, mods


def subset(data: bytes, keep: Iterable[tuple[int, int]]) -> bytes:
    """``data`` (an .sf2 file) with only the presets ``keep`` (bank, program)."""
    return SF2.parse(data).subset(keep)


def engine_presets() -> set[tuple[int, int]]:
    """Every (bank, program) the engine can ask the SoundFont for, from its tables: the
    instruments users name, each genre's voices and drum kit, the variations' kits and
    leads, the hit stabs; bank 128 is the drum kits. Program 0 of each bank is the synth's
    fallback, so it is always in."""
    from nemodesk.engine.music import accents, compose, genres, grooves

    melodic = {0}
    drums = {0, compose.BRUSH_KIT}
    for roles, voice in genres.INSTRUMENT_VOICES.values():
        (drums if "drums" in roles else melodic).add(voice.program)
    for template in genres.GENRE_TEMPLATES.values():
        drums.add(template.drum_kit)
        melodic.update(v.program for v in template.voices.values())
    for kit, variants in grooves._KITS.items():
        drums.add(kit)
        drums.update(variants)
    for stabs in accents.STABS.values():
        melodic.update(stabs)
    return {(0, p) for p in melodic} | {(DRUM_BANK, k) for k in drums}
