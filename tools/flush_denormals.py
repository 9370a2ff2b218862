"""Make unseen's text detector from RapidOCR's file: its denormal float weights set to zero.

Usage:  python tools/flush_denormals.py SRC [DST]
  SRC: RapidOCR's PP-OCRv6_det_small.onnx, as the wheel named in
  src/unseen/detect/models/LICENSE-ppocr-det.txt ships it (``SOURCES`` below: its SHA-256);
  DST defaults to the file of the same name in src/unseen/detect/models.
  The recogniser is made by tools/fold_recogniser.py, which calls ``flush`` before and after its
  folds (this tool made it, without the folds, until the fold).

Build-time only: needs the ``onnx`` package (tested with onnx 1.23); the results load in onnxruntime
without it.

Why: RapidOCR's PP-OCRv6 text detector holds 255,958 denormal weights (non-zero, under 2**-126 in
magnitude) of its 2,453,416, nearly all in the two 1 x 1 convolutions of its last backbone stage
(conv2d_161 and conv2d_165: 24% and 63% of their weights). On CPUs that take a slow path for
denormal operands (measured on an Intel Xeon with AVX-512) those two convolutions, 0.2 GFLOP each on a
1024 x 704 photo, took 0.55 s of the detector's ~0.9 s; with the weights at zero the pass takes ~0.3 s.
The PP-OCRv4 recogniser holds 31,350 (in 10 Constant tensors of its 1 x 1 convolutions), which cost
nothing measurable on that CPU; they are set to zero too (``flush`` called by tools/fold_recogniser.py),
so that no model unseen ships carries any (tests/test_model_denormals.py). Values that small move
nothing: the detector's probability maps and the recogniser's outputs were the same bit for bit, and so
was unseen's output on every photo and clip compared (docs/BENCHMARKS.md, "Plates and text: the text
models' denormal weights").

Recipe (nothing else changes: same nodes, same opset, every other weight bit for bit):
  1. check the source SHA-256;
  2. in every float32 initializer and Constant node tensor, set each value with 0 < |x| < 2**-126
     to +0.0;
  3. serialise with onnx.ModelProto.SerializeToString and check the result's SHA-256 against the
     value unseen records (detect/weights.py).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from unseen.detect.weights import TEXT_DET_SHA256

# source SHA-256 -> (file name, denormal weights it holds, SHA-256 of the result)
SOURCES = {
    "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f":  # rapidocr 3.10.0
        ("PP-OCRv6_det_small.onnx", 255_958, TEXT_DET_SHA256),
}


def _flush_tensor(tensor, tiny: float) -> int:
    """Zero one TensorProto's denormal float32 values in place; returns how many there were."""
    import onnx
    from onnx import numpy_helper

    if tensor.data_type != onnx.TensorProto.FLOAT:
        return 0
    a = numpy_helper.to_array(tensor).copy()
    small = (a != 0) & (np.abs(a) < tiny)
    if not small.any():
        return 0
    a[small] = 0.0
    tensor.CopyFrom(numpy_helper.from_array(a, tensor.name))
    return int(small.sum())


def flush(data: bytes) -> tuple[bytes, int]:
    """The model with its denormal float32 weights at zero, and how many there were."""
    import onnx

    model = onnx.ModelProto()
    model.ParseFromString(data)
    tiny = float(np.finfo(np.float32).tiny)
    flushed = sum(_flush_tensor(init, tiny) for init in model.graph.initializer)
    flushed += sum(_flush_tensor(attr.t, tiny) for node in model.graph.node for attr in node.attribute
                   if attr.type == onnx.AttributeProto.TENSOR)
    onnx.checker.check_model(model)
    return model.SerializeToString(), flushed


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    data = src.read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got not in SOURCES:
        sys.exit(f"{src}: SHA-256 {got} is none of the source files this tool knows")
    name, expected, want = SOURCES[got]
    models = Path(__file__).resolve().parents[1] / "src" / "unseen" / "detect" / "models"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else models / name
    out, flushed = flush(data)
    if flushed != expected:
        sys.exit(f"{flushed} denormal weights, expected {expected}")
    sha = hashlib.sha256(out).hexdigest()
    dst.write_bytes(out)
    print(f"{dst}: {len(out)} bytes, {flushed} denormal weights set to zero, SHA-256 {sha}")
    if sha != want:
        sys.exit(f"SHA-256 differs from the one detect/weights.py records ({want}): record it there")


if __name__ == "__main__":
    main()
