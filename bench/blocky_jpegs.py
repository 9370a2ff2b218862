"""Blocky JPEGs: faces covered with and without the smoothed search of pictures that are a mosaic of blocks.

A JPEG saved at the lowest qualities is a mosaic of 8 x 8 blocks; with ``raster.BLOCKY`` the detectors also
search such a picture smoothed (``raster.smoothed``). Photos that are not the benchmark (ultralight,
insightface, dbface and fddb crowds, dlib's examples, face_recognition's portraits) are saved as JPEG at each
quality with Pillow and run through unseen's photo path in process (``anonymize_image``, faces only), with
BLOCKY past any picture (never smoothed) and as shipped. The faces: what the detector finds on the photo as
found at >= 0.5, 24 px or larger (a face to recognise); one is covered when >= 70% of its box changed by > 24 in
some channel or sits at the fill colour (bench/dithered.py's rule). Also how many pictures were taken for
blocky, the regions found, and the CPU.

    python bench/blocky_jpegs.py [--write-md]
"""

from __future__ import annotations

import argparse
import io

import numpy as np
from benchlib import emit, machine, run_header
from dithered import without_and_with
from PIL import Image
from plates import CROWDS, DLIB, SHARED, crowd_photos, load

from unseen import raster
from unseen.detect.ensemble import Detector

SECTION = "## Blocky JPEGs (bench/blocky_jpegs.py)"
QUALITIES = (5, 7, 10, 15, 30, 75)
PORTRAITS = SHARED / "face_recognition_ageitgey" / "examples"


def photos() -> list[np.ndarray]:
    paths = [*crowd_photos((*CROWDS, "fddb_sample")), *sorted(DLIB.glob("*.jpg")), *sorted(PORTRAITS.glob("*.jpg"))]
    return [load(p) for p in paths]


def faces(detector: Detector, rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    found = detector.detect(rgb)
    out = []
    for (x1, y1, x2, y2), score in zip(found.boxes, found.scores, strict=True):
        if score >= 0.5 and min(x2 - x1, y2 - y1) >= 24:
            out.append((int(x1), int(y1), int(x2 - x1), int(y2 - y1)))
    return out


def saved(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    detector = Detector()
    pictures = photos()
    marked = [faces(detector, rgb) for rgb in pictures]
    total = sum(map(len, marked))
    shipped = raster.BLOCKY
    rows = [f"| JPEG quality ({len(pictures)} photos, {total} faces of 24 px or more) | taken for blocky | "
            "faces covered, never smoothed | with the smoothed search | regions found, without / with | "
            "CPU s, without / with |", "|---|---:|---:|---:|---|---|"]
    def smoothing(on: bool) -> None:
        raster.BLOCKY = shipped if on else float("inf")

    for quality in QUALITIES:
        jpegs = [(saved(rgb, quality), boxes) for rgb, boxes in zip(pictures, marked, strict=True)]
        taken = sum(raster.blocky(jpeg) for jpeg, _ in jpegs)
        (got0, regions0, cpu0), (got1, regions1, cpu1) = without_and_with(jpegs, smoothing).values()
        rows.append(f"| {quality} | {taken} | {got0}/{total} | {got1}/{total} | {regions0} / {regions1} | "
                    f"{cpu0:.1f} / {cpu1:.1f} |")
        print(rows[-1], flush=True)
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
