"""Big faces in photos: the overview pass (``ensemble.OVERVIEW``) on and off.

A face of a third of the picture or more comes back from CenterFace at native size in pieces. Measured in
process (``anonymize_image``, faces only, the self-check on), with the overview pass and without it
(``ensemble.OVERVIEW_FROM`` set past any picture):

* **big faces**: three portraits of face_recognition's examples (``../shared/data/face_recognition_ageitgey``,
  the face boxes set by eye) cut so the face fills 40-150% of a square frame, enlarged to 800-3000 px (the
  originals are 0.3-0.5 MP: these are upscaled); a face's middle is covered when >= 90% of the middle 60% of
  its box (inside the frame) is the fill, and the share of its box and of the box grown 1.3x at the fill;
* **crowds**: regions and the share of the picture changed on crowd photos that are not the benchmark
  (ultralight, insightface, dbface, fddb): what the pass adds that is no big face;
* **cost**: CPU seconds of the WIDER benchmark's 8 photos and of the crowd photos, on and off interleaved,
  ``--repeat`` rounds, medians (CPU of the whole process: both detector threads).

    python bench/big_faces.py [--write-md] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from benchlib import emit, machine, run_header
from PIL import Image
from plates import CROWDS, SHARED, WIDER, crowd_photos, load

from unseen import Options, anonymize_image
from unseen.detect import ensemble

SECTION = "## Big faces: the overview pass (bench/big_faces.py)"
PORTRAITS = SHARED / "face_recognition_ageitgey" / "examples"
FACES = {"obama.jpg": (384, 109, 594, 406), "biden.jpg": (434, 180, 708, 561),
         "lin-manuel-miranda.png": (266, 152, 533, 484)}  # (x0, y0, x1, y1), by eye
FILLS = (0.4, 0.7, 1.0, 1.2, 1.5)
SIDES = (800, 1600, 2000, 3000)
OPTIONS = Options(cover=("face",))
SHIPPED = ensemble.OVERVIEW_FROM


def overview(on: bool) -> None:
    ensemble.OVERVIEW_FROM = SHIPPED if on else float("inf")


def close_ups() -> dict[int, list[tuple[np.ndarray, tuple[float, float, float, float]]]]:
    """By frame side: (picture, face box in its pixels) for each portrait and fill."""
    out: dict[int, list] = {s: [] for s in SIDES}
    for name, (x0, y0, x1, y1) in FACES.items():
        photo = Image.open(PORTRAITS / name).convert("RGB")
        cx, cy, size = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0)
        for fill in FILLS:
            side = size / fill
            left, top = round(cx - side / 2), round(cy - side / 2)
            crop = photo.crop((left, top, left + round(side), top + round(side)))
            for s in SIDES:
                k = s / round(side)
                box = ((x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k)
                out[s].append((np.asarray(crop.resize((s, s), Image.LANCZOS)), box))
    return out


def filled(out: np.ndarray, box: tuple[float, float, float, float], grow: float) -> float:
    """Share of ``box`` grown (or shrunk) by ``grow`` about its centre, inside the frame, at the fill."""
    h, w = out.shape[:2]
    cx, cy, bw, bh = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, (box[2] - box[0]) * grow, (box[3] - box[1]) * grow
    x0, y0 = max(0, int(cx - bw / 2)), max(0, int(cy - bh / 2))
    x1, y1 = min(w, int(cx + bw / 2)), min(h, int(cy + bh / 2))
    return float((np.abs(out[y0:y1, x0:x1].astype(int) - 128).max(-1) <= 8).mean())


def big_faces() -> list[str]:
    rows = ["| frame side | middles covered, without | with the overview | face box at the fill, mean (min), "
            "without / with | 1.3x box, mean, without / with |", "|---|---|---|---|---|"]
    for side, items in close_ups().items():
        got: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
        for picture, box in items:
            for on in got:
                overview(on)
                out, _ = anonymize_image(picture, OPTIONS)
                got[on].append((filled(out, box, 0.6), filled(out, box, 1.0), filled(out, box, 1.3)))
        n = len(items)
        mid = {on: sum(v[0] >= 0.9 for v in got[on]) for on in got}
        box = {on: f"{np.mean([v[1] for v in got[on]]):.2f} ({min(v[1] for v in got[on]):.2f})" for on in got}
        grown = {on: f"{np.mean([v[2] for v in got[on]]):.2f}" for on in got}
        rows.append(f"| {side} px | {mid[False]}/{n} | {mid[True]}/{n} | {box[False]} / {box[True]} | "
                    f"{grown[False]} / {grown[True]} |")
        print(rows[-1], flush=True)
    return rows


def crowds_and_cost(repeat: int) -> list[str]:
    sets = {"WIDER benchmark photos": [load(p) for p in sorted(WIDER.rglob("*.jpg"))],
            "crowd photos": [load(p) for p in crowd_photos((*CROWDS, "fddb_sample"))]}
    rows = ["| photos | regions, without / with | changed share, without / with | CPU s (median of "
            f"{repeat}), without / with |", "|---|---|---|---|"]
    for label, pictures in sets.items():
        regions, changed, cpu = {False: 0, True: 0}, {False: [], True: []}, {False: [], True: []}
        for r in range(repeat):
            for on in ((False, True) if r % 2 == 0 else (True, False)):
                overview(on)
                t = time.process_time()
                for picture in pictures:
                    out, found = anonymize_image(picture, OPTIONS)
                    if r == 0:
                        regions[on] += len(found)
                        changed[on].append(float((np.abs(picture.astype(int) - out).max(-1) > 24).mean()))
                cpu[on].append(time.process_time() - t)
        off_s, on_s = statistics.median(cpu[False]), statistics.median(cpu[True])
        rows.append(f"| {label} ({len(pictures)}) | {regions[False]} / {regions[True]} | "
                    f"{100 * np.mean(changed[False]):.2f}% / {100 * np.mean(changed[True]):.2f}% | "
                    f"{off_s:.1f} / {on_s:.1f} ({on_s / off_s:.2f}x) |")
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    lines = [*run_header(machine()), "", *big_faces(), "", *crowds_and_cost(args.repeat)]
    overview(True)
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
