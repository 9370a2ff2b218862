"""RetinaFace-MobileNet0.25 (MIT, shipped in ``detect/models``): ~4x faster than CenterFace.

Used as a second opinion in the ensemble, typically at 2x where it finds small faces CenterFace
misses; it enlarges a tile itself (``upscales``), into its own input or, for video, inside the model.
Anchor decoding follows the package's own postprocess, vectorised and without its 0.9 score floor.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import raster
from ..regions import Regions
from .onnx_session import current_device, session
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


def _network_input(rgb: np.ndarray, size: tuple[int, int], multiple: int = 32) -> np.ndarray:
    """The network's input for ``rgb`` enlarged to ``size`` (width, height): BGR planes minus the mean,
    zero-padded (black) at the bottom and right to ``multiple``.

    Built a plane at a time: each channel is enlarged on its own (Pillow's bilinear on one 8-bit band
    gives the same bytes as on the RGB image) straight into its plane of the tensor, so there is no
    enlarged RGB copy to transpose and convert; at 2x the plane goes through ``raster.doubled``, Pillow's
    bytes in numpy. On a WIDER photo's 2x pass: ~43 -> ~30 ms a plane at a time, ~18 ms with
    ``doubled``, the same tensor bit for bit (tests/test_regions.py)."""
    width, height = size
    ph, pw = -(-height // multiple) * multiple, -(-width // multiple) * multiple
    x = np.empty((1, 3, ph, pw), np.float32)
    for i, channel in enumerate((2, 1, 0)):
        plane = rgb[..., channel]
        if (width, height) != (rgb.shape[1], rgb.shape[0]):
            plane = raster.resize(plane, width, height)
        np.subtract(plane, _MEAN_BGR[i], out=x[0, i, :height, :width])
        x[0, i, height:, :] = -_MEAN_BGR[i]
        x[0, i, :height, width:] = -_MEAN_BGR[i]
    return x


class RetinaFace:
    name = "retinaface"
    tile = 1536  # detector px for images larger than one tile (bounds peak memory, detect/ensemble.py)

    def __init__(self, fold_2x: bool = False):
        self.fold_2x = fold_2x

    # Scales this backend enlarges to itself (``__call__``'s ``upscale``), so the ensemble hands it the
    # tile at its own size: 2x, the small-face pass's. It enlarges into the network's input a plane at a
    # time (``_network_input``). With ``fold_2x`` on the CPU the int8 file with the enlargement folded
    # into its first layer does it instead (tools/make_retinaface_x2.py; the pass costs ~0.84x). Photos
    # and video run that one ("retinaface-x2"); its scores differ from the enlarged copy's near the
    # threshold, so photos run it at a threshold calibrated against the enlarged copy's
    # (``ensemble.SMALL_FACE_PASS``). The enlarged copy stays for a GPU, which runs the float file.
    upscales = (2.0,)

    def __call__(self, rgb: np.ndarray, threshold: float, upscale: float = 1.0) -> Regions:
        """Faces in ``rgb`` scored above ``threshold``, boxes in ``rgb``'s pixels; with ``upscale`` 2 (one
        of ``upscales``) as found on ``rgb`` enlarged 2x."""
        h, w = rgb.shape[:2]
        if upscale != 1.0 and upscale not in self.upscales:
            raise ValueError(f"RetinaFace cannot enlarge {upscale}x itself (upscales: {self.upscales})")
        size = raster.scaled_size(w, h, upscale)  # as the ensemble sizes any other backend's copy
        if upscale != 1.0 and self.fold_2x and current_device() == "cpu":
            # /16 here is /32 of the enlarged image, the network's own multiple.
            x, sess = _network_input(rgb, (w, h), 32 // int(upscale)), _session_x2()
            ph, pw = x.shape[2] * int(upscale), x.shape[3] * int(upscale)
        else:
            x, sess = _network_input(rgb, size), _session()
            ph, pw = x.shape[2:]
        loc, conf, lms = sess.run(None, {"input": x})
        scores = conf[0, :, 1]
        keep = np.nonzero(scores > threshold)[0]
        if len(keep) == 0:
            return Regions.empty()
        # Anchors and boxes in the network's pixels (the enlarged image's), back to ``rgb``'s at the end.
        a = _anchors(pw, ph)[keep]
        d = loc[0, keep]
        cxy = a[:, :2] + d[:, :2] * 0.1 * a[:, 2:]
        wh = a[:, 2:] * np.exp(d[:, 2:] * 0.2)
        boxes = np.hstack([cxy - wh / 2, cxy + wh / 2])
        p = lms[0, keep].reshape(-1, 5, 2)
        landmarks = a[:, None, :2] + p * 0.1 * a[:, None, 2:]
        regions = Regions.from_boxes(boxes, scores[keep], "face", self.name, landmarks)
        return regions.clipped(*size).nms(0.4).scaled(w / size[0], h / size[1])
