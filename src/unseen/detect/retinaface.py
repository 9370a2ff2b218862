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
from .weights import retinaface_int8_onnx, retinaface_int8_x2_onnx, retinaface_onnx

_STRIDES = (8, 16, 32)
_SIZES = ((16, 32), (64, 128), (256, 512))
_MEAN_BGR = np.array([104, 117, 127], np.float32)


def _session():
    """int8 on the CPU (0.55x the CPU of float for the same recall: docs/BENCHMARKS.md, "Protection"
    and "Video"); float on a GPU, where int8 kernels are not the fast path."""
    if current_device() == "cpu":
        return session("retinaface-int8", retinaface_int8_onnx)
    return session("retinaface", retinaface_onnx)


def _session_x2():
    """The int8 file with a 2x bilinear enlargement folded into its first convolution
    (tools/make_retinaface_x2.py): the small-face pass without enlarging the photo."""
    return session("retinaface-int8-x2", retinaface_int8_x2_onnx)


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

    def __init__(self, fold_2x: bool = False):
        self.fold_2x = fold_2x

    @property
    def upscales(self) -> tuple[float, ...]:
        """Scales this backend enlarges to itself (``__call__``'s ``upscale``), so the ensemble hands it
        the tile at its own size. With ``fold_2x`` on the CPU: 2x, done by the int8 file with the
        enlargement folded into its first layer (tools/make_retinaface_x2.py; its 2x pass on a WIDER
        photo ~137 -> ~105 ms: no bilinear enlargement, 4x less input to prepare). Video only
        (``schedule.VIDEO_BACKENDS``): on WIDER it lost a 5 px face the enlarged copy's pass scores
        just over the threshold (docs/BENCHMARKS.md, the targets table), so photos keep the copy."""
        return (2.0,) if self.fold_2x and current_device() == "cpu" else ()

    def __call__(self, rgb: np.ndarray, threshold: float, upscale: float = 1.0) -> Regions:
        """Faces in ``rgb`` scored above ``threshold``, boxes in ``rgb``'s pixels; with ``upscale`` 2 (one
        of ``upscales``) as found on ``rgb`` enlarged 2x."""
        h, w = rgb.shape[:2]
        if upscale == 1.0:
            padded, sess = pad_to_multiple(rgb), _session()
        elif upscale in self.upscales:
            # /16 here is /32 of the enlarged image, the network's own multiple.
            padded, sess = pad_to_multiple(rgb, 32 // int(upscale)), _session_x2()
        else:
            raise ValueError(f"RetinaFace cannot enlarge {upscale}x itself (upscales: {self.upscales})")
        ph, pw = padded.shape[:2]
        # BGR planes minus the mean. Transposed while still uint8, then converted once: 2.5x cheaper
        # than converting first (a 2x tile of a 1080p frame: ~25 -> ~10 ms), same values bit for bit.
        x = np.ascontiguousarray(padded[..., ::-1].transpose(2, 0, 1))[None].astype(np.float32)
        x -= _MEAN_BGR.reshape(1, 3, 1, 1)
        loc, conf, lms = sess.run(None, {"input": x})
        scores = conf[0, :, 1]
        keep = np.nonzero(scores > threshold)[0]
        if len(keep) == 0:
            return Regions.empty()
        # Anchors and boxes in the network's pixels (the enlarged image's), then back to ``rgb``'s.
        a = _anchors(round(pw * upscale), round(ph * upscale))[keep]
        d = loc[0, keep]
        cxy = a[:, :2] + d[:, :2] * 0.1 * a[:, 2:]
        wh = a[:, 2:] * np.exp(d[:, 2:] * 0.2)
        boxes = np.hstack([cxy - wh / 2, cxy + wh / 2]) / upscale
        p = lms[0, keep].reshape(-1, 5, 2)
        landmarks = (a[:, None, :2] + p * 0.1 * a[:, None, 2:]) / upscale
        regions = Regions.from_boxes(boxes, scores[keep], "face", self.name, landmarks)
        return regions.clipped(w, h).nms(0.4)
