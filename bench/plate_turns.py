"""Plates turned, mirrored or flipped: the plate pass with and without ``plates.TURNED_READ``.

The recogniser (PP-OCR rec) reads upright lines only, and ``reader.crop`` turns a tall line a quarter
anticlockwise (vertical text, as PaddleOCR does): a plate in a picture turned a quarter anticlockwise, half a
turn, mirrored (a front camera's photo) or flipped top to bottom is read as nothing, and the rule turns its box
down. With TURNED_READ a box as long as a line whose read holds no text is read again each way of
``reader.TURNS``.

* **recall**: the 108 photos of the plate set (``../shared/data/plates_openalpr_eu``), each turned every way,
  the plate pass alone (``TextBoxes``, plates rule, the default threshold); covered = >= 70% of the annotated
  plate inside the padded plate regions (bench/plates.py's rule);
* **what else it covers and what it costs**: the share of the picture inside plate regions, and the plate
  pass's CPU, on crowd and portrait photos (ultralight, insightface, dbface; not the WIDER benchmark set),
  off and on interleaved, ``--repeat`` rounds, medians.

    python bench/plate_turns.py [--write-md] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from benchlib import emit, machine, run_header
from plates import COVER, crowd_photos, load, plate_items, region_mask, share
from synth import TURNINGS  # tests/, on the path bench/plates.py sets

from unseen.detect import plates
from unseen.detect.plates import TextBoxes
from unseen.detect.text import DBParams

SECTION = "## Plates and text: turned and mirrored plates (bench/plate_turns.py)"
THRESHOLD = DBParams().box_thresh


def plate_pass(rgb: np.ndarray, turned_read: bool) -> tuple[np.ndarray, float]:
    """The plate regions' mask and the pass's CPU seconds, with TURNED_READ as given."""
    plates.TURNED_READ = turned_read
    t = time.process_time()
    regions = TextBoxes(("plate",))(rgb, THRESHOLD)
    return region_mask(regions, rgb.shape), time.process_time() - t


def recall() -> list[str]:
    items = plate_items()
    rows = ["| picture | plates covered, without | with turned reads |", "|---|---|---|"]
    for name, (turn, moved) in TURNINGS.items():
        got = {False: 0, True: 0}
        for path, box in items:
            rgb = load(path)
            turned = np.ascontiguousarray(turn(rgb))
            where = moved(box, rgb.shape[1], rgb.shape[0])
            for on in got:
                got[on] += share(plate_pass(turned, on)[0], where) >= COVER
        rows.append(f"| {name} | {got[False]}/{len(items)} | {got[True]}/{len(items)} |")
        print(rows[-1], flush=True)
    return rows


def crowd(repeat: int) -> list[str]:
    photos = crowd_photos()
    shares: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for r in range(repeat):
        total = {False: 0.0, True: 0.0}
        for path in photos:
            rgb = load(path)
            for on in ((False, True) if r % 2 == 0 else (True, False)):  # interleaved, order alternating
                mask, seconds = plate_pass(rgb, on)
                total[on] += seconds
                if r == 0:
                    shares[on].append(float(mask.mean()))
        for on in total:
            cpu[on].append(total[on])
    off, on = statistics.median(cpu[False]), statistics.median(cpu[True])
    return ["| crowd photos | without | with turned reads |", "|---|---|---|",
            f"| share of the picture in plate regions (mean of {len(photos)}) | {100 * np.mean(shares[False]):.3f}% | "
            f"{100 * np.mean(shares[True]):.3f}% |",
            "| photos with any plate region | " + " | ".join(str(sum(s > 0 for s in v)) for v in shares.values())
            + " |",
            f"| plate pass CPU, all photos (median of {repeat}) | {off:.1f} s | {on:.1f} s ({on / off:.2f}x) |"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    lines = [*run_header(machine()), "", *recall(), "", *crowd(args.repeat)]
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
