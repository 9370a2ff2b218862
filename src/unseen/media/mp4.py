"""The MP4 container: one parser of ISO BMFF boxes, used to cut FFmpeg's leftovers out of our own
outputs (``strip``) and to list every box beyond the allow-list (``leaks``)."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import UnseenError

LEAK_STRINGS = (b"x264", b"x265", b"Lavf", b"Lavc", b"libvpx", b"HandBrake")
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts"}
_DROP = {b"udta", b"meta"}
_OK = {
    b"ftyp", b"free", b"mdat", b"moov", b"mvhd", b"trak", b"tkhd", b"edts", b"elst", b"mdia", b"mdhd",
    b"hdlr", b"minf", b"vmhd", b"smhd", b"dinf", b"dref", b"stbl", b"stsd", b"stts", b"stss", b"ctts",
    b"stsc", b"stsz", b"stco", b"co64", b"sgpd", b"sbgp", b"sdtp", b"cslg", b"iods",
}


def boxes(read: Callable[[int, int], bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """ISO BMFF boxes between ``start`` and ``end``: (type, offset, header size, total size).

    ``read(offset, n)`` returns up to ``n`` bytes at ``offset`` (a slice of bytes in memory, or a
    seek and read of a file), so one parser serves whole files and boxes already in memory.
    """
    i = start
    while i + 8 <= end:
        hdr = read(i, 16)
        size, kind = struct.unpack(">I4s", hdr[:8])
        head = 8
        if size == 1:
            if len(hdr) < 16:
                raise UnseenError(f"output MP4 box {kind!r} is malformed; nothing written")
            (size,) = struct.unpack(">Q", hdr[8:16])
            head = 16
        elif size == 0:
            size = end - i
        if size < head or i + size > end:
            raise UnseenError(f"output MP4 box {kind!r} is malformed; nothing written")
        yield kind, i, head, size
        i += size


def _in_memory(data: bytes) -> Callable[[int, int], bytes]:
    return lambda offset, n: data[offset : offset + n]


def _in_file(fh) -> Callable[[int, int], bytes]:
    def read(offset: int, n: int) -> bytes:
        fh.seek(offset)
        return fh.read(n)

    return read


def _rebuild(data: bytes, offset: int, head: int, size: int) -> bytes:
    """A container box without udta/meta children, recursing into moov/trak."""
    body = []
    for kind, o, h, s in boxes(_in_memory(data), offset + head, offset + size):
        if kind in _DROP:
            continue
        body.append(_rebuild(data, o, h, s) if kind in (b"moov", b"trak") else data[o : o + s])
    payload = b"".join(body)
    kind = data[offset + 4 : offset + 8]
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def strip(path: Path) -> None:
    """Cut FFmpeg's udta/meta boxes (an empty iTunes handler, vendor "appl") out of the moov box.

    The muxer writes moov after mdat (no faststart), so no chunk offset moves when it shrinks.
    """
    size = path.stat().st_size
    with open(path, "rb+") as fh:
        top = list(boxes(_in_file(fh), 0, size))
        moov = next(((o, h, s) for kind, o, h, s in top if kind == b"moov"), None)
        if moov is None or moov[0] + moov[2] != size:
            raise UnseenError("output MP4 has no trailing moov box; nothing written")
        if moov[1] != 8:
            raise UnseenError("output MP4 moov box is too large; nothing written")
        fh.seek(moov[0])
        data = fh.read(moov[2])
        new = _rebuild(data, 0, moov[1], moov[2])
        fh.seek(moov[0])
        fh.write(new)
        fh.truncate(moov[0] + len(new))


def leaks(path: Path) -> list[str]:
    """Boxes in an MP4 beyond the allow-list our writer needs (empty list = clean)."""
    found: list[str] = []
    size = path.stat().st_size
    with open(path, "rb") as fh:
        try:
            top = list(boxes(_in_file(fh), 0, size))
        except UnseenError:
            return ["malformed box"]
        for kind, o, h, s in top:
            if kind not in _OK:
                found.append(f"box {kind.decode('latin-1')}")
            elif kind == b"free" and s - h <= 1 << 16:
                fh.seek(o + h)
                found += ["data in a free box"] if fh.read(s - h).strip(b"\0") else []
            if kind == b"moov":
                fh.seek(o)
                data = fh.read(s)
                found += _tree_leaks(data, 0, len(data), top_level=True)
                found += [f"string {x.decode()} in moov" for x in LEAK_STRINGS if x in data]
                for kind2, o2, h2, _ in boxes(_in_memory(data), 8, len(data)):
                    # mvhd: version, flags, then creation and modification times
                    if kind2 == b"mvhd" and data[o2 + h2 + 4 : o2 + h2 + 12].strip(b"\0"):
                        found.append("creation time in mvhd")
    return found


# What a sample entry (stsd's avc1, hvc1, mp4a...) may hold after its fixed fields: the codec's setup, the
# picture's colours, pixel shape and HDR levels, the bit rate. A colour box holding an ICC profile, or any other
# box (an XMP uuid), passed as "metadata: none" (a hunt, 2026-12-06), as did a free box with a name in it.
_ENTRY_OK = {b"avcC", b"hvcC", b"colr", b"pasp", b"btrt", b"esds", b"dOps", b"clli", b"mdcv", b"fiel", b"chan"}
_ENTRY_FIELDS = {b"avc1": 78, b"avc3": 78, b"hvc1": 78, b"hev1": 78, b"mp4a": 28, b"Opus": 28}


def _tree_leaks(data: bytes, start: int, end: int, top_level: bool = False) -> list[str]:
    found = []
    for kind, o, h, s in boxes(_in_memory(data), start, end):
        if kind not in _OK:
            found.append(f"box {kind.decode('latin-1')}")
        elif kind == b"free" and data[o + h : o + s].strip(b"\0"):
            found.append("data in a free box")
        elif kind == b"stsd":
            found += _entry_leaks(data, o + h + 8, o + s)
        elif (kind in _CONTAINERS and kind != b"moov") or (kind == b"moov" and top_level):
            found += _tree_leaks(data, o + h, o + s)
    return found


def _entry_leaks(data: bytes, start: int, end: int) -> list[str]:
    """The boxes inside each sample entry of an stsd (from ``start``, after its version and count)."""
    found = []
    for kind, o, h, s in boxes(_in_memory(data), start, end):
        skip = _ENTRY_FIELDS.get(kind)
        if skip is None:
            continue  # a codec unseen does not write: its own fields, not read here
        for child, co, ch, _ in boxes(_in_memory(data), o + h + skip, o + s):
            if child not in _ENTRY_OK:
                found.append(f"box {child.decode('latin-1')} in {kind.decode('latin-1')}")
            elif child == b"colr" and data[co + ch : co + ch + 4] not in (b"nclx", b"nclc"):
                found.append("ICC profile in a colour box")
    return found
