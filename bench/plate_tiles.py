"""Photos' plate pass in tiles capped by area instead of by side: less work, the same plates?

``text.find`` cuts a photo larger than one tile into overlapping square tiles, at most TILE px a side:
a 1920 x 1080 photo is two tiles and an overview, a 4352 x 2903 one 3 x 4 tiles, 1.46x and 1.49x the
photo's pixels through the detector. What bounds a tile's memory is its area, so tiles capped at
TILE x TILE pixels and cut to process the fewest pixels in all (``tiling.grid``, the candidate here)
would make the first one piece and the second 2 x 4 tiles (1.36x), with the same overlap (OVERLAP px:
text up to that wide is whole in some tile) and the same overview for wider text.

Two measurements, each layout on the same inputs, interleaved:

1. CPU of the plate pass (``TextBoxes``, plates mode: detector and reads) on photos of 1.9-40 MP from
   ../shared/data outside the plate and WIDER sets (the first ``--photos`` found), one thread.
2. Plates where the candidate's tiles are cut: each photo of the plate set (every ``--every``) placed in
   a 2400 x 1700 frame (mid-grey where the photo does not reach), resampled so its plate is H px tall,
   the plate centred on the middle of the candidate's overlap (x 1200; 1 x 2 tiles of 1360 x 1700),
   which is also the square tiles' four-tile corner (y 850), counted covered as bench/plates.py does
   (>= 70% of the plate's box inside the padded plate regions).

    python bench/plate_tiles.py [--photos 20] [--every 3] [--write-md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from benchlib import command_line, emit, git_revision, machine
from PIL import Image, ImageOps
from plate_strips import frame_with_plate
from plates import COVER, SHARED, load, plate_items, region_mask, share

from unseen.detect import text
from unseen.detect.plates import TextBoxes
from unseen.detect.tiling import grid, tiles

SECTION = "## Plates and text: tiles by area, measured, not taken (bench/plate_tiles.py)"
HEIGHTS = (12, 24, 48, 96)
FRAME = (2400, 1700)
PHOTO_DIRS = ("deepface_serengil", "face_recognition_ageitgey", "metadata_extractor_images_drewnoakes",
              "exif_samples_ianare", "photoprism_testdata", "dbface_dlunion")


def square_tiles(height: int, width: int) -> tuple[list, list]:
    """What ``text.find`` does: square tiles of at most TILE a side."""
    return tiles(height, text.TILE, text.OVERLAP), tiles(width, text.TILE, text.OVERLAP)


def tiles_by_area(height: int, width: int) -> tuple[list, list]:
    """The candidate: at most TILE x TILE pixels and 2 x TILE a side, the fewest pixels in all."""
    rows, cols = grid(height, width, 2 * text.TILE, text.OVERLAP, text.TILE * text.TILE)
    if rows[0][1] * cols[0][1] > text.TILE * text.TILE:
        return square_tiles(height, width)
    return rows, cols


LAYOUTS = {"square tiles (shipped)": square_tiles, "tiles by area (candidate)": tiles_by_area}


def big_photos(limit: int) -> list[Path]:
    found = []
    for folder in PHOTO_DIRS:
        for path in sorted((SHARED / folder).rglob("*.jp*g")):
            try:
                with Image.open(path) as im:
                    if 1_900_000 <= im.width * im.height <= 40_000_000:
                        found.append(path)
            except OSError:
                continue
            if len(found) >= limit:
                return found
    return found


def pixels_through(layout, h: int, w: int) -> float:
    rows, cols = layout(h, w)
    over = text.OVERVIEW ** 2 * min(h, w) / max(h, w) if len(rows) * len(cols) > 1 else 0
    return (len(rows) * len(cols) * rows[0][1] * cols[0][1] + over) / (h * w)


def cpu_table(paths: list[Path], tb: TextBoxes, lines: list[str]) -> None:
    cpu = dict.fromkeys(LAYOUTS, 0.0)
    ratio = {name: [] for name in LAYOUTS}
    shipped = text.layout
    for i, path in enumerate(paths):
        rgb = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
        names = list(LAYOUTS) if i % 2 == 0 else list(reversed(LAYOUTS))
        for name in names:
            text.layout = LAYOUTS[name]
            t = time.thread_time()
            tb(rgb, 0.3)
            cpu[name] += time.thread_time() - t
            ratio[name].append(pixels_through(LAYOUTS[name], *rgb.shape[:2]))
    text.layout = shipped
    lines += [f"**CPU of the plate pass** on {len(paths)} photos of 1.9-40 MP (" + ", ".join(PHOTO_DIRS)
              + "; the first found), one thread, the layouts interleaved:", "",
              "| layout | CPU s, all photos | detector pixels / photo pixels, median |", "|---|---:|---:|"]
    for name in LAYOUTS:
        lines.append(f"| {name} | {cpu[name]:.1f} | {np.median(ratio[name]):.2f} |")
    shipped, candidate = cpu.values()
    lines += ["", f"Candidate / shipped: **{candidate / shipped:.3f}** of the CPU.", ""]


def seam_table(every: int, tb: TextBoxes, lines: list[str]) -> None:
    items = plate_items()[::every]
    w, h = FRAME
    rows, cols = tiles_by_area(h, w)
    hit = {name: dict.fromkeys(HEIGHTS, 0) for name in LAYOUTS}
    shipped = text.layout
    for path, box in items:
        rgb = load(path)
        for height in HEIGHTS:
            frame, pbox = placed(rgb, box, height)
            for name, layout in LAYOUTS.items():
                text.layout = layout
                hit[name][height] += share(region_mask(tb(frame, 0.3), frame.shape), pbox) >= COVER
    text.layout = shipped
    n = len(items)
    lines += [f"**Plates on the seams**: {n} photos of the plate set (every {every}), each in a {w} x {h} frame "
              f"with its plate H px tall centred at ({w // 2}, {h // 2}); candidate {len(rows)} x {len(cols)} tiles "
              f"of {cols[0][1]} x {rows[0][1]}, shipped {' x '.join(str(len(t)) for t in square_tiles(h, w))} "
              "square tiles. Covered = >= 70% of the plate's box inside the padded plate regions.", "",
              "| layout | " + " | ".join(f"H {x}" for x in HEIGHTS) + " |", "|---" * (len(HEIGHTS) + 1) + "|"]
    for name, got in hit.items():
        lines.append(f"| {name} | " + " | ".join(f"{got[x]}/{n}" for x in HEIGHTS) + " |")


def placed(rgb: np.ndarray, box: tuple[int, int, int, int], height: int):
    """The plate photo in this bench's frame, its plate at the frame's centre."""
    return frame_with_plate(rgb, box, height, FRAME[1] // 2, FRAME)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", type=int, default=20, help="big photos for the CPU table")
    p.add_argument("--every", type=int, default=2, help="take every n-th photo of the plate set")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    tb = TextBoxes(("plate",))
    tb(np.zeros((64, 64, 3), np.uint8), 0.3)  # load the models before timing
    lines = [f"Command: `{command_line()}`  ",
             f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}; "
             f"unseen git {git_revision()}.", ""]
    cpu_table(big_photos(args.photos), tb, lines)
    seam_table(args.every, tb, lines)
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
