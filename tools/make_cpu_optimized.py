"""Make the CPU-optimised copies of unseen's int8 face models: what onnxruntime would make of them at
every start, made once.

Usage:  python tools/make_cpu_optimized.py
  For each model in ``unseen.detect.weights.CPU_OPTIMIZED`` writes ``<stem>.cpu.onnx`` beside it in
  src/unseen/detect/models and prints its SHA-256 (record it there). Build-time only; run it with the
  onnxruntime version that ``CPU_OPTIMIZED_BY`` names, or record the new one.

Why: a session on a quantised model spends most of its set-up fusing the QuantizeLinear /
DequantizeLinear pairs around each operator into int8 kernels (QLinearConv and friends) and folding
constants: ~120 ms of CPU for RetinaFace's int8 file, ~75 ms for CenterFace's, in every run of unseen,
before the first photo (docs/BENCHMARKS.md, "Profile"). onnxruntime can write the graph it made at its
"extended" level, which is still portable ONNX (standard and onnxruntime's own com.microsoft
operators, no layout tied to one CPU); a session on that file starts in ~15-35 ms and computes the
same outputs bit for bit (tests/test_cpu_optimized.py checks it on a real photo). The layout level is
left to each run: it depends on the CPU.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import onnxruntime as ort

from unseen.detect import weights

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "src" / "unseen" / "detect" / "models"


def optimise(model: bytes, dst: Path) -> str:
    """Write onnxruntime's extended-level graph of ``model`` to ``dst``; returns its SHA-256."""
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    opts.intra_op_num_threads = 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / dst.name
        opts.optimized_model_filepath = str(out)
        ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
        data = out.read_bytes()
    dst.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    if ort.__version__ != weights.CPU_OPTIMIZED_BY:
        print(f"note: onnxruntime {ort.__version__}, the shipped files were made with {weights.CPU_OPTIMIZED_BY}",
              file=sys.stderr)
    for name, (source, filename, _) in weights.CPU_OPTIMIZED.items():
        sha = optimise(getattr(weights, source)(), MODELS / filename)
        print(f"{name}: {filename} {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
