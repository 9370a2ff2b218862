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
from benchlib import command_line, git_revision, machine, write_md
from plates import COVER, load, plate_items, region_mask, share

from unseen import raster
from unseen.detect import text
from unseen.detect.plates import TextBoxes
from unseen.detect.schedule import TEXT_FIT, VIDEO_TILE_PIXELS

SECTION = "## Plates and text: video's plate pass in strips (bench/plate_strips.py)"
HEIGHTS = (12, 24, 48, 96, 128, 200)
W, H = TEXT_FIT, TEXT_FIT * 9 // 16


def frame_with_plate(rgb: np.ndarray, box: tuple[int, int, int, int], height: int, centre_y: int,
                     size: tuple[int, int] = (W, H)) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A ``size`` (W x H by default) frame cut from ``rgb`` resampled so the plate is ``height`` px tall,
    the plate's centre at (width / 2, ``centre_y``); mid-grey where the photo does not reach."""
    W, H = size  # noqa: N806 - the frame's size, named as the module's default
    x, y, w, h = box
    f = height / h
    small = raster.resize(rgb, max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f)))
    cx, cy = (x + w / 2) * f, (y + h / 2) * f
    x0, y0 = round(cx - W / 2), round(cy - centre_y)
    pad = ((max(0, -y0), max(0, y0 + H - small.shape[0])), (max(0, -x0), max(0, x0 + W - small.shape[1])), (0, 0))
    padded = np.pad(small, pad, constant_values=128)
    ox, oy = x0 + pad[1][0], y0 + pad[0][0]
    frame = np.ascontiguousarray(padded[oy : oy + H, ox : ox + W])
    return frame, (round(x * f) - x0, round(y * f) - y0, max(1, round(w * f)), max(1, round(h * f)))


def run() -> str:
    cap = VIDEO_TILE_PIXELS["plate"]
    rows = text.strips(H, W, cap)
    (a, ah), (b, _) = rows[0], rows[-1]
    centre = (b + a + ah) // 2  # middle of the rows the first and last strip share
    tb = TextBoxes(("plate",))
    items = plate_items()
    hit = {mode: dict.fromkeys(HEIGHTS, 0) for mode in ("one piece", "strips")}
    cpu = dict.fromkeys(hit, 0.0)
    start = (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine(), git_revision())
    for path, box in items:
        rgb = load(path)
        for height in HEIGHTS:
            frame, pbox = frame_with_plate(rgb, box, height, centre)
            for mode, strip in (("one piece", 0), ("strips", cap)):
                t = time.process_time()
                found = tb(frame, 0.3, strip_pixels=strip)
                cpu[mode] += time.process_time() - t
                hit[mode][height] += share(region_mask(found, frame.shape), pbox) >= COVER
    n = len(items)
    lines = [f"Command: `{command_line()}`  ", f"Date: {start[0]}; machine: {start[1]}; unseen git {start[2]}.", "",
             f"{n} plate photos, each placed in a {W} x {H} frame (video's TEXT_FIT) with its plate resampled to H px "
             f"tall and centred on row {centre}, the middle of the strips' overlap; strips: "
             + ", ".join(f"rows {y}-{y + s}" for y, s in rows)
             + f" (`strip_pixels` {cap}, LINE_OVERLAP {text.LINE_OVERLAP}, overview at {text.STRIP_OVERVIEW} px). "
             "Covered = >= 70% of the plate's box inside the padded plate regions.", "",
             "| plate height px | " + " | ".join(str(h) for h in HEIGHTS) + " | CPU s (all frames) |",
             "|---" * (len(HEIGHTS) + 2) + "|"]
    for mode, got in hit.items():
        lines.append(f"| {mode} | " + " | ".join(f"{got[h]}/{n}" for h in HEIGHTS) + f" | {cpu[mode]:.1f} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    body = run()
    print(body)
    if args.write_md:
        write_md(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
