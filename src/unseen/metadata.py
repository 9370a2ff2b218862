"""What a file gives away besides its pixels, and a strict check that our outputs give away nothing.

Two jobs, deliberately independent of each other:

* ``inspect_image`` reads an input the way an adversary would (Pillow's EXIF/GPS/XMP/IPTC readers,
  embedded thumbnails) and lists what would leak if it were published as is.
* ``image_leaks`` checks an *output's bytes* with tiny structural parsers (JPEG markers, PNG chunks,
  RIFF chunks, GIF blocks, TIFF tags) against an allow-list of the structures our writer emits. It
  does not trust Pillow to have written what we asked: anything not on the list fails the file.
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, IptcImagePlugin

GPS_IFD = 0x8825
EXIF_IFD = 0x8769

_DEVICE_TAGS = {"Make", "Model", "BodySerialNumber", "LensMake", "LensModel", "LensSerialNumber",
                "CameraOwnerName", "SerialNumber", "ImageUniqueID", "HostComputer"}
_PEOPLE_TAGS = {"Artist", "Copyright", "CameraOwnerName", "XPAuthor", "ImageDescription",
                "UserComment", "XPComment", "XPSubject", "XPKeywords"}
_DATE_TAGS = {"DateTime", "DateTimeOriginal", "DateTimeDigitized", "OffsetTime", "OffsetTimeOriginal"}


@dataclass
class Findings:
    """What one file would reveal. Values are shown to the user of their own file only."""

    path: str
    format: str = ""
    size: tuple[int, int] = (0, 0)
    gps: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    device: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    software: str = ""
    blocks: list[str] = field(default_factory=list)  # EXIF, XMP, IPTC, ICC, comment, text chunks…
    thumbnails: list[dict[str, Any]] = field(default_factory=list)
    faces: int | None = None
    streams: list[dict[str, Any]] = field(default_factory=list)  # video: streams and their tags
    tags: dict[str, str] = field(default_factory=dict)  # video: container tags

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.format} {self.size[0]}x{self.size[1]}"]
        if self.gps:
            pos = self.gps.get("position")
            out.append(f"  GPS position: {pos}" if pos else f"  GPS tags: {', '.join(self.gps)}")
        for title, d in (("dates", self.dates), ("device", self.device), ("names/text", self.people)):
            if d:
                out.append(f"  {title}: " + "; ".join(f"{k}={v}" for k, v in d.items()))
        if self.software:
            out.append(f"  software: {self.software}")
        if self.blocks:
            out.append(f"  metadata blocks: {', '.join(self.blocks)}")
        for t in self.thumbnails:
            face = {True: "a face is visible in it", False: "no face found in it", None: "not checked"}
            out.append(f"  embedded {t['kind']} {t['size'][0]}x{t['size'][1]}: {face[t.get('face')]}")
        for s in self.streams:
            out.append(f"  stream {s['index']}: {s['type']} {s.get('codec', '')} {s.get('tags', '')}".rstrip())
        if self.tags:
            out.append("  container tags: " + "; ".join(f"{k}={v}" for k, v in self.tags.items()))
        if self.faces is not None:
            out.append(f"  faces found by unseen: {self.faces}")
        if len(out) == 1:
            out.append("  no metadata found")
        return out


def _clean(v: Any) -> str:
    if isinstance(v, bytes):
        v = v.rstrip(b"\0").decode("utf-8", "replace")
    return str(v).strip()[:120]


def _dms(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in values)
        sign = -1 if str(ref).upper().startswith(("S", "W")) else 1
        return round(sign * (d + m / 60 + s / 3600), 6)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def inspect_image(path: Path, face_counter: Callable[[Image.Image], int] | None = None) -> Findings:
    """List what an image file gives away. ``face_counter`` (optional) runs on embedded previews."""
    f = Findings(path=str(path))
    with warnings.catch_warnings(), Image.open(path) as im:
        warnings.simplefilter("ignore")  # "Corrupt EXIF data" etc.: stderr is for one-line errors
        f.format, f.size = im.format or "?", im.size
        info = im.info
        try:
            exif = im.getexif()
        except Exception:
            exif = None
            f.blocks.append("EXIF (malformed)")
        if exif:
            f.blocks.append("EXIF")
            _read_exif(exif, f)
        if info.get("xmp") or info.get("XML:com.adobe.xmp"):
            f.blocks.append("XMP")
        try:
            if IptcImagePlugin.getiptcinfo(im):
                f.blocks.append("IPTC")
        except Exception:
            f.blocks.append("IPTC (malformed)")
        if info.get("icc_profile"):
            f.blocks.append("ICC profile")
        if info.get("comment"):
            f.blocks.append("comment")
            f.people.setdefault("Comment", _clean(info["comment"]))
        if getattr(im, "text", None):
            f.blocks.append("PNG text chunks (" + ", ".join(im.text) + ")")
        if info.get("mp") or im.format == "MPO":
            f.blocks.append("multi-picture (MPF) extra images")
        if exif:
            _thumbnail(exif, info.get("exif"), f, face_counter)
        for key in ("photoshop", "adobe"):
            if key in info:
                f.blocks.append(f"{key} block")
    return f


def _read_exif(exif: Image.Exif, f: Findings) -> None:
    tags = dict(exif)
    with contextlib.suppress(Exception):  # a broken sub-IFD must not hide the rest
        tags.update(exif.get_ifd(EXIF_IFD))
    for tag, value in tags.items():
        name = ExifTags.TAGS.get(tag, "")
        if name in _DATE_TAGS:
            f.dates[name] = _clean(value)
        elif name in _DEVICE_TAGS:
            f.device[name] = _clean(value)
        elif name in _PEOPLE_TAGS and _clean(value):
            f.people[name] = _clean(value)
        elif name == "Software":
            f.software = _clean(value)
        elif name == "MakerNote":
            f.blocks.append("maker notes")
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:
        gps = {}
    if gps:
        named = {ExifTags.GPSTAGS.get(k, str(k)): v for k, v in gps.items()}
        f.gps = {k: _clean(v) for k, v in named.items()}
        lat = _dms(named.get("GPSLatitude"), named.get("GPSLatitudeRef"))
        lon = _dms(named.get("GPSLongitude"), named.get("GPSLongitudeRef"))
        if lat is not None and lon is not None:
            f.gps["position"] = f"{lat}, {lon}"


def _thumbnail(exif: Image.Exif, raw: bytes | None, f: Findings,
               face_counter: Callable[[Image.Image], int] | None) -> None:
    """Find the IFD1 preview JPEG (cameras and phones embed one that shows the unmasked scene)."""
    try:
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        ifd1 = {}
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if not (offset and length):
        return
    entry: dict[str, Any] = {"kind": "EXIF thumbnail", "size": (0, 0), "face": None}
    if raw:
        tiff = raw[6:] if raw.startswith(b"Exif") else raw  # offsets count from the TIFF header
        data = tiff[offset : offset + length]
        try:
            with Image.open(io.BytesIO(data)) as t:
                t.load()
                entry["size"] = t.size
                if face_counter is not None:
                    entry["face"] = face_counter(t.convert("RGB")) > 0
        except Exception:
            entry["kind"] = "EXIF thumbnail (unreadable)"
    f.thumbnails.append(entry)


# ---------------------------------------------------------------------------------------------
# Output checks: strict allow-lists of what our writers emit, parsed from the raw bytes.
# ---------------------------------------------------------------------------------------------

def image_leaks(data: bytes, fmt: str) -> list[str]:
    """Return every structure in ``data`` beyond the documented minimum (empty list = clean)."""
    checker = {"JPEG": _jpeg_leaks, "PNG": _png_leaks, "WEBP": _webp_leaks, "GIF": _gif_leaks,
               "TIFF": _tiff_leaks, "BMP": _bmp_leaks}.get(fmt)
    if checker is None:
        return [f"no output check for format {fmt}"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return checker(data)
    except Exception as exc:  # noqa: BLE001 - whatever the parser tripped on, the output is not clean
        return [f"unparseable {fmt} output ({type(exc).__name__}: {str(exc)[:80]})"]


def _jpeg_leaks(d: bytes) -> list[str]:
    if d[:2] != b"\xff\xd8":
        return ["not a JPEG"]
    leaks, i = [], 2
    while i < len(d):
        if d[i] != 0xFF:
            return leaks + [f"garbage at {i}"]
        marker = d[i + 1]
        if marker == 0xD9:  # EOI
            if d[i + 2 :].strip(b"\0"):
                leaks.append(f"{len(d) - i - 2} bytes after end of image")
            return leaks
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        (length,) = struct.unpack(">H", d[i + 2 : i + 4])
        body = d[i + 4 : i + 2 + length]
        if marker == 0xE0:
            if not body.startswith(b"JFIF\0"):
                leaks.append("APP0 segment other than JFIF")
        elif 0xE1 <= marker <= 0xEF:
            name = body[:12].split(b"\0")[0].decode("latin-1")
            leaks.append(f"APP{marker - 0xE0} segment ({name})")
        elif marker == 0xFE:
            leaks.append("comment (COM) segment")
        i += 2 + length
        if marker == 0xDA:  # SOS: skip entropy-coded data to the next real marker
            i = _next_marker(d, i)
    return leaks + ["no end-of-image marker"]


def _next_marker(d: bytes, i: int) -> int:
    """Index of the next marker after entropy-coded data (0xFF not followed by 0x00 or RSTn)."""
    while True:
        i = d.find(b"\xff", i)
        if i < 0 or i + 1 >= len(d):
            return len(d)
        nxt = d[i + 1]
        if nxt != 0x00 and not 0xD0 <= nxt <= 0xD7 and nxt != 0xFF:
            return i
        i += 1


_PNG_OK = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"acTL", b"fcTL", b"fdAT"}


def _png_leaks(d: bytes) -> list[str]:
    if d[:8] != b"\x89PNG\r\n\x1a\n":
        return ["not a PNG"]
    leaks, i = [], 8
    while i + 8 <= len(d):
        length, ctype = struct.unpack(">I4s", d[i : i + 8])
        if ctype not in _PNG_OK:
            leaks.append(f"PNG chunk {ctype.decode('latin-1')}")
        i += 12 + length
        if ctype == b"IEND":
            if d[i:]:
                leaks.append(f"{len(d) - i} bytes after IEND")
            return leaks
    return leaks + ["no IEND chunk"]


_WEBP_OK = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


def _webp_leaks(d: bytes) -> list[str]:
    if d[:4] != b"RIFF" or d[8:12] != b"WEBP":
        return ["not a WebP"]
    leaks, i = [], 12
    while i + 8 <= len(d):
        ctype, length = struct.unpack("<4sI", d[i : i + 8])
        if ctype not in _WEBP_OK:
            leaks.append(f"WebP chunk {ctype.decode('latin-1')}")
        if ctype == b"VP8X" and d[i + 8] & 0x2C:  # ICC, EXIF or XMP flag set
            leaks.append("WebP VP8X flags announce ICC/EXIF/XMP")
        i += 8 + length + (length & 1)
    return leaks


def _gif_leaks(d: bytes) -> list[str]:
    if d[:3] != b"GIF":
        return ["not a GIF"]
    leaks = []
    flags = d[10]
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while i < len(d):
        b = d[i]
        if b == 0x3B:
            return leaks
        if b == 0x21:
            label = d[i + 1]
            j = i + 2
            first = d[j + 1 : j + 1 + d[j]] if d[j] else b""
            if label == 0xFE:
                leaks.append("GIF comment extension")
            elif label == 0x01:
                leaks.append("GIF plain-text extension")
            elif label == 0xFF and first[:11] not in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
                leaks.append(f"GIF application extension {first[:11].decode('latin-1')}")
            while d[j]:
                j += d[j] + 1
            i = j + 1
        elif b == 0x2C:
            lflags = d[i + 9]
            j = i + 10 + (3 * 2 ** ((lflags & 7) + 1) if lflags & 0x80 else 0) + 1
            while d[j]:
                j += d[j] + 1
            i = j + 1
        else:
            return leaks + [f"unknown GIF block 0x{b:02x}"]
    return leaks + ["no GIF trailer"]


# Baseline structural TIFF tags only: dimensions, sample layout, strips/tiles, compression.
_TIFF_OK = {254, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 282, 283, 284, 296, 317, 320,
            322, 323, 324, 325, 338, 339}


def _tiff_leaks(d: bytes) -> list[str]:
    with Image.open(io.BytesIO(d)) as im:
        leaks = []
        for page in range(getattr(im, "n_frames", 1)):
            im.seek(page)
            for tag in im.tag_v2:
                if tag not in _TIFF_OK:
                    leaks.append(f"TIFF tag {tag} ({ExifTags.TAGS.get(tag, 'unknown')})")
        return leaks


def _bmp_leaks(d: bytes) -> list[str]:
    if d[:2] != b"BM":
        return ["not a BMP"]
    (header,) = struct.unpack("<I", d[14:18])
    return ["BMP v5 header (may embed a colour profile)"] if header >= 124 else []
