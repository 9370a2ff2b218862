"""Where a 360 photo's rows lie on the sphere, as its GPano XMP tags say (Google's photo sphere format).

Read when the photo is decoded (``media/image.py``), before its metadata is dropped, for the detectors
(``detect/sphere.py``): only the crop's geometry is kept, never the tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Where a 360 picture's rows lie on the sphere: the latitude of its top edge and of its bottom edge, and
    whether its left and right edges are one meridian. A photo sphere a phone stored cropped (Google's GPano
    XMP: a full panorama's size and the crop's) is not twice as wide as tall: taken for an ordinary photo, its
    faces 72 degrees below the horizon were 3-5 of 15 covered, all 15 in the same sphere stored whole (a hunt,
    2026-12-06)."""

    top: float = 90.0
    bottom: float = -90.0
    round: bool = True


FULL = Span()
_GPANO = re.compile(rb"GPano:(\w+)(?:=[\"']([^\"']*)[\"']|>([^<]*)<)")


def from_xmp(xmp: bytes | str | None) -> Span | None:
    """The Span an XMP packet's GPano tags give an equirectangular photo (None without them, or nonsense)."""
    if not xmp:
        return None
    data = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else bytes(xmp)
    tags: dict[str, bytes] = {}
    for m in _GPANO.finditer(data):  # attributes or elements; a closing tag matches too, with nothing
        value = (m.group(2) or m.group(3) or b"").strip()
        if value:
            tags.setdefault(m.group(1).decode("ascii", "replace"), value)
    if tags.get("ProjectionType", b"").lower() != b"equirectangular":
        return None
    try:
        full_w, full_h = float(tags["FullPanoWidthPixels"]), float(tags["FullPanoHeightPixels"])
        crop_w = float(tags.get("CroppedAreaImageWidthPixels", full_w))
        crop_h = float(tags.get("CroppedAreaImageHeightPixels", full_h))
        top = float(tags.get("CroppedAreaTopPixels", 0))
    except (KeyError, ValueError):
        return None
    if not (full_w > 0 and full_h > 0 and 0 < crop_h <= full_h and 0 <= top <= full_h - crop_h and crop_w > 0):
        return None
    return Span(90.0 - 180.0 * top / full_h, 90.0 - 180.0 * (top + crop_h) / full_h, crop_w >= full_w)
