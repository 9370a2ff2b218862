"""What a detector is run on for one frame: every picture a viewer may show of it, and copies of those
that bring back faces the detectors miss as stored. One place, so that anonymising, the review page
and ``unseen inspect`` search alike (inspect searched the stored picture alone: a 360 photo's stretched
faces and a face drawn by transparency went uncounted)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import raster
from ..media.gpano import Span
from ..regions import Regions
from . import sphere

STRETCH_HAZE = True  # a hazy picture searched again with its contrast stretched (bench/haze.py switches it)


def detect_shown(detector: Any, pixels: np.ndarray, alpha: np.ndarray | None, check: bool = False,
                 span: Span | None = None) -> Regions:
    """The detector's main passes (``check``: its self-check) on every picture a viewer may show of
    the frame (``raster.views``), and on each of those smoothed that has few colours (a dithered picture:
    ``raster.few_colours``) or is a mosaic of JPEG blocks (``raster.blocky``), on each with its contrast
    stretched that haze or smoke lifted or darkness held down (``raster.squeezed``), merged; a 360-degree
    photo's with its left edge joined on at the right and its polar rows squeezed (``detect.sphere``; ``span``:
    where its rows lie, as its GPano tags said, ``DecodedImage.sphere``)."""
    find = detector.check if check else detector.detect
    shown = raster.views(pixels, alpha)
    shown += [raster.smoothed(v) for v in shown if raster.few_colours(v) or raster.blocky(v)]
    if STRETCH_HAZE:
        shown += [raster.stretched(v) for v in shown if raster.squeezed(v)]
    where = sphere.span_of(pixels.shape[1], pixels.shape[0], span)
    if where is None:
        found = [find(v) for v in shown]
    else:  # a 360 photo: searched across its seam (when whole round), and its poles squeezed too
        found = [sphere.wrapped(find, v) if where.round else find(v) for v in shown]
        found += [sphere.polar(find, v, where) for v in shown]
    return found[0] if len(found) == 1 else merged(found, detector)


def merged(found: list[Regions], detector: Any) -> Regions:
    """Regions found on several pictures of one frame, merged as the detector merges its passes."""
    return Regions.concat(found).nms(getattr(detector, "nms_iou", 0.35))
