"""Make the int8 CenterFace unseen ships, from its cleaned fp32 model and photos that are not the benchmark.

Usage:  python tools/make_centerface_int8.py [DATA [DST]]
  DATA: ../shared/data (the crowd folders of tools/make_retinaface_int8.py; never widerface, the benchmark);
  DST defaults to src/unseen/detect/models/centerface-int8.onnx.

Build-time only: needs ``onnx`` (tested with onnx 1.23.2, onnxruntime 1.32.0). Prints the result's
SHA-256 (record it in detect/weights.py).

Recipe: RetinaFace's (tools/make_retinaface_int8.py: opset 13, ``quant_pre_process``, static QDQ,
MinMax calibration, per-channel 7-bit int8 weights, uint8 activations), calibrated on the same 83
crowd photos fed as unseen feeds CenterFace: raw RGB 0-255, padded to /32, at 1x in tiles of at most
2048 px (1024 px tiles above that, CenterFace's own). Kept in float (9 nodes): the three transposed
convolutions of the upsampling path (``quant_pre_process`` folds their batch norms), the head's
shared convolution, the four output convolutions and the Sigmoid. Unlike RetinaFace, the backbone
may be int8 from its first convolution: keeping its first 12 convolutions in float too cost 0.72x
instead of 0.56x the float pass, for no better recall on the WIDER photos (281 against 283 of 294
faces covered in-process; docs/BENCHMARKS.md, "Protection").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from make_retinaface_int8 import build  # one recipe, one list of calibration photos
from PIL import Image, ImageOps

from unseen.detect.weights import CENTERFACE_SHA256

REPO = Path(__file__).resolve().parents[1]
FP32 = REPO / "src" / "unseen" / "detect" / "models" / "centerface.onnx"
FP32_SHA256 = CENTERFACE_SHA256  # the shipped float file (detect/weights.py)
DEFAULT_DST = FP32.with_name("centerface-int8.onnx")
TILE, SMALL_TILE, OVERLAP = 2048, 1024, 192  # px, as unseen's ensemble tiles a photo for CenterFace
OUTPUTS = {"537", "538", "539", "540"}  # heat map (after Sigmoid), scale, offset, landmarks


def inputs(paths: list[Path]):
    """CenterFace inputs for every photo, tiled and pre-processed as unseen does."""
    from unseen.detect.onnx_session import pad_to_multiple
    from unseen.detect.tiling import tiles

    for p in paths:
        with Image.open(p) as im:
            rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        h, w = rgb.shape[:2]
        tile = TILE if max(h, w) <= TILE else SMALL_TILE
        for y0, th in tiles(h, tile, OVERLAP):
            for x0, tw in tiles(w, tile, OVERLAP):
                x = pad_to_multiple(rgb[y0 : y0 + th, x0 : x0 + tw]).transpose(2, 0, 1)[None]
                yield {"input.1": x.astype(np.float32, order="C")}


def float_nodes(model) -> list[str]:
    """The upsampling path, the head's shared convolution, the output convolutions and the Sigmoid
    (see the recipe above)."""
    nodes = list(model.graph.node)
    made_by = {o: n for n in nodes for o in n.output}
    outputs = [made_by[o] for o in OUTPUTS]
    heads = [made_by[n.input[0]] if n.op_type == "Sigmoid" else n for n in outputs]  # the heat map's conv
    shared = made_by[heads[0].input[0]]
    while shared.op_type != "Conv":  # back through the Relu to the convolution all four heads read
        shared = made_by[shared.input[0]]
    upsampling = [n for n in nodes if n.op_type in ("ConvTranspose", "BatchNormalization")]
    names = [n.name for n in upsampling] + [shared.name] + [n.name for n in heads + outputs]
    if (len(heads), len(upsampling)) != (4, 3) or any(n.op_type != "Conv" for n in heads):
        raise SystemExit(f"unexpected graph: {len(heads)} heads, {len(upsampling)} upsampling nodes")
    return list(dict.fromkeys(names))


def main(argv: list[str]) -> int:
    return build(argv, FP32, FP32_SHA256, DEFAULT_DST, inputs, float_nodes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
