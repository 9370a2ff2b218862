"""Dithered and posterised photos: labelled faces covered with and without the smoothed search.

A picture of few colours (1-bit, a 2- or 4-colour GIF) shows its faces as patterns of dots; with
``raster.FEW_COLOURS`` the detectors also search it smoothed (``raster.smoothed``). Each labelled photo of
dlib's examples (``../shared/data/dlib_examples/examples/faces``, 43 boxes in testing.xml and training.xml)
is dithered with Pillow (Floyd-Steinberg) and run through unseen's photo path in process
(``anonymize_image``, faces only), with FEW_COLOURS at 0 (never smoothed) and as shipped. A labelled face is
covered when >= 70% of its box changed by > 24 in some channel or sits at the fill colour (bench/protection.py's
rule, with the fill: a dark dot under a grey fill can change by less). Also the regions found, a proxy for
what else it covers, and the CPU.

    python bench/dithered.py [--write-md]
"""

from __future__ import annotations

import argparse
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

import numpy as np
from benchlib import emit, machine, run_header
from PIL import Image
from plates import SHARED

from unseen import Options, anonymize_image, raster

SECTION = "## Dithered and posterised photos (bench/dithered.py)"
FACES = SHARED / "dlib_examples" / "examples" / "faces"
DITHERS = {
    "1 bit": lambda im: im.convert("1"),
    "2 colours": lambda im: im.quantize(2, dither=Image.Dither.FLOYDSTEINBERG),
    "4 colours": lambda im: im.quantize(4, dither=Image.Dither.FLOYDSTEINBERG),
    "8 colours": lambda im: im.quantize(8, dither=Image.Dither.FLOYDSTEINBERG),
    "16 colours": lambda im: im.quantize(16, dither=Image.Dither.FLOYDSTEINBERG),
}


def labelled() -> dict[str, list[tuple[int, int, int, int]]]:
    """Face boxes (x, y, w, h) by photo name, from dlib's two label files."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for xml in ("testing.xml", "training.xml"):
        for image in ET.parse(FACES / xml).getroot().iter("image"):
            boxes = [(int(b.get("left")), int(b.get("top")), int(b.get("width")), int(b.get("height")))
                     for b in image.iter("box")]
            if boxes:
                out.setdefault(image.get("file"), []).extend(boxes)
    return out


def covered(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    pa, pb = a[max(0, y) : y + h, max(0, x) : x + w].astype(int), b[max(0, y) : y + h, max(0, x) : x + w].astype(int)
    return bool(((np.abs(pa - pb).max(-1) > 24) | (np.abs(pb - 128).max(-1) <= 8)).mean() >= 0.7)


def without_and_with(items: Iterable[tuple[np.ndarray, list]], switch: Callable[[bool], None]) -> dict[bool, list]:
    """Faces covered, regions found and CPU seconds of faces-only runs on each (picture, face boxes) of
    ``items``, with ``switch(False)`` and ``switch(True)`` in turn; left switched on."""
    out: dict[bool, list] = {False: [0, 0, 0.0], True: [0, 0, 0.0]}
    for rgb, boxes in items:
        for on in out:
            switch(on)
            t = time.process_time()
            shown, found = anonymize_image(rgb, Options(cover=("face",)))
            out[on][2] += time.process_time() - t
            out[on][0] += sum(covered(rgb, shown, box) for box in boxes)
            out[on][1] += len(found)
    switch(True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    photos = labelled()
    total = sum(len(b) for b in photos.values())
    shipped = raster.FEW_COLOURS
    rows = [f"| picture ({len(photos)} photos, {total} labelled faces) | faces covered, never smoothed | "
            "with the smoothed search | regions found, without / with | CPU s, without / with |",
            "|---|---|---|---|---|"]
    def smoothing(on: bool) -> None:
        raster.FEW_COLOURS = shipped if on else 0

    for name, dither in DITHERS.items():
        items = ((np.asarray(dither(Image.open(FACES / photo).convert("RGB")).convert("RGB")), boxes)
                 for photo, boxes in sorted(photos.items()))
        (got0, regions0, cpu0), (got1, regions1, cpu1) = without_and_with(items, smoothing).values()
        rows.append(f"| {name} | {got0}/{total} | {got1}/{total} | {regions0} / {regions1} | {cpu0:.1f} / {cpu1:.1f} |")
        print(rows[-1], flush=True)
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
