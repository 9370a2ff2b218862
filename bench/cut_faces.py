"""Faces the picture's border cuts: the mask filled out to the border (``mask._spans``'s edges), three rules.

The ellipse inscribed in a box clipped to the picture meets the border at one point, where a cut face goes on.
Measured in process (``anonymize_image``, faces only, the self-check on), under three rules:

* **without**: the ellipse of the padded box clipped to the picture (``mask._pixel_boxes`` made to report no
  side on the border);
* **every clipped side**: filled out to each border the *padded* box reaches (2026-12-05 09:31 to 11:20 UTC);
* **where the box reaches the border** (shipped): filled out only on a side the face's box *as found* reaches
  (``Regions.to_draw``, ``regions.CUT_SLACK``); a padded box that merely crosses the border keeps its own
  ellipse, drawn past it.

* **cut faces**: the 43 labelled faces of dlib's examples (``../shared/data/dlib_examples/examples/faces``,
  training.xml and testing.xml), each photo cut through the face from each side, at its middle and at a third
  (344 pictures); per face, the share of its labelled box left in the picture at the fill, and of the box's
  last 3 px along the cut (where the ellipse narrowed);
* **crowds**: the share of the picture changed on crowd photos that are not the benchmark (ultralight,
  insightface, dbface, fddb), uncut: what the rule costs where faces merely come near the border;
* **talking heads**: the same share on LivePortrait's 14 close-up clips (``liveportrait_kwaivgi``), their
  first, middle and last frames as photos: heads whose hair padding crosses the frame's top.

    python bench/cut_faces.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import emit, machine, run_header
from dithered import labelled
from plates import CROWDS, DLIB, SHARED, crowd_photos, load

from unseen import Options, anonymize_image, mask
from unseen.regions import Regions

SECTION = "## Faces cut by the border (bench/cut_faces.py)"
OPTIONS = Options(cover=("face",))
DEPTHS = (0.5, 0.33)  # how much of the face's width (or height) the cut leaves out
SHIPPED = mask._pixel_boxes
TO_DRAW = Regions.to_draw
RULES = {"without": "without (the ellipse of the clipped box)",
         "clipped": "every clipped side filled out (09:31 UTC)",
         "shipped": "where the box as found reaches the border (shipped)"}
HEADS = "liveportrait_kwaivgi/assets/examples"


def rule(name: str) -> None:
    """Draw masks under one of ``RULES``."""
    def no_edges(regions, width, height):
        return [(*box[:5], mask.NO_EDGES, box[6]) for box in SHIPPED(regions, width, height)]

    def clipped(regions, pad, width, height):
        return TO_DRAW(regions, pad, width, height).clipped(width, height)

    mask._pixel_boxes = no_edges if name == "without" else SHIPPED
    Regions.to_draw = TO_DRAW if name == "shipped" else clipped


def cuts():
    """(picture, face box in it, side the cut is on) for each labelled face, side and depth."""
    for name, boxes in labelled().items():
        photo = load(DLIB / name)
        H, W = photo.shape[:2]
        for x, y, w, h in boxes:
            for depth in DEPTHS:
                dx, dy = round(x + w * depth), round(y + h * depth)
                ex, ey = round(x + w * (1 - depth)), round(y + h * (1 - depth))
                for side, (x0, y0, x1, y1) in (("left", (dx, 0, W, H)), ("right", (0, 0, ex, H)),
                                               ("top", (0, dy, W, H)), ("bottom", (0, 0, W, ey))):
                    yield photo[y0:y1, x0:x1], (x - x0, y - y0, w, h), side


def at_fill(out: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> float:
    return float((np.abs(out[y0:y1, x0:x1].astype(int) - 128).max(-1) <= 1).mean())


def shares(out: np.ndarray, box: tuple[int, int, int, int], side: str) -> tuple[float, float]:
    """Share at the fill of the face's box inside the picture, and of its 3 px along the cut."""
    H, W = out.shape[:2]
    x, y, w, h = box
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    strip = {"left": (0, y0, 3, y1), "right": (W - 3, y0, W, y1), "top": (x0, 0, x1, 3),
             "bottom": (x0, H - 3, x1, H)}[side]
    return at_fill(out, x0, y0, x1, y1), at_fill(out, *strip)


def cut_faces() -> list[str]:
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in RULES}
    for picture, box, side in cuts():
        for name in got:
            rule(name)
            out, _ = anonymize_image(picture, OPTIONS)
            got[name].append(shares(out, box, side))
    rows = ["| rule | cut faces | box at the fill >= 0.95 | >= 0.90 | box, mean | 3 px along the cut >= 0.9 | "
            "along the cut, mean |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, label in RULES.items():
        box, strip = np.array([g[0] for g in got[name]]), np.array([g[1] for g in got[name]])
        rows.append(f"| {label} | {len(box)} | {(box >= 0.95).sum()} | {(box >= 0.9).sum()} | {box.mean():.3f} | "
                    f"{(strip >= 0.9).sum()} | {strip.mean():.3f} |")
        print(rows[-1], flush=True)
    return rows


def head_frames() -> list[np.ndarray]:
    """The first, middle and last frame of each LivePortrait clip."""
    import av

    out = []
    for clip in sorted((SHARED / HEADS).rglob("*.mp4")):
        with av.open(str(clip)) as container:
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        out += [frames[0], frames[len(frames) // 2], frames[-1]]
    return out


def changed(sets: dict[str, list[np.ndarray]]) -> list[str]:
    """Mean share of each set's pictures changed under each rule, and how many changed more than without."""
    rows = ["| pictures, uncut | " + " | ".join(f"{label}, changed" for label in RULES.values()) + " |",
            "|---|" + "---:|" * len(RULES)]
    for label, pictures in sets.items():
        share: dict[str, np.ndarray] = {}
        for name in RULES:
            rule(name)
            share[name] = np.array([float((np.abs(p.astype(int) - anonymize_image(p, OPTIONS)[0]).max(-1) > 24)
                                          .mean()) for p in pictures])
        rows.append(f"| {label}: {len(pictures)} | " + " | ".join(
            f"{100 * v.mean():.2f}%" + ("" if n == "without" else f" ({(v > share['without'] + 1e-6).sum()} more)")
            for n, v in share.items()) + " |")
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    sets = {"crowd photos": [load(p) for p in crowd_photos((*CROWDS, "fddb_sample"))], "talking heads": head_frames()}
    lines = [*run_header(machine()), "", *cut_faces(), "", *changed(sets)]
    rule("shipped")
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
