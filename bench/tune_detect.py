"""Choose the detector ensemble by measurement: per-pass detections on WIDER FACE, then every combo.

For speed this evaluates in-process: each candidate pass runs once per image (timed), and a
combination's coverage is computed by rendering its padded masks and measuring, for each
ground-truth face, the fraction of its box covered (the same >= 70% rule as bench/protection.py,
minus JPEG noise). Use it to pick ``DEFAULT_PASSES``; confirm with bench/protection.py.

    python bench/tune_detect.py [--data ../shared/data/widerface] [--pad 0.3]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
from PIL import Image

from unseen.detect.ensemble import BACKENDS, Detector
from unseen.mask import region_mask
from unseen.regions import Regions

CANDIDATES = {
    "cf1@.2": ("centerface", 1.0, 0.2),
    "cf1@.1": ("centerface", 1.0, 0.1),
    "cf2@.2": ("centerface", 2.0, 0.2),
    "cf1.5@.2": ("centerface", 1.5, 0.2),
    "rf1@.5": ("retinaface", 1.0, 0.5),
    "rf2@.5": ("retinaface", 2.0, 0.5),
    "rf2@.3": ("retinaface", 2.0, 0.3),
    "rf3@.5": ("retinaface", 3.0, 0.5),
    "cf1f@.2": ("centerface", 1.0, 0.2),  # horizontally flipped input
    "rf2@.2": ("retinaface", 2.0, 0.2),
    "rf2@.15": ("retinaface", 2.0, 0.15),
    "rf2@.1": ("retinaface", 2.0, 0.1),
    "rf1@.3": ("retinaface", 1.0, 0.3),
    "rf1@.15": ("retinaface", 1.0, 0.15),
    "rf1.5@.15": ("retinaface", 1.5, 0.15),
    "cf.75@.1": ("centerface", 0.75, 0.1),
    "cf.5@.1": ("centerface", 0.5, 0.1),
    "rf2.5@.3": ("retinaface", 2.5, 0.3),
    "cf1.5@.1": ("centerface", 1.5, 0.1),
}


def load_gt(data: Path) -> dict[str, np.ndarray]:
    lines = (data / "wider_face_val_bbx_gt.txt").read_text().split("\n")
    gt, i = {}, 0
    while i < len(lines) and lines[i].strip():
        name, n = lines[i].strip(), int(lines[i + 1])
        rows = [list(map(int, lines[i + 2 + k].split()[:10])) for k in range(max(n, 1))]
        gt[name] = np.array(rows[:n]).reshape(-1, 10)
        i += 2 + max(n, 1)
    return gt


def coverage(shape: tuple[int, int], regions: Regions, gt: np.ndarray, pad: float) -> np.ndarray:
    h, w = shape
    covered = np.zeros((h, w), bool)
    for box in regions.padded(pad, w, h).boxes:
        x1, y1, x2, y2 = int(np.floor(box[0])), int(np.floor(box[1])), int(np.ceil(box[2])), int(np.ceil(box[3]))
        if x2 > x1 and y2 > y1:
            covered[y1:y2, x1:x2] |= region_mask((y2 - y1, x2 - x1), "ellipse")
    out = []
    for x, y, bw, bh in gt[:, :4]:
        patch = covered[y : y + max(bh, 1), x : x + max(bw, 1)]
        out.append(patch.mean() if patch.size else 0.0)
    return np.array(out), covered.mean()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/widerface")
    ap.add_argument("--pad", type=float, default=0.25)
    ap.add_argument("--max-passes", type=int, default=3)
    ap.add_argument("--target", type=float, default=0.93, help="list the cheapest combos above this recall")
    ap.add_argument("--only", default="", help="comma-separated candidate keys to evaluate")
    args = ap.parse_args()
    gt = load_gt(args.data)
    if args.only:
        for k in [k for k in CANDIDATES if k not in args.only.split(",")]:
            del CANDIDATES[k]
    backends = {k: v() for k, v in BACKENDS.items()}
    dets: dict[str, dict[str, Regions]] = {k: {} for k in CANDIDATES}
    times = {k: 0.0 for k in CANDIDATES}
    images = {}
    for name in gt:
        rgb = np.asarray(Image.open(args.data / "images" / name).convert("RGB"))
        images[name] = rgb
        for key, (backend, scale, thr) in CANDIDATES.items():
            src = rgb[:, ::-1].copy() if key.startswith("cf1f") else rgb
            Detector.run_pass(src, backends[backend], scale, thr)  # warm-up per shape
            t = time.process_time()  # CPU seconds: steadier than wall time on a shared machine
            r = Detector.run_pass(src, backends[backend], scale, thr)
            times[key] += time.process_time() - t
            if key.startswith("cf1f"):
                w = rgb.shape[1]
                b = r.boxes.copy()
                b[:, [0, 2]] = w - r.boxes[:, [2, 0]]
                r = Regions(b, r.scores, r.kinds, r.sources, r.landmarks)
            dets[key][name] = r
    print("pass times (s, all 8 images):", {k: round(v, 2) for k, v in times.items()})
    rows = []
    keys = list(CANDIDATES)
    for n in range(1, args.max_passes + 1):
        for combo in itertools.combinations(keys, n):
            allcov, area = [], []
            for name, g in gt.items():
                valid = g[g[:, 7] == 0]
                merged = Regions.concat([dets[k][name] for k in combo]).nms(0.35)
                cov, a = coverage(images[name].shape[:2], merged, valid, args.pad)
                allcov.append(np.c_[cov, valid[:, 3], valid[:, 8]])
                area.append(a)
            c = np.concatenate(allcov)
            hit = c[:, 0] >= 0.7
            big = c[:, 1] >= 16
            visible = big & (c[:, 2] != 2)
            rows.append((hit.mean(), hit[big].mean(), hit[visible].mean(), np.mean(area),
                         sum(times[k] for k in combo), "+".join(combo), int(hit.sum()), len(hit)))
    rows.sort(key=lambda r: (-r[0], r[4]))
    print(f"{'overall':>8} {'h>=16':>6} {'visible':>7} {'area':>6} {'time':>6}  combo")
    singles = [r for r in rows if "+" not in r[5]]
    cheapest = sorted((r for r in rows if r[0] >= args.target), key=lambda r: r[4])[:10]
    for r in rows[:10] + singles + cheapest:
        print(f"{r[0]:8.3f} {r[1]:6.3f} {r[2]:7.3f} {r[3]:6.3f} {r[4]:6.2f}  {r[5]} ({r[6]}/{r[7]})")


if __name__ == "__main__":
    main()
