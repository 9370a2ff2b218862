"""Strict checks of our own photo outputs: every structure in the bytes beyond the documented minimum.

Tiny structural parsers (JPEG markers, PNG chunks, RIFF chunks, GIF blocks, TIFF tags) compare an
output's bytes with an allow-list of what ``image_write`` emits. They do not trust Pillow to have
written what was asked: anything not on the list fails the file.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import ExifTags, Image


def leaks(data: bytes, fmt: str) -> list[str]:
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


def written_clean(path) -> bool:
    """Could this photo be one unseen wrote: in a format it writes, with nothing beyond what its writer
    emits (``leaks``)? Reads the file's first 64 MiB only (``engine.plan`` asks it of files named like
    outputs; a larger one is taken for no output)."""
    try:
        with open(path, "rb") as fp:
            data = fp.read(64 << 20)
            if fp.read(1):
                return False
        fmt = next((f for magic, f in _MAGIC if data.startswith(magic) and (f != "WEBP" or data[8:12] == b"WEBP")),
                   None)  # by its first bytes: no parser of Pillow's runs on a file from anywhere for this
        return fmt is not None and not leaks(data, fmt)
    except Exception:  # noqa: BLE001 - unreadable or not a photo: no output of unseen's
        return False


_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"RIFF", "WEBP"), (b"GIF8", "GIF"),
          (b"II*\0", "TIFF"), (b"MM\0*", "TIFF"), (b"BM", "BMP"))  # the formats image_write writes


def jpeg_segments(d: bytes, size: int | None = None) -> tuple[list[tuple[int, bytes]], int, str | None]:
    """The marker segments of a JPEG's first image, in file order (marker, body); how many bytes follow
    its end-of-image marker (0 when only zeros do); and what ended the walk early (None: the EOI).
    ``size``: the whole file's, when ``d`` is its start (``inspect``): what follows is counted to it.

    One walker for the output check below and for ``inspect``, which lists what an input carries that
    Pillow does not show: a phone's motion photo keeps a video after the picture's end, and makers'
    APP segments (telemetry, extension thumbnails) have no place in Pillow's ``info``."""
    if d[:2] != b"\xff\xd8":
        return [], 0, "not a JPEG"
    segments: list[tuple[int, bytes]] = []
    i = 2
    try:
        while i < len(d):
            if d[i] != 0xFF:
                return segments, 0, f"garbage at {i}"
            marker = d[i + 1]
            if marker == 0xD9:  # EOI
                after = (size or len(d)) - i - 2  # zeros counted in place: a copy of a 1 GB tail cost 1 GB
                return segments, after if after > d.count(b"\0", i + 2) else 0, None
            if 0xD0 <= marker <= 0xD7 or marker == 0x01:
                i += 2
                continue
            (length,) = struct.unpack(">H", d[i + 2 : i + 4])
            segments.append((marker, d[i + 4 : i + 2 + length]))
            i += 2 + length
            if marker == 0xDA:  # SOS: skip entropy-coded data to the next real marker
                i = _next_marker(d, i)
    except (IndexError, struct.error):
        return segments, 0, "JPEG segment cut short"
    return segments, 0, "no end-of-image marker"


def app_name(body: bytes) -> str:
    """An APPn segment's identifier: the text before its first NUL (at most 12 bytes)."""
    return body[:12].split(b"\0")[0].decode("latin-1")


def _jpeg_leaks(d: bytes) -> list[str]:
    segments, trailing, problem = jpeg_segments(d)
    leaks = []
    for marker, body in segments:
        if marker == 0xE0:
            if not body.startswith(b"JFIF\0"):
                leaks.append("APP0 segment other than JFIF")
            elif len(body) != 14 or any(body[12:14]):  # Pillow's: 14 bytes, a 0 x 0 thumbnail
                leaks.append("JFIF thumbnail or data after its fields")
        elif 0xE1 <= marker <= 0xEF:
            leaks.append(f"APP{marker - 0xE0} segment ({app_name(body)})")
        elif marker == 0xFE:
            leaks.append("comment (COM) segment")
    if trailing:
        leaks.append(f"{trailing} bytes after end of image")
    return leaks + ([problem] if problem else [])


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


# The chunks ``image_write`` emits (the output allow-lists); ``inspect`` passes over them as structure.
PNG_OK = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"acTL", b"fcTL", b"fdAT"}


def chunks(d: bytes, fmt: str, size: int | None = None) -> tuple[list[tuple[bytes, bytes]], int, str | None]:
    """The chunks of a PNG or WebP in file order (type, body); how many bytes follow a PNG's IEND; and
    what ended the walk early (None: a PNG's IEND, or a WebP's last chunk). ``size`` as ``jpeg_segments``'s.

    One walker for the output checks below and for ``inspect``, which lists what an input carries that
    Pillow's ``info`` does not (a PNG's last-modified time, makers' private chunks)."""
    png = fmt == "PNG"
    if (png and d[:8] != b"\x89PNG\r\n\x1a\n") or (not png and (d[:4] != b"RIFF" or d[8:12] != b"WEBP")):
        return [], 0, f"not a {'PNG' if png else 'WebP'}"
    out: list[tuple[bytes, bytes]] = []
    i = 8 if png else 12
    while i + 8 <= len(d):
        if png:
            length, ctype = struct.unpack(">I4s", d[i : i + 8])
        else:
            ctype, length = struct.unpack("<4sI", d[i : i + 8])
        out.append((ctype, d[i + 8 : i + 8 + length]))
        i += 12 + length if png else 8 + length + (length & 1)
        if png and ctype == b"IEND":
            return out, max(0, (size or len(d)) - i), None
    return out, 0, "no IEND chunk" if png else None


