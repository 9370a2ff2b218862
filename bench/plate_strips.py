"""Video's plate pass in strips: the same plates as in one piece, where the strips are cut?

Video runs its plate/text pass on the frame fitted to 1280 px, cut into two full-width 1280 x 448
strips (``text.find`` with ``strip_pixels``; it bounds the pass's working memory beside a face pass).
A strip border can only cut a plate across its height, and the strips overlap by
``text.LINE_OVERLAP`` px; taller text relies on a small overview pass.

This bench places each photo of the plate set (``../shared/data/plates_openalpr_eu``, 108 photos,
one annotated plate each) in a 1280 x 720 frame, resampled so its plate is H px tall, with the plate
centred on the middle of the strips' overlap (the rows both strips share, where a plate is most
likely to be cut), and counts the plates the pass covers (>= 70% of the plate's box inside the padded
plate regions, as bench/plates.py) in one piece and in strips. Frames are padded with mid-grey
where the resampled photo is smaller than the frame.

    python bench/plate_strips.py [--write-md]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from benchlib import command_line, emit, git_revision, machine
from plates import COVER, load, plate_items, region_mask, share

from unseen import raster
from unseen.detect import text
from unseen.detect.plates import TextBoxes
from unseen.detect.schedule import TEXT_FIT, VIDEO_TILE_PIXELS

SECTION = "## Plates and text: video's plate pass in strips (bench/plate_strips.py)"
HEIGHTS = (12, 24, 48, 96, 128, 200)
W, H = TEXT_FIT, TEXT_FIT * 9 // 16


def frame_with_plate(rgb: np.ndarray, box: tuple[int, int, int, int], height: int, centre_y: int,
                     size: tuple[int, int] = (W, H), background: np.ndarray | None = None,
                     ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A ``size`` (W x H by default) frame cut from ``rgb`` resampled so the plate is ``height`` px tall,
    the plate's centre at (width / 2, ``centre_y``); mid-grey where the photo does not reach, or
    ``background`` (an RGB picture of ``size``) there instead."""
    W, H = size  # noqa: N806 - the frame's size, named as the module's default
    x, y, w, h = box
    f = height / h
    small = raster.resize(rgb, max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f)))
    cx, cy = (x + w / 2) * f, (y + h / 2) * f
    x0, y0 = round(cx - W / 2), round(cy - centre_y)
    plate = (round(x * f) - x0, round(y * f) - y0, max(1, round(w * f)), max(1, round(h * f)))
    if background is not None:
        frame = background.copy()
        sy0, sx0 = max(0, y0), max(0, x0)
        sy1, sx1 = min(small.shape[0], y0 + H), min(small.shape[1], x0 + W)
        frame[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = small[sy0:sy1, sx0:sx1]
        return frame, plate
    pad = ((max(0, -y0), max(0, y0 + H - small.shape[0])), (max(0, -x0), max(0, x0 + W - small.shape[1])), (0, 0))
    padded = np.pad(small, pad, constant_values=128)
    ox, oy = x0 + pad[1][0], y0 + pad[0][0]
    frame = np.ascontiguousarray(padded[oy : oy + H, ox : ox + W])
    return frame, plate


def plate_rows() -> tuple[list[tuple[int, int]], dict[str, int]]:
    """Video's strips of a W x H frame (``text.strips`` at its plate pass's cap) and the three rows a plate
    is placed on: the middle of the rows the first and last strip share, and the middle of each strip's own."""
    rows = text.strips(H, W, VIDEO_TILE_PIXELS["plate"])
    (a, ah), (b, _) = rows[0], rows[-1]
    return rows, {"overlap": (b + a + ah) // 2, "top strip": a // 2 + (b - a) // 2, "bottom strip": (a + ah + H) // 2}


CUT_ONLY = "strips, overview kept to what they cut"
MODES = ("one piece", "strips", CUT_ONLY)


def run() -> str:
    """Each plate photo at each height and plate row in each mode (one piece at the overlap's row only).
    CUT_ONLY is the strips with ``text.OVERVIEW_CUT_ONLY`` (measured, not taken): the overview's boxes kept
    only where no strip held the text whole (``text.within``). "strips" (what ships) is run again only
    where that left an overview box out, since otherwise the two are the same run."""
    cap = VIDEO_TILE_PIXELS["plate"]
    rows, centres = plate_rows()
    tb = TextBoxes(("plate",))
    items = plate_items()
    hit = {(m, c): dict.fromkeys(HEIGHTS, 0) for m in MODES for c in centres}
    cpu = dict.fromkeys(("one piece", CUT_ONLY), 0.0)
    dropped_runs = 0
    start = (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine(), git_revision())
    within = text.within
    dropped: list[int] = []

    def counting(boxes, *args):
        inside = within(boxes, *args)
        dropped.append(int(inside.sum()))
        return inside

    text.within = counting
    text.OVERVIEW_CUT_ONLY = True
    try:
        for k, (path, box) in enumerate(items):
            rgb = load(path)
            for height in HEIGHTS:
                for where, centre in centres.items():
                    frame, pbox = frame_with_plate(rgb, box, height, centre)
                    for mode, strip in (("one piece", 0), (CUT_ONLY, cap))[where != "overlap" :]:
                        dropped.clear()
                        t = time.process_time()
                        found = tb(frame, 0.3, strip_pixels=strip)
                        cpu[mode] += time.process_time() - t
                        hit[mode, where][height] += share(region_mask(found, frame.shape), pbox) >= COVER
                    if sum(dropped):  # CUT_ONLY left out an overview box: the strips as they ship
                        dropped_runs += 1
                        text.OVERVIEW_CUT_ONLY = False
                        found = tb(frame, 0.3, strip_pixels=cap)
                        text.OVERVIEW_CUT_ONLY = True
                    hit["strips", where][height] += share(region_mask(found, frame.shape), pbox) >= COVER
            print(f"{k + 1}/{len(items)}", flush=True)
    finally:
        text.within = within
        text.OVERVIEW_CUT_ONLY = False
    n = len(items)
    lines = [f"Command: `{command_line()}`  ", f"Date: {start[0]}; machine: {start[1]}; unseen git {start[2]}.", "",
             f"{n} plate photos, each placed in a {W} x {H} frame (video's TEXT_FIT) with its plate resampled to H px "
             "tall and its centre on one of three rows: "
             + ", ".join(f"{c} (row {y})" for c, y in centres.items())
             + "; strips: " + ", ".join(f"rows {y}-{y + s}" for y, s in rows)
             + f" (`strip_pixels` {cap}, LINE_OVERLAP {text.LINE_OVERLAP}, overview at {text.STRIP_OVERVIEW} px). "
             "Covered = >= 70% of the plate's box inside the padded plate regions. \"strips\" is what ships (every "
             f"box of the overview); \"{CUT_ONLY}\" keeps the overview's boxes only where no strip held the text "
             "whole (`text.OVERVIEW_CUT_ONLY`, `text.within`; measured, not taken). \"strips\" was run again only "
             f"where that left a box out ({dropped_runs} of {n * len(HEIGHTS) * len(centres)} frames), the same "
             "run otherwise.", "",
             "| mode | plate row | " + " | ".join(f"{h} px" for h in HEIGHTS) + " |",
             "|---|---" + "|---" * len(HEIGHTS) + "|"]
    for (mode, where), got in hit.items():
        if mode == "one piece" and where != "overlap":
            continue  # one piece at the overlap's row only: the reference the table had before
        lines.append(f"| {mode} | {where} | " + " | ".join(f"{got[h]}/{n}" for h in HEIGHTS) + " |")
    lines += ["", "CPU s (all frames): " + ", ".join(f"{m} {cpu[m]:.1f}" for m in ("one piece", CUT_ONLY))]
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    emit(SECTION, run().splitlines(), args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
