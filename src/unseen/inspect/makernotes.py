"""The few maker-note tags that name a person or a camera: an owner's name, serial numbers.

A camera's maker notes are its private tags, in a layout of each maker's own. ``unseen inspect`` showed
them as "maker notes" only, while a Canon's held "Owner Name : Tom Rowan and Sarah Clifton" and its serial
number (hunt of 2026-12-06). Most makers store an IFD, at a place and with offsets counted from a base
that differ by maker; this reads the tags below for those whose layout is known, and nothing else.
"""

from __future__ import annotations

import io
from typing import Any

from .findings import Findings, clean

# maker (as EXIF's Make starts, lower case) -> {tag: (section of ``Findings``, name)}
TAGS: dict[str, dict[int, tuple[str, str]]] = {
    "canon": {0x0009: ("people", "OwnerName"), 0x000C: ("device", "SerialNumber"),
              0x0028: ("device", "ImageUniqueID")},
    "nikon": {0x001D: ("device", "SerialNumber"), 0x00A0: ("device", "SerialNumber")},
    "panasonic": {0x0025: ("device", "InternalSerialNumber")},
    "fujifilm": {0x0010: ("device", "InternalSerialNumber")},
}


def _layout(maker: str, tiff: bytes, note: bytes) -> tuple[bytes, bytes, int] | None:
    """(base the offsets count from, its 8-byte TIFF header, the IFD's offset in base) for a maker's note."""
    at = tiff.find(note)
    if maker == "canon" and at >= 0:  # the IFD at the start; offsets from the EXIF block's TIFF header
        return tiff, tiff[:8], at
    if maker == "panasonic" and at >= 0 and note.startswith(b"Panasonic\0"):
        return tiff, tiff[:8], at + 12
    if maker == "nikon" and note.startswith(b"Nikon\0") and len(note) > 18:  # a TIFF header of its own at 10
        base = note[10:]
        return base, base[:8], int.from_bytes(base[4:8], "big" if base[:2] == b"MM" else "little")
    if maker == "fujifilm" and note.startswith(b"FUJIFILM") and len(note) > 12:  # little-endian, from the note
        return note, b"II*\0\0\0\0\0", int.from_bytes(note[8:12], "little")
    return None


def read_maker_notes(raw_exif: bytes | None, note: Any, make: str, f: Findings) -> None:
    """The ``TAGS`` of a maker note (``note``: its bytes) into ``f``; ``raw_exif``: the EXIF block as stored."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    maker = next((m for m in TAGS if make.strip().lower().startswith(m)), None)
    if maker is None or not isinstance(note, bytes) or not raw_exif:
        return
    tiff = raw_exif[6:] if raw_exif.startswith(b"Exif") else raw_exif
    layout = _layout(maker, tiff, note)
    if layout is None:
        return
    base, header, offset = layout
    try:
        ifd = ImageFileDirectory_v2(ifh=header)
        fp = io.BytesIO(base)
        fp.seek(offset)
        ifd.load(fp)
        values = {tag: ifd.get(tag) for tag in TAGS[maker]}
    except Exception:  # noqa: BLE001 - a maker note of another layout: named as "maker notes" only
        return
    for tag, value in values.items():
        if value is None:
            continue
        text = clean(value.strip(b"\0").decode("utf-8", "replace") if isinstance(value, bytes) else value)
        if text and text not in ("0", "()"):
            section, name = TAGS[maker][tag]
            getattr(f, section).setdefault(f"maker notes {name}", text)
