"""Make the RetinaFace unseen runs for its 2x small-face pass: the int8 file with the 2x upscale folded in.

Usage:  python tools/make_retinaface_x2.py [SRC [DST]]
  SRC defaults to src/unseen/detect/models/retinaface-mobilenet0.25-int8.onnx (checked by its SHA-256),
  DST to retinaface-mobilenet0.25-int8-x2.onnx beside it. Build-time only: needs ``onnx``. Prints the
  result's SHA-256 (record it in detect/weights.py).

Why: the small-face pass enlarged each photo 2x (bilinear) and fed that to the network, whose first
layer is a 3x3 convolution with stride 2. Both are linear, so together they are one 3x3 convolution with
stride 1 on the photo itself: with the bilinear weights of a 2x enlargement (3/4 and 1/4 of the two
nearest pixels), the three enlarged pixels a stride-2 tap reads at output p are

    U[2p-1] = 3/4 I[p-1] + 1/4 I[p],   U[2p] = 1/4 I[p-1] + 3/4 I[p],   U[2p+1] = 3/4 I[p] + 1/4 I[p+1]

(each axis), so the folded kernel is A^T K A with A the 3x3 matrix of those weights. The network then
never sees the 4x larger image: no enlargement, 4x less input to prepare, the same first-layer output
up to the enlargement's rounding to 8 bits and the image's outermost pixels (there the enlargement
repeats the border pixel, while the folded layer reads the convolution's zero padding or the black
padding to the network's multiple of 32). Everything after the first layer is the int8 file
unchanged: that layer stays in float there (tools/make_retinaface_int8.py), so its quantisation
parameters still hold.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from unseen.detect.weights import RETINAFACE_INT8_SHA256

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "src" / "unseen" / "detect" / "models"
SRC = MODELS / "retinaface-mobilenet0.25-int8.onnx"
SRC_SHA256 = RETINAFACE_INT8_SHA256  # the shipped int8 file (detect/weights.py)
DEFAULT_DST = MODELS / "retinaface-mobilenet0.25-int8-x2.onnx"
# Rows: the enlarged pixels U[2p-1], U[2p], U[2p+1] a stride-2 tap reads; columns: I[p-1], I[p], I[p+1].
BILINEAR_2X = np.array([[0.75, 0.25, 0.0], [0.25, 0.75, 0.0], [0.0, 0.75, 0.25]])


def fold_kernel(kernel: np.ndarray) -> np.ndarray:
    """(out, in, 3, 3) stride-2 kernel on a 2x bilinear enlargement -> stride-1 kernel on the original."""
    a = BILINEAR_2X
    return np.einsum("ay,ocab,bx->ocyx", a, kernel.astype(np.float64), a).astype(np.float32)


def fold(src: Path, dst: Path) -> str:
    """Write ``src`` with its first convolution folded (see the module docstring); returns the SHA-256."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(src)
    first = [n for n in model.graph.node if n.op_type == "Conv" and "input" in n.input]
    if len(first) != 1:
        raise SystemExit(f"{src}: expected one convolution on the input, found {len(first)}")
    conv = first[0]
    attrs = {a.name: a for a in conv.attribute}
    if list(attrs["strides"].ints) != [2, 2] or list(attrs["kernel_shape"].ints) != [3, 3] \
            or list(attrs["pads"].ints) != [1, 1, 1, 1]:
        raise SystemExit(f"{src}: the first convolution is not 3x3, stride 2, padding 1")
    inits = {i.name: i for i in model.graph.initializer}
    kernel = numpy_helper.to_array(inits[conv.input[1]])
    inits[conv.input[1]].CopyFrom(numpy_helper.from_array(fold_kernel(kernel), conv.input[1]))
    del attrs["strides"].ints[:]
    attrs["strides"].ints.extend([1, 1])
    onnx.save(model, dst)
    return hashlib.sha256(dst.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else SRC
    dst = Path(argv[1]) if len(argv) > 1 else DEFAULT_DST
    if not argv and hashlib.sha256(src.read_bytes()).hexdigest() != SRC_SHA256:
        raise SystemExit(f"{src}: not the shipped int8 model")
    digest = fold(src, dst)
    print(f"wrote {dst} ({dst.stat().st_size:,} bytes); SHA-256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
