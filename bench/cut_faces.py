"""Faces the picture's border cuts: the mask filled out to the border (``mask._spans``'s edges) on and off.

Regions reach the mask clipped to the picture, and the ellipse inscribed in a clipped box meets the border at
one point, where the face goes on. Measured in process (``anonymize_image``, faces only, the self-check on),
with the rule and without it (``mask._pixel_boxes`` made to report no side on the border):

* **cut faces**: the 43 labelled faces of dlib's examples (``../shared/data/dlib_examples/examples/faces``,
  training.xml and testing.xml), each photo cut through the face from each side, at its middle and at a third
  (344 pictures); per face, the share of its labelled box left in the picture at the fill, and of the box's
  last 3 px along the cut (where the ellipse narrowed);
* **crowds**: the share of the picture changed on crowd photos that are not the benchmark (ultralight,
  insightface, dbface, fddb), uncut: what the rule costs where faces merely come near the border.

    python bench/cut_faces.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import emit, machine, run_header
from dithered import labelled
from plates import CROWDS, DLIB, crowd_photos, load

from unseen import Options, anonymize_image, mask

SECTION = "## Faces cut by the border (bench/cut_faces.py)"
OPTIONS = Options(cover=("face",))
DEPTHS = (0.5, 0.33)  # how much of the face's width (or height) the cut leaves out
SHIPPED = mask._pixel_boxes


def rule(on: bool) -> None:
    def no_edges(regions, width, height):
        return [(*box[:5], mask.NO_EDGES) for box in SHIPPED(regions, width, height)]

    mask._pixel_boxes = SHIPPED if on else no_edges


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
    got: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for picture, box, side in cuts():
        for on in got:
            rule(on)
            out, _ = anonymize_image(picture, OPTIONS)
            got[on].append(shares(out, box, side))
    n = len(got[True])
    rows = ["| rule | cut faces | box at the fill >= 0.95 | >= 0.90 | box, mean | 3 px along the cut >= 0.9 | "
            "along the cut, mean |", "|---|---:|---:|---:|---:|---:|---:|"]
    for on, label in ((False, "without (the ellipse of the clipped box)"), (True, "with (filled out to the border)")):
        box, strip = np.array([g[0] for g in got[on]]), np.array([g[1] for g in got[on]])
        rows.append(f"| {label} | {n} | {(box >= 0.95).sum()} | {(box >= 0.9).sum()} | {box.mean():.3f} | "
                    f"{(strip >= 0.9).sum()} | {strip.mean():.3f} |")
        print(rows[-1], flush=True)
    return rows


def crowds() -> list[str]:
    pictures = [load(p) for p in crowd_photos((*CROWDS, "fddb_sample"))]
    changed: dict[bool, list[float]] = {False: [], True: []}
    for picture in pictures:
        for on in changed:
            rule(on)
            out, _ = anonymize_image(picture, OPTIONS)
            changed[on].append(float((np.abs(picture.astype(int) - out).max(-1) > 24).mean()))
    a, b = np.array(changed[False]), np.array(changed[True])
    return ["| crowd photos, uncut | changed share without, mean | with, mean | photos that changed more |",
            "|---|---:|---:|---:|",
            f"| {len(pictures)} | {100 * a.mean():.2f}% | {100 * b.mean():.2f}% | {(b > a + 1e-6).sum()} |"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    lines = [*run_header(machine()), "", *cut_faces(), "", *crowds()]
    rule(True)
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
