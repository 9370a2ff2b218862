"""RetinaFace-MobileNet0.25 (MIT, shipped in ``detect/models``): ~4x faster than CenterFace.

Used as a second opinion in the ensemble, typically on an upscaled image where it finds small
faces CenterFace misses. Anchor decoding follows the package's own postprocess, vectorised and
without its 0.9 score floor.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..regions import Regions
from .onnx_session import current_device, pad_to_multiple, session
from .weights import retinaface_int8_onnx, retinaface_onnx

_STRIDES = (8, 16, 32)
_SIZES = ((16, 32), (64, 128), (256, 512))
_MEAN_BGR = np.array([104, 117, 127], np.float32)


def _session():
    """int8 on the CPU (0.55x the CPU of float for the same recall: docs/BENCHMARKS.md, "Protection"
    and "Video"); float on a GPU, where int8 kernels are not the fast path."""
    if current_device() == "cpu":
        return session("retinaface-int8", retinaface_int8_onnx)
    return session("retinaface", retinaface_onnx)


@cache
def _anchors(width: int, height: int) -> np.ndarray:
    """(N, 4) anchors cx, cy, w, h in pixels, in the network's output order."""
    out = []
    for stride, sizes in zip(_STRIDES, _SIZES, strict=True):
        nx, ny = -(-width // stride), -(-height // stride)
        xx, yy = np.meshgrid(np.arange(nx), np.arange(ny))
        xy = (np.column_stack([xx.ravel(), yy.ravel()]) + 0.5) * stride
        wh = np.array([[s, s] for s in sizes], np.float32)
        out.append(np.hstack([np.repeat(xy, len(sizes), 0), np.tile(wh, (nx * ny, 1))]))
    return np.concatenate(out).astype(np.float32)


class RetinaFace:
    name = "retinaface"
    tile = 1536  # detector px for images larger than one tile (bounds peak memory, detect/ensemble.py)

    def __call__(self, rgb: np.ndarray, threshold: float) -> Regions:
        h, w = rgb.shape[:2]
        padded = pad_to_multiple(rgb)
        ph, pw = padded.shape[:2]
        # BGR planes minus the mean. Transposed while still uint8, then converted once: 2.5x cheaper
        # than converting first (a 2x tile of a 1080p frame: ~25 -> ~10 ms), same values bit for bit.
        x = np.ascontiguousarray(padded[..., ::-1].transpose(2, 0, 1))[None].astype(np.float32)
        x -= _MEAN_BGR.reshape(1, 3, 1, 1)
        loc, conf, lms = _session().run(None, {"input": x})
        scores = conf[0, :, 1]
        keep = np.nonzero(scores > threshold)[0]
        if len(keep) == 0:
            return Regions.empty()
        a = _anchors(pw, ph)[keep]
        d = loc[0, keep]
        cxy = a[:, :2] + d[:, :2] * 0.1 * a[:, 2:]
        wh = a[:, 2:] * np.exp(d[:, 2:] * 0.2)
        boxes = np.hstack([cxy - wh / 2, cxy + wh / 2])
        p = lms[0, keep].reshape(-1, 5, 2)
        landmarks = a[:, None, :2] + p * 0.1 * a[:, None, 2:]
        regions = Regions.from_boxes(boxes, scores[keep], "face", self.name, landmarks)
        return regions.clipped(w, h).nms(0.4)
