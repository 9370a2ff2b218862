"""360-degree photos: the rows near the poles of an equirectangular picture searched squeezed.

A 360 camera (Ricoh Theta, Insta360, a phone's photo sphere) stores its picture as an equirectangular
projection, twice as wide as it is tall. Each row is stretched sideways by 1 / cos(latitude): at 60
degrees twice, at 72 degrees 3.2 times. The face detectors tolerate about 2.4 times; beyond that a
face is a wide smear to them, though a 360 viewer shows it undistorted. A camera on a pole or a
helmet has the people nearest to it there, below the horizon: placed at 72 degrees below it in an
8192 x 4096 picture, 7 of a group's 19 faces stayed uncovered (a hunt, 2026-12-05). So the rows
beyond ``FROM_LATITUDE`` are searched again squeezed sideways by ``SQUEEZES``, each for the rows whose
stretch it brings back within ``TOLERANCE``, with the picture's left and right edges joined (they are
one meridian), and what is found is stretched back (docs/BENCHMARKS.md, "360-degree photos").

The left and right edges are one meridian at every latitude: a face across them is two halves to a detector,
and a hunt (2026-12-06) found the left half of a 31 px face at the equator 0% covered, in a photo and in every
frame of a 360 video, while the right half was covered. So every pass on such a picture runs on it with a
strip of its left edge joined on at the right (``wrapped``, ``SEAM`` of the width), photos and video frames.

Which pictures: a photo twice as wide as it is tall, to ``ASPECT_SLACK`` (the format carries no
reliable mark once a program has re-saved it), or one whose GPano XMP tags say where its rows lie
(``media/gpano.py``: a phone's photo sphere stored cropped; ``span_of``). An ordinary photo of that
shape costs its polar rows searched again (about 15% more CPU) and, in one of the 8 such photos in
../shared/data, 0.74% of it covered in addition (docs/BENCHMARKS.md, "360-degree photos").
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image

from ..media.gpano import FULL, Span
from ..regions import Regions

SQUEEZES = (3.0, 6.75)  # each searches the rows stretched SQUEEZE / TOLERANCE .. SQUEEZE * TOLERANCE
TOLERANCE = 1.5
FROM_LATITUDE = 60.0  # degrees: nearer the equator (stretch < 2) the ordinary passes find faces
TO_LATITUDE = 86.0  # beyond (stretch > 14) a face is a few rows of a 360 picture
MARGIN = 0.03  # of the height, added above and below each band: a face on a band's edge is whole in one
ASPECT_SLACK = 0.005  # of the width: 2:1 to this much (a 1200 x 599 crop of one)
MIN_HEIGHT = 256
SEAM = 1 / 8  # of the width: the strip of the left edge joined on at the right (a face up to that wide is whole)


def span_of(width: int, height: int, said: Span | None = None) -> Span | None:
    """The Span a picture's GPano tags gave (``said``), else the whole sphere for a picture twice as wide as
    tall, else None (an ordinary picture)."""
    return said if said is not None else FULL if is_equirectangular(width, height) else None


def is_equirectangular(width: int, height: int) -> bool:
    """Is a picture of this size likely a 360-degree photo (equirectangular: twice as wide as tall)?"""
    return height >= MIN_HEIGHT and abs(width - 2 * height) <= max(2.0, ASPECT_SLACK * width)


def bands(width: int, height: int, span: Span = FULL) -> list[tuple[int, int, float]]:
    """``(first row, end row, squeeze)`` of each band searched again, north and south, within the picture."""
    out = []
    per_degree = height / max(1e-6, span.top - span.bottom)
    margin = MARGIN * 180 * per_degree  # MARGIN of a whole sphere's height
    for squeeze in SQUEEZES:
        near = max(FROM_LATITUDE, math.degrees(math.acos(min(1.0, TOLERANCE / squeeze))))
        far = min(TO_LATITUDE, math.degrees(math.acos(1.0 / (squeeze * TOLERANCE))))
        for sign in (1, -1):
            a, b = (span.top - sign * far) * per_degree, (span.top - sign * near) * per_degree
            y0 = max(0, int(min(a, b) - margin))
            y1 = min(height, math.ceil(max(a, b) + margin))
            if y1 - y0 >= 2:
                out.append((y0, y1, squeeze))
    return out


def polar(find: Callable[[np.ndarray], Regions], rgb: np.ndarray, span: Span = FULL) -> Regions:
    """What ``find`` finds in the polar bands of ``rgb`` squeezed, in ``rgb``'s pixels. Each band of a
    picture joined round is: a strip of the other edge is put on each side, and a box reaching past an edge
    is cut there and its part beyond given on the other side."""
    h, w = rgb.shape[:2]
    found = []
    for y0, y1, squeeze in bands(w, h, span):
        pad = min(w // 4, 2 * (y1 - y0)) if span.round else 0
        strip = np.concatenate([rgb[y0:y1, w - pad:], rgb[y0:y1], rgb[y0:y1, :pad]], 1)
        width = max(1, round(strip.shape[1] / squeeze))
        small = np.asarray(Image.fromarray(strip).resize((width, y1 - y0), Image.Resampling.BILINEAR))
        found.append(find(small).scaled(strip.shape[1] / width, 1.0, -pad, y0))
    return _round(Regions.concat(found), w, h) if span.round else Regions.concat(found).clipped(w, h)


def wrapped(find: Callable[[np.ndarray], Regions], rgb: np.ndarray) -> Regions:
    """What ``find`` finds in ``rgb`` with a strip of its left edge joined on at the right (``SEAM``), in
    ``rgb``'s pixels: a box across the join is cut at the edge and its part beyond given on the left side."""
    h, w = rgb.shape[:2]
    pad = max(1, round(SEAM * w))
    return _round(find(np.concatenate([rgb, rgb[:, :pad]], 1)), w, h)


def searched(find: Callable[[np.ndarray], Regions], rgb: np.ndarray, size: tuple[int, int]) -> Regions:
    """``find`` on ``rgb``, a copy (maybe shrunk) of a picture of ``size`` (width, height): across its seam
    (``wrapped``) when that picture is a 360 one. Video frames and the review page's samples go through it."""
    return wrapped(find, rgb) if is_equirectangular(*size) else find(rgb)


def _round(found: Regions, width: int, height: int) -> Regions:
    """Boxes past the left or right edge, cut there, with their part beyond on the other side."""
    if not len(found):
        return found
    x1, x2 = found.boxes[:, 0], found.boxes[:, 2]
    parts = [found]
    for beyond, shift in ((x1 < 0, width), (x2 > width, -width)):
        if beyond.any():
            parts.append(found[np.nonzero(beyond)[0]].scaled(1.0, 1.0, shift, 0))
    return Regions.concat(parts).clipped(width, height)