def _png_leaks(d: bytes) -> list[str]:
    found, trailing, problem = chunks(d, "PNG")
    leaks = [f"PNG chunk {ctype.decode('latin-1')}" for ctype, _body in found if ctype not in PNG_OK]
    order = [ctype for ctype, _body in found if ctype in (b"IDAT", b"fcTL")]
    if b"fcTL" in order and order[0] == b"IDAT":  # an APNG whose IDAT picture no APNG viewer shows
        leaks.append("APNG default image outside the animation")
    if trailing:
        leaks.append(f"{trailing} bytes after IEND")
    return leaks + ([problem] if problem else [])


WEBP_OK = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


def _webp_leaks(d: bytes) -> list[str]:
    found, _trailing, problem = chunks(d, "WEBP")
    leaks = [] if problem is None else [problem]
    for ctype, body in found:
        if ctype not in WEBP_OK:
            leaks.append(f"WebP chunk {ctype.decode('latin-1')}")
        if ctype == b"VP8X" and body[0] & 0x2C:  # ICC, EXIF or XMP flag set
            leaks.append("WebP VP8X flags announce ICC/EXIF/XMP")
    return leaks


GIF_ANIMATION_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")  # application blocks that only say how to loop


def gif_extensions(d: bytes, frames: list[tuple[int, int, int, int]] | None = None,
                   ) -> tuple[list[tuple[int, bytes, bytes]], str | None]:
    """Every extension block of a GIF, in file order, whatever frame it comes with: (label, its first
    data sub-block, all its data sub-blocks joined); and what ended the walk early (None: the trailer).
    ``frames``, when given, gets each frame's (left, top, width, height), and the walk passes over a
    byte that starts no block, as Pillow's reader does (``gif_canvas``: a stray byte before a frame hid
    it from the budget while Pillow decoded it).

    One walker for the output check below and for ``inspect``, which lists what an input carries
    (Pillow shows a comment only for the frame it has reached, and no application block after the
    first frame's: XMP, for one)."""
    if d[:3] != b"GIF":
        return [], "not a GIF"
    out: list[tuple[int, bytes, bytes]] = []
    try:
        flags = d[10]
        i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
        while i < len(d):
            b = d[i]
            if b == 0x3B:
                return out, None if i + 1 >= len(d) else f"{len(d) - i - 1} bytes after the GIF trailer"
            if b == 0x21:
                label, j, parts = d[i + 1], i + 2, []
                while d[j]:
                    parts.append(d[j + 1 : j + 1 + d[j]])
                    j += d[j] + 1
                out.append((label, parts[0] if parts else b"", b"".join(parts)))
                i = j + 1
            elif b == 0x2C:
                if frames is not None:
                    frames.append(struct.unpack_from("<4H", d, i + 1))
                lflags = d[i + 9]
                j = i + 10 + (3 * 2 ** ((lflags & 7) + 1) if lflags & 0x80 else 0) + 1
                while d[j]:
                    j += d[j] + 1
                i = j + 1
            elif frames is not None:
                i += 1
            else:
                return out, f"unknown GIF block 0x{b:02x}"
    except IndexError:
        return out, "GIF block cut short"
    return out, "no GIF trailer"


def gif_canvas(d: bytes) -> tuple[int, int]:
    """The size a GIF's frames are drawn on: its logical screen, grown to every frame that reaches past
    it (as Pillow grows it, but only once it decodes that frame: a 1 x 1 screen whose second frame is
    20000 x 20000 passed the pixel budget as 2 pixels and took 11.7 GB)."""
    frames: list[tuple[int, int, int, int]] = []
    gif_extensions(d, frames)
    w, h = struct.unpack_from("<2H", d, 6) if len(d) >= 10 else (0, 0)
    return max([w] + [x + fw for x, _, fw, _ in frames]), max([h] + [y + fh for _, y, _, fh in frames])


def _gif_leaks(d: bytes) -> list[str]:
    blocks, problem = gif_extensions(d)
    leaks = []
    for label, first, _data in blocks:
        if label == 0xFE:
            leaks.append("GIF comment extension")
        elif label == 0x01:
            leaks.append("GIF plain-text extension")
        elif label == 0xFF and first[:11] not in GIF_ANIMATION_APPS:
            leaks.append(f"GIF application extension {first[:11].decode('latin-1')}")
    return leaks + ([problem] if problem else [])


# Baseline structural TIFF tags only: dimensions, sample layout, strips/tiles, compression.
_TIFF_OK = {254, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 282, 283, 284, 296, 317, 320,
            322, 323, 324, 325, 338, 339}


def _tiff_leaks(d: bytes) -> list[str]:
    with Image.open(io.BytesIO(d), formats=["TIFF"]) as im:
        pages = getattr(im, "n_frames", 1)
        leaks = [f"{pages} pages (the picture is the first)"] if pages > 1 else []
        for page in range(pages):
            im.seek(page)
            for tag in im.tag_v2:
                if tag not in _TIFF_OK:
                    leaks.append(f"TIFF tag {tag} ({ExifTags.TAGS.get(tag, 'unknown')})")
        return leaks


def _bmp_leaks(d: bytes) -> list[str]:
    if d[:2] != b"BM":
        return ["not a BMP"]
    size, _, _, _, header = struct.unpack("<IHHII", d[2:18])
    leaks = ["BMP v5 header (may embed a colour profile)"] if header >= 124 else []
    return leaks + ([f"{len(d) - size} bytes after the BMP's declared size"] if len(d) > size else [])
