"""A small plate inside a larger region the text detector calls text: still covered?

The plate rule judges each box the text detector returns on its own (``plates.TextBoxes.judge``): a
box under MIN_READ px tall is always covered, a taller one only when its read looks like a plate.
When the detector merges a plate into a larger region (here: a photo pasted into another photo, a
rectangle the detector reads as one sign; in the street: a plate beside a dealer's lettering, a
car on a poster), the plate has no box of its own, the region's read is no plate, and nothing is
covered.

Each photo of the plate set (every ``--every``) is resampled so its plate is H px tall, and the
window around the plate (at most 30 H x 16 H) is pasted into a real photo resized to 2400 x 1700 at two
places: P1 inside the first text tile, P2 at the frame's centre (where four tiles overlap). Two
backgrounds: deepface's img23.jpg (a press photo before a lettered backdrop) and DBFace's selfie.jpg
(a dense crowd under a caption, stretched from 2048 x 1150: the text detector fires on such texture).
Covered as bench/plates.py counts it (>= 70% of the plate's box inside the padded plate regions);
"alone" is the window by itself (what the recall-by-height table measures); "merged" counts the
uncovered plates that lie inside a detected box at least MIN_READ tall (the rule read it and found no
plate).

    python bench/plate_inset.py [--every 6] [--write-md]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from benchlib import command_line, emit, git_revision, machine
from PIL import Image
from plates import COVER, SHARED, load, plate_items, region_mask, share

from unseen import raster
from unseen.detect import text
from unseen.detect.plates import MIN_READ, TextBoxes

SECTION = "## Plates and text: a small plate inside a larger text region (bench/plate_inset.py)"
HEIGHTS = (12, 16, 24)
BACKGROUNDS = (SHARED / "deepface_serengil" / "tests" / "unit" / "dataset" / "img23.jpg",
               SHARED / "dbface_dlunion" / "datas" / "selfie.jpg")
SIZE = (2400, 1700)
PLACES = {"P1 (first tile)": (600, 500), "P2 (centre, four tiles)": (1200, 850)}


def window(rgb: np.ndarray, box: tuple[int, int, int, int], height: int):
    """The photo resampled so its plate is ``height`` px tall, cut to at most 30 x 16 plate heights
    around the plate; and the plate's box in it."""
    x, y, w, h = box
    f = height / h
    small = raster.resize(rgb, max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f)))
    cx, cy = (x + w / 2) * f, (y + h / 2) * f
    x0, y0 = max(0, int(cx - 15 * height)), max(0, int(cy - 8 * height))
    x1, y1 = min(small.shape[1], int(cx + 15 * height)), min(small.shape[0], int(cy + 8 * height))
    return (np.ascontiguousarray(small[y0:y1, x0:x1]),
            (round(x * f) - x0, round(y * f) - y0, max(1, round(w * f)), max(1, round(h * f))))


def merged(rgb: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Does the detector return a box at least MIN_READ tall around the plate?"""
    quads, _ = text.find(rgb)
    if len(quads) == 0:
        return False
    lo, hi = quads.min(1), quads.max(1)
    x, y, w, h = box
    inside = (lo[:, 0] <= x) & (lo[:, 1] <= y) & (hi[:, 0] >= x + w) & (hi[:, 1] >= y + h)
    return bool((inside & (text.quad_heights(quads) >= MIN_READ)).any())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--every", type=int, default=6, help="take every n-th photo of the plate set")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    backgrounds = {b.name: np.asarray(Image.open(b).convert("RGB").resize(SIZE)) for b in BACKGROUNDS}
    tb = TextBoxes(("plate",))
    start = (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine(), git_revision())
    items = plate_items()[:: args.every]
    pasted = [f"{place}, {name}" for name in backgrounds for place in PLACES]
    hit = {c: dict.fromkeys(HEIGHTS, 0) for c in ["alone", *pasted]}
    lost_merged = {c: dict.fromkeys(HEIGHTS, 0) for c in pasted}
    for path, box in items:
        rgb = load(path)
        for height in HEIGHTS:
            win, pbox = window(rgb, box, height)
            hit["alone"][height] += share(region_mask(tb(win, 0.3), win.shape), pbox) >= COVER
            for name, background in backgrounds.items():
                for place, (cx, cy) in PLACES.items():
                    frame = background.copy()
                    ox, oy = cx - win.shape[1] // 2, cy - win.shape[0] // 2
                    frame[oy : oy + win.shape[0], ox : ox + win.shape[1]] = win
                    fbox = (pbox[0] + ox, pbox[1] + oy, pbox[2], pbox[3])
                    covered = share(region_mask(tb(frame, 0.3), frame.shape), fbox) >= COVER
                    hit[f"{place}, {name}"][height] += covered
                    lost_merged[f"{place}, {name}"][height] += (not covered) and merged(frame, fbox)
    n = len(items)
    lines = [f"Command: `{command_line()}`  ", f"Date: {start[0]}; machine: {start[1]}; unseen git {start[2]}.", "",
             f"{n} photos of the plate set (every {args.every}); windows pasted into "
             + " and ".join(backgrounds) + f", each resized to {SIZE[0]} x {SIZE[1]}, centred at "
             + ", ".join(f"{k} {v}" for k, v in PLACES.items())
             + f"; plates mode. Uncovered plates inside a detected box >= {MIN_READ} px tall in brackets.", "",
             "| where | " + " | ".join(f"H {h} px" for h in HEIGHTS) + " |", "|---" * (len(HEIGHTS) + 1) + "|"]
    for c in hit:
        cells = [f"{hit[c][h]}/{n}" + (f" ({lost_merged[c][h]})" if c in lost_merged else "") for h in HEIGHTS]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
