"""Animated PNG written one frame at a time.

Why not Pillow's APNG writer: it keeps a copy of every frame (4 bytes a pixel) until the last one is
in, so a small file of many large frames took gigabytes (a 628 KiB APNG of six 8K frames peaked at
3.5 GB: docs/BENCHMARKS.md, "Animations: memory"). This writes what Pillow's writer writes for the
same frames, byte for byte (the same chunks, each frame cropped to where it differs from the frame
before, a frame identical to the one before folded into it with their times added, the pixels
compressed by Pillow's own PNG encoder), but holds one frame at a time, the digests of the one
before's rows and columns (where the next differs), and the compressed bytes.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np
from PIL import Image

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, *data: bytes) -> bytes:
    body = b"".join(data)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk of a PNG Pillow wrote."""
    out, at = [], len(_SIGNATURE)
    while at < len(png):
        (size,) = struct.unpack(">I", png[at:at + 4])
        out.append((png[at + 4:at + 8], png[at + 8:at + 8 + size]))
        at += 12 + size
    return out


def _image(planes: list[np.ndarray]) -> Image.Image:
    im = Image.fromarray(np.ascontiguousarray(planes[0]), "RGB")
    if len(planes) > 1:
        im.putalpha(Image.fromarray(np.ascontiguousarray(planes[1]), "L"))
    return im


def _still(im: Image.Image, compress_level: int) -> list[tuple[bytes, bytes]]:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=compress_level)
    return _chunks(buf.getvalue())


def _delay(ms: float) -> Fraction:
    return Fraction(ms / 1000).limit_denominator(65535)


class _Lines:
    """A frame's rows and columns by their digests: enough to find where the next frame differs
    (``changed``) without keeping the frame (an 8K frame is 100-133 MB, its digests 0.2 MB)."""

    def __init__(self, planes: tuple[np.ndarray, ...]):
        self.rows = _digests(planes, 0)
        self.cols = _digests(planes, 1)

    def changed(self, now: _Lines) -> tuple[int, int, int, int] | None:
        """(left, top, right, bottom) of the pixels that differ in ``now`` (any band, alpha too); None:
        none differ. What Pillow's writer finds (``subtract_modulo`` of both as RGBA, ``getbbox``)."""
        rows = np.flatnonzero(np.any(self.rows != now.rows, axis=1))
        if not len(rows):
            return None
        cols = np.flatnonzero(np.any(self.cols != now.cols, axis=1))
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


_BLOCK = 256  # lines transposed at a time for the column digests (a few MB, not a copy of the frame)


def _digests(planes: tuple[np.ndarray, ...], axis: int) -> np.ndarray:
    """A 16-byte digest of each row (``axis`` 0) or column (1) of the planes, every plane's bytes in
    it: an (n, 16) uint8 array."""
    out = []
    n = planes[0].shape[axis]
    for start in range(0, n, _BLOCK):
        blocks = [np.ascontiguousarray(np.moveaxis(p, axis, 0)[start:start + _BLOCK]) for p in planes]
        for k in range(blocks[0].shape[0]):
            h = hashlib.blake2b(digest_size=16)
            for b in blocks:
                h.update(b[k].data)
            out.append(h.digest())
    return np.frombuffer(b"".join(out), np.uint8).reshape(-1, 16)


def write(planes: Iterable[tuple[np.ndarray, np.ndarray | None]], durations: Sequence[float], loop: int,
          compress_level: int = 6) -> bytes:
    """The animation of ``planes`` (each frame's RGB and alpha or None, all one size) shown for
    ``durations`` ms each, ``loop`` times (0: forever). Frames are taken one at a time. As Pillow's
    writer, every frame takes the first one's mode: RGBA when it has alpha (opaque where a frame
    has none), RGB otherwise (alpha dropped)."""
    header: list[tuple[bytes, bytes]] = []
    written: list[list] = []  # per kept frame: [bbox, its data chunks' payloads, ms]
    before: _Lines | None = None
    with_alpha = False
    count = 0
    for k, (rgb, alpha) in enumerate(planes):
        count += 1
        if k == 0:
            with_alpha = alpha is not None
        if with_alpha and alpha is None:
            alpha = np.full(rgb.shape[:2], 255, np.uint8)
        frame = (rgb, alpha) if with_alpha else (rgb,)
        now = _Lines(frame)
        box = None if before is None else before.changed(now)
        if k and box is None and _delay(written[-1][2] + durations[k]).numerator <= 65535:
            written[-1][2] += durations[k]
            del rgb, alpha, frame  # resumed when the next frame is wanted: let this one go before it is made
            continue
        x, y, right, bottom = box or (0, 0, rgb.shape[1], rgb.shape[0])
        chunks = _still(_image([p[y:bottom, x:right] for p in frame]), compress_level)
        if k == 0:
            header = [c for c in chunks if c[0] == b"IHDR"]
        written.append([box if k else None, [d for t, d in chunks if t == b"IDAT"], durations[k]])
        before = now
        del rgb, alpha, frame
    if count != len(durations):
        raise ValueError(f"{count} frames but {len(durations)} durations")
    out = [_SIGNATURE, *(_chunk(t, d) for t, d in header)]
    if len(written) > 1:
        out.append(_chunk(b"acTL", struct.pack(">II", len(written), loop)))
    seq = 0
    w, h = struct.unpack(">II", header[0][1][:8])
    for k, (box, data, ms) in enumerate(written):
        if len(written) > 1:
            x, y, right, bottom = box or (0, 0, w, h)
            delay = _delay(ms)
            if delay.numerator > 65535:
                raise ValueError("cannot write duration")
            out.append(_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, right - x, bottom - y, x, y,
                                                   delay.numerator, delay.denominator, 0, 0)))
            seq += 1
        for d in data:
            if k == 0:
                out.append(_chunk(b"IDAT", d))
            else:
                out.append(_chunk(b"fdAT", struct.pack(">I", seq), d))
                seq += 1
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)
