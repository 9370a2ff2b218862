"""The one thing unseen reads itself from an AVIF's boxes: a clean-aperture crop (``clap``).

An AVIF may hold a larger picture than it shows: the ``clap`` property crops it, and viewers (libavif,
browsers) show only the crop. Pillow's AVIF reader decodes the whole picture and does not crop, so the
part the file's maker cut away, a sign, a place, a bystander, was published (a hunt, 2026-12-05: a
640 x 480 photo cropped to 400 px wide came out 640 px wide). The reader refuses such a file instead
(``media/image.py``): only the boxes are walked here, no pixel is decoded.
"""

from __future__ import annotations

import struct
from pathlib import Path

MAX_META = 1 << 20  # an item's properties sit in a ``meta`` box of a few hundred bytes; read no more


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, payload start, payload end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        head = 8
        if size == 1 and at + 16 <= end:
            size, head = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def clean_aperture(path: Path | str) -> tuple[float, float] | None:
    """The width and height the first ``clap`` property of an AVIF's ``meta`` box crops its picture to,
    or None when it has none (or its boxes cannot be walked: decoding then decides)."""
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_META)
    except OSError:
        return None
    for kind, a, b in _boxes(head):
        if kind != b"meta":
            continue
        for kind2, a2, b2 in _boxes(head, a + 4, b):  # meta is a full box: version and flags first
            if kind2 != b"iprp":
                continue
            for kind3, a3, b3 in _boxes(head, a2, b2):
                if kind3 != b"ipco":
                    continue
                for kind4, a4, b4 in _boxes(head, a3, b3):
                    if kind4 == b"clap" and b4 - a4 >= 16:
                        wn, wd, hn, hd = struct.unpack(">4I", head[a4:a4 + 16])
                        if wd and hd:
                            return wn / wd, hn / hd
    return None
