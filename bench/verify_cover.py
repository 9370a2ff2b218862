"""Verify: which faces found on changed pixels are a cover's outline, and which are faces left.

``unseen verify`` counts a face its detector finds in the output as left, unless masking changed most of
its box (a solid ellipse is face-shaped) and what changed there is a cover: flat (a fill) or noise
(``verify_cover.is_cover``: COVER_FLAT, COVER_NOISE_CORR). Before 2026-12-05 any changed box was excused, so a face
pasted where the original had none, or another photo of the same size given as the output, passed with
"no face detected in the output". On the first PHOTOS crowd and portrait photos outside the benchmark:

* unseen's outputs in each style (``anonymize_image``, faces only): the detections on boxes masking changed
  by CHANGED_SHARE or more, with the two measures ``_cover`` reads and how many it excuses;
* the fill output with a confident face of another of the photos pasted where nothing changed;
* another of the photos, resized to the original's size, given as its output.

    python bench/verify_cover.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import emit, machine, run_header
from halftone import ordinary_files
from PIL import Image, ImageOps

from unseen import Options, anonymize_image, verify, verify_cover

SECTION = "## Verify: faces on changed pixels (bench/verify_cover.py)"
PHOTOS = 40
STYLES = ("fill", "noise", "pixelate", "blur")


def on_changed(original: np.ndarray, output: np.ndarray,
               inside: tuple[int, int, int, int] | None = None) -> list[tuple[float, float, bool]]:
    """(spread, correlation, excused) for each output detection on a box masking mostly changed (and
    overlapping ``inside``, x0, y0, x1, y1, when given)."""
    changed = verify_cover.changed_pixels(original, output)
    return [(*verify_cover.cover_measures(output, changed, box), verify_cover.is_cover(output, changed, box))
            for box, _ in verify._found(output) if verify_cover.share(changed, box) >= verify_cover.CHANGED_SHARE
            and (inside is None or not (box[2] < inside[0] or box[0] > inside[2] or box[3] < inside[1]
                                        or box[1] > inside[3]))]


def row(name: str, found: list[tuple[float, float, bool]]) -> str:
    if not found:
        return f"| {name} | 0 | | | |"
    spread, corr = np.array([f[0] for f in found]), np.array([f[1] for f in found])

    def span(v: np.ndarray) -> str:
        v = v[~np.isnan(v)]
        return f"{np.percentile(v, 5):.2f} / {np.median(v):.2f} / {np.percentile(v, 95):.2f}" if len(v) else "-"

    return f"| {name} | {len(found)} | {span(spread)} | {span(corr)} | {sum(f[2] for f in found)} |"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    photos = [np.asarray(ImageOps.exif_transpose(Image.open(f)).convert("RGB")) for f in ordinary_files(PHOTOS)]
    rows = [f"| output ({len(photos)} photos) | detections on changed boxes | spread: 5% / median / 95% "
            "| correlation: 5% / median / 95% | excused as a cover |", "|---|---:|---:|---:|---:|"]
    fills = []
    for style in STYLES:
        found = []
        for rgb in photos:
            out, _ = anonymize_image(rgb, Options(cover=("face",), style=style))
            if style == "fill":
                fills.append(out)
            found += on_changed(rgb, out)
        rows.append(row(f"unseen, {style}", found))
        print(rows[-1], flush=True)
    faces = []
    for rgb in photos:
        for box, score in verify._found(rgb):
            x1, y1, x2, y2 = (int(v) for v in box)
            if score > 0.9 and 40 <= x2 - x1 <= 200:
                faces.append(rgb[max(0, y1 - 5) : y2 + 5, max(0, x1 - 5) : x2 + 5])
    rng = np.random.default_rng(1)
    pasted, other = [], []
    for i, (rgb, fill) in enumerate(zip(photos, fills, strict=True)):
        face = faces[(i * 7) % len(faces)]
        fh, fw = face.shape[:2]
        if fh < rgb.shape[0] and fw < rgb.shape[1]:
            changed = verify_cover.changed_pixels(rgb, fill)
            for _ in range(50):
                y, x = int(rng.integers(0, rgb.shape[0] - fh)), int(rng.integers(0, rgb.shape[1] - fw))
                if changed[y : y + fh, x : x + fw].mean() < 0.05:
                    break
            with_face = fill.copy()
            with_face[y : y + fh, x : x + fw] = face
            pasted += on_changed(rgb, with_face, (x, y, x + fw, y + fh))
        swap = photos[(i + 5) % len(photos)]
        other += on_changed(rgb, np.asarray(Image.fromarray(swap).resize((rgb.shape[1], rgb.shape[0]))))
    rows += [row("the fill output with another photo's face pasted in", pasted),
             row("another photo of the same size", other)]
    print("\n".join(rows[-2:]), flush=True)
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
