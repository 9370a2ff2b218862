"""Make the int8 RetinaFace unseen ships, from its fp32 model and photos that are not the benchmark.

Usage:  python tools/make_retinaface_int8.py [DATA [DST]]
  DATA: ../shared/data (the crowd folders in CALIB_DIRS are read; never widerface, the benchmark);
  DST defaults to src/unseen/detect/models/retinaface-mobilenet0.25-int8.onnx.

Build-time only: needs ``onnx`` (tested with onnx 1.23.2, onnxruntime 1.32.0); the result loads in
onnxruntime alone. Prints the result's SHA-256 (record it in detect/weights.py).

Recipe (chosen on the WIDER protection table and the video slip table, docs/BENCHMARKS.md):
  1. the shipped fp32 model (checked by its SHA-256), opset 11 -> 13 (per-channel DequantizeLinear needs
     ``axis``), then onnxruntime's ``quant_pre_process`` (shape inference, basic fusions; same outputs);
  2. calibration on 83 photos of the crowd folders, fed exactly as unseen feeds RetinaFace: each photo
     at 1x (the self-check, the video glance) and upscaled 2x (the small-face pass) by unseen's own
     ``raster.resize``, in tiles of at most 2048 detector px, BGR minus the mean, padded to /32;
  3. static QDQ, MinMax calibration, per-channel int8 weights, uint8 activations, **reduce_range**
     (7-bit weights): without it, CPUs lacking VNNI (most AVX2 laptops) saturate 16-bit sums in their
     u8 x s8 kernels and give other boxes than the CPU it was measured on; with it the integer sums are
     exact on every CPU, as they are with VNNI;
  4. kept in float: backbone stage 1 (22 nodes: the stride 2-8 convolutions, where int8 error in the
     scores came from and speed did not), the first convolution, the 9 head convolutions and Softmax.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from unseen.detect.weights import RETINAFACE_SHA256

REPO = Path(__file__).resolve().parents[1]
FP32 = REPO / "src" / "unseen" / "detect" / "models" / "retinaface-mobilenet0.25.onnx"
FP32_SHA256 = RETINAFACE_SHA256  # the shipped float file (detect/weights.py)
DEFAULT_DST = FP32.with_name("retinaface-mobilenet0.25-int8.onnx")
CALIB_DIRS = ("ultralight_face_linzaer/imgs", "dbface_dlunion", "insightface_deepinsight", "retinaface_serengil",
              "blazeface_hollance")
EXTS = ("jpg", "jpeg", "png", "webp", "JPG", "JPEG", "PNG")
TILE, OVERLAP = 2048, 192  # detector px, as unseen's ensemble tiles a photo that fits 2048 px
MEAN_BGR = np.array([104, 117, 127], np.float32)


def calibration_paths(data: Path) -> list[Path]:
    paths = sorted({p for d in CALIB_DIRS for e in EXTS for p in (data / d).rglob(f"*.{e}")})
    if not paths or any("widerface" in str(p) for p in paths):
        raise SystemExit(f"no calibration photos under {data} (or the benchmark slipped in)")
    return paths


def inputs(paths: list[Path]):
    """RetinaFace inputs for every photo at 1x and 2x, tiled and pre-processed as unseen does."""
    from unseen import raster
    from unseen.detect.tiling import tiles

    for p in paths:
        with Image.open(p) as im:
            rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        h, w = rgb.shape[:2]
        for scale in (1.0, 2.0):
            tile, overlap = max(32, int(TILE / scale)), int(OVERLAP / scale)
            for y0, th in tiles(h, tile, overlap):
                for x0, tw in tiles(w, tile, overlap):
                    crop = rgb[y0 : y0 + th, x0 : x0 + tw]
                    if scale != 1.0:
                        crop = raster.resize(crop, max(1, round(tw * scale)), max(1, round(th * scale)))
                    ph, pw = (-crop.shape[0]) % 32, (-crop.shape[1]) % 32
                    crop = np.pad(crop, ((0, ph), (0, pw), (0, 0)))
                    x = (crop[..., ::-1].astype(np.float32) - MEAN_BGR).transpose(2, 0, 1)[None]
                    yield {"input": np.ascontiguousarray(x)}


def float_nodes(model) -> list[str]:
    """Backbone stage 1, the first convolution, the 9 head convolutions and Softmax (step 4)."""
    nodes = model.graph.node
    stage1 = [n.name for n in nodes if "/fx/stage1/" in n.name]
    first = [n.name for n in nodes if n.op_type == "Conv" and "input" in n.input]
    heads = [n.name for n in nodes if n.op_type == "Conv"
             and any(h in n.name for h in ("/class_head/", "/bbox_head/", "/landmark_head/"))]
    soft = [n.name for n in nodes if n.op_type == "Softmax"]
    if (len(stage1), len(first), len(heads), len(soft)) != (22, 1, 9, 1):
        raise SystemExit(f"unexpected graph: {len(stage1)} stage-1, {len(first)} first, {len(heads)} head nodes")
    return list(dict.fromkeys(stage1 + first + heads + soft))


def quantise(src: Path, dst: Path, feeds, keep_float, opset: int) -> str:
    """Static QDQ int8 of ``src`` (converted to opset 13 first) into ``dst``, calibrated on the input
    dicts ``feeds()`` yields, with the nodes ``keep_float(model)`` names left in float (the recipe of
    step 3 above, shared with tools/make_centerface_int8.py); returns the result's SHA-256."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        op13, pre = Path(tmp) / "op13.onnx", Path(tmp) / "pre.onnx"
        onnx.save(version_converter.convert_version(onnx.load(src), opset), op13)
        quant_pre_process(str(op13), str(pre), skip_symbolic_shape=True)
        model = onnx.load(pre)
        for i, n in enumerate(model.graph.node):  # nodes_to_exclude needs names
            n.name = n.name or f"{n.op_type}_{i}"
        onnx.save(model, pre)

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.it = feeds()

            def get_next(self):
                return next(self.it, None)

        quantize_static(str(pre), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        reduce_range=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=keep_float(model))
    return hashlib.sha256(dst.read_bytes()).hexdigest()


def build(argv: list[str], fp32: Path, fp32_sha256: str, default_dst: Path, feeds, keep_float) -> int:
    """The command line of both int8 tools: check the float model, calibrate on DATA, write DST
    (``feeds(paths)`` yields the model's inputs for the calibration photos)."""
    data = Path(argv[0]) if argv else REPO.parent / "shared" / "data"
    dst = Path(argv[1]) if len(argv) > 1 else default_dst
    if hashlib.sha256(fp32.read_bytes()).hexdigest() != fp32_sha256:
        raise SystemExit(f"{fp32}: not the shipped fp32 model")
    paths = calibration_paths(data)
    digest = quantise(fp32, dst, lambda: feeds(paths), keep_float, 13)
    print(f"wrote {dst} ({dst.stat().st_size:,} bytes) from {len(paths)} calibration photos; SHA-256 {digest}")
    return 0


def main(argv: list[str]) -> int:
    return build(argv, FP32, FP32_SHA256, DEFAULT_DST, inputs, float_nodes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
