"""The detection front: several passes (backend x scale), tiled on large images, merged by NMS.

Why an ensemble: no single detector pass finds every face in a crowd. CenterFace at native
resolution finds most faces; tiny faces (10-16 px) need the image upscaled, and a second model
catches faces the first one scores low. Passes are cheap to add and easy to measure, so the
configuration is data (``PASSES``), chosen on the protection benchmark (docs/BENCHMARKS.md).

Tiling bounds memory and keeps inputs near the size the models were trained on: a 12 MP photo
upscaled 2x would be a 48 MP tensor; instead each tile is cropped from the original and only the
crop is resized. Tiles overlap so a face cut by one tile border is whole in its neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..regions import Regions
from .centerface import CenterFace
from .retinaface import RetinaFace

BACKENDS = {"centerface": CenterFace, "retinaface": RetinaFace}


@dataclass(frozen=True)
class Pass:
    backend: str  # key of BACKENDS
    scale: float  # resize factor applied to the image before detection
    threshold: float  # score threshold for this pass
    max_side: int = 0  # skip the pass when the image's longer side exceeds this (0 = never skip)


# Chosen on the WIDER FACE benchmark; see docs/BENCHMARKS.md for the measurements behind it.
DEFAULT_PASSES: tuple[Pass, ...] = (
    Pass("centerface", 1.0, 0.2),
    Pass("retinaface", 2.0, 0.5),
)

TILE = 1280  # tile side in detector pixels (after scaling)
OVERLAP = 160  # overlap between tiles in detector pixels


def _tiles(length: int, tile: int, overlap: int) -> list[int]:
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step)) + [length - tile]
    return sorted(set(starts))


class Detector:
    """Run every pass over an upright RGB image and merge what they find."""

    def __init__(self, passes: tuple[Pass, ...] = DEFAULT_PASSES, threshold_shift: float = 0.0,
                 nms_iou: float = 0.35):
        self.passes = passes
        self.threshold_shift = threshold_shift
        self.nms_iou = nms_iou
        self._backends = {p.backend: BACKENDS[p.backend]() for p in passes}

    def detect(self, rgb: np.ndarray) -> Regions:
        h, w = rgb.shape[:2]
        found = []
        for p in self.passes:
            if p.max_side and max(h, w) > p.max_side:
                continue
            thr = min(max(p.threshold + self.threshold_shift, 0.01), 0.99)
            found.append(self.run_pass(rgb, self._backends[p.backend], p.scale, thr))
        # Tiles cut faces bigger than the overlap; one whole-image pass at reduced size catches
        # those (a face that large is easy to find at any scale).
        longest = max(h, w) * min(p.scale for p in self.passes)
        if longest > TILE:
            first = self.passes[0]
            thr = min(max(first.threshold + self.threshold_shift, 0.01), 0.99)
            overview = TILE / max(h, w)
            found.append(self.run_pass(rgb, self._backends[first.backend], overview, thr))
        return Regions.concat(found).nms(self.nms_iou)

    @staticmethod
    def run_pass(rgb: np.ndarray, backend, scale: float, threshold: float) -> Regions:
        h, w = rgb.shape[:2]
        # Tile in original-image pixels so only each crop is resized.
        tile = max(32, int(TILE / scale))
        overlap = int(OVERLAP / scale)
        found = []
        for y0 in _tiles(h, tile, overlap):
            for x0 in _tiles(w, tile, overlap):
                crop = rgb[y0 : y0 + tile, x0 : x0 + tile]
                if scale != 1.0:
                    ch, cw = crop.shape[:2]
                    size = (max(1, round(cw * scale)), max(1, round(ch * scale)))
                    interp = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
                    crop = cv2.resize(crop, size, interpolation=interp)
                    fx, fy = cw / size[0], ch / size[1]
                else:
                    fx = fy = 1.0
                found.append(backend(np.ascontiguousarray(crop), threshold).scaled(fx, fy, x0, y0))
        return Regions.concat(found).clipped(w, h)
