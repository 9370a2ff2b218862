"""Haze and smoke (and darkness): faces covered with and without the search on the contrast-stretched picture.

Fog, smoke and tear gas lift a picture's dark tones and squeeze its contrast; faces an eye still
recognises then score under the detectors' threshold. A picture held dark (levels 0-11 and under) squeezes
them from below: it looks black, and a levels stretch shows every face. ``detect.shown`` searches a
picture that ``raster.squeezed`` calls hazy or dark again as ``raster.stretched`` returns it. Measured
here, in process (``anonymize_image``, faces only), each setting in turn:

* **hazy scenes**: the first SCENES crowd and portrait photos outside the benchmark (the folders the other
  benches calibrate on), each blended toward light grey (210) by 70-90% and saved at JPEG quality 85, and
  covered with tear gas (12 soft patches of a light grey, up to 88% dense, with a noisy texture; seeded),
  and scaled into levels 0-5, 0-7 and 0-11 (kept lossless: a PNG).
  The reference faces are those unseen's own detector finds on the clean photo at a score >= 0.6 and
  >= 16 px wide; a face is covered when >= 70% of its middle half changed by > 24 in some channel or sits
  at the fill colour (bench/halftone.py's rule);
* **ordinary photos**: the 100 photos the other benches calibrate on, and the 8 WIDER FACE photos of the
  protection benchmark (not tuned on: only counted): how many the rule calls hazy, the CPU of the test,
  and for those it calls hazy the share of the picture the pass changes and its CPU.

    python bench/haze.py [--write-md]
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from benchlib import emit, faces_cpu, machine, run_header
from halftone import covered, ordinary_files
from PIL import Image, ImageOps
from plates import SHARED

from unseen import Options, raster
from unseen.detect import shown

SECTION = "## Haze and smoke (bench/haze.py)"
SCENES = 30
HAZE = (0.7, 0.8, 0.85, 0.9)
DARK = (5, 7, 11)
GREY = 210.0


def photos() -> list[np.ndarray]:
    return [np.asarray(ImageOps.exif_transpose(Image.open(f)).convert("RGB")) for f in ordinary_files()]


def jpeg(a: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def tear_gas(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    dense = np.zeros((h, w))
    for _ in range(12):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.08, 0.25) * max(w, h)
        dense += np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)) * rng.uniform(0.4, 0.9)
    n = rng.normal(0, 1, (h // 16 + 1, w // 16 + 1))
    n = np.asarray(Image.fromarray(((n - n.min()) / np.ptp(n) * 255).astype(np.uint8)).resize((w, h),
                                                                                             Image.Resampling.BICUBIC))
    dense = np.clip(dense * (0.6 + 0.8 * n / 255.0), 0, 0.88)[..., None]
    return jpeg(a * (1 - dense) + np.array([225, 228, 222]) * dense)


def faces(rgb: np.ndarray, det) -> list[tuple[int, int, int, int]]:
    found = det.detect(rgb).of_kind("face")
    return [(int(x0), int(y0), int(x1 - x0), int(y1 - y0)) for (x0, y0, x1, y1), s in
            zip(found.boxes.tolist(), found.scores.tolist(), strict=True) if s >= 0.6 and x1 - x0 >= 16]


def both(rgb: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """(output, CPU s) without the haze pass, then with it."""
    out = []
    for on in (False, True):
        shown.STRETCH_HAZE = on
        out.append(faces_cpu(rgb))
    shown.STRETCH_HAZE = True
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    det = Options(cover=("face",)).make_detector()
    ordinary = photos()
    rng = np.random.default_rng(7)
    scenes = {f"haze {int(f * 100)}%": [] for f in HAZE} | {"tear gas": []} | {f"dark 0-{k}": [] for k in DARK}
    refs = []
    for rgb in ordinary[:SCENES]:
        refs.append(faces(rgb, det))
        for f in HAZE:
            scenes[f"haze {int(f * 100)}%"].append(jpeg(rgb * (1 - f) + GREY * f))
        scenes["tear gas"].append(tear_gas(rgb.astype(np.float64), rng))
        for k in DARK:
            scenes[f"dark 0-{k}"].append(((rgb.astype(np.uint16) * k + 127) // 255).astype(np.uint8))
    total = sum(map(len, refs))
    rows = [f"| scene ({SCENES} photos, {total} faces >= 16 px) | called hazy or dark | faces covered, without | with "
            "| CPU s, without | with |", "|---|---:|---:|---:|---:|---:|"]
    for name, pics in scenes.items():
        got, cpu, hazy = [0, 0], [0.0, 0.0], 0
        for pic, ref in zip(pics, refs, strict=True):
            hazy += raster.squeezed(pic)
            for k, (out, c) in enumerate(both(pic)):
                got[k] += sum(covered(pic, out, b) for b in ref)
                cpu[k] += c
        share = [f"{g} ({100 * g / total:.1f}%)" for g in got]
        rows.append(f"| {name} | {hazy} | {share[0]} | {share[1]} | {cpu[0]:.1f} | {cpu[1]:.1f} |")
        print(rows[-1], flush=True)
    wider = [np.asarray(Image.open(f).convert("RGB")) for f in sorted((SHARED / "widerface").rglob("*.jpg"))]
    rows += ["", "| ordinary photos | photos | called hazy or dark | CPU s of the test, all | share changed by the "
             "pass, mean (worst) | CPU s of those called, without | with |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, pics in (("calibration folders", ordinary), ("WIDER FACE (protection benchmark)", wider)):
        t = time.process_time()
        flagged = [rgb for rgb in pics if raster.squeezed(rgb)]
        test_cpu = time.process_time() - t
        shares, cpu = [], [0.0, 0.0]
        for rgb in flagged:
            (a, ca), (b, cb) = both(rgb)
            shares.append(float((np.abs(a.astype(int) - b.astype(int)).max(-1) > 24).mean()))
            cpu[0] += ca
            cpu[1] += cb
        changed = f"{100 * np.mean(shares):.2f}% ({100 * max(shares):.2f}%)" if shares else "-"
        rows.append(f"| {name} | {len(pics)} | {len(flagged)} | {test_cpu:.2f} | {changed} | {cpu[0]:.1f} "
                    f"| {cpu[1]:.1f} |")
        print(rows[-1], flush=True)
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
