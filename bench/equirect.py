"""360-degree photos: faces covered with and without the polar rows searched squeezed (``detect.sphere``).

A 360 camera stores an equirectangular picture (twice as wide as tall) whose rows are stretched sideways
by 1 / cos(latitude). Here crowd photos outside the benchmark (ultralight's imgs 10, 1, 6 and 9) are
projected as a 360 camera would see them: each photo spans 12 degrees of latitude, centred at the
latitude of the row, below the horizon (people around a camera on a pole or a helmet) and, for 9.jpg,
above it, in a 4096 x 2048 picture of a plain sky and ground. The reference faces are the ones unseen's
own detector finds on the clean photo (score >= 0.5); their middle half (eyes, nose, mouth) is carried
through the projection as a label map. A face counts when it is at least 10 px tall in the 360 picture;
it is covered when >= 70% of its middle changed by > 24 in some channel or sits at the fill colour
(bench/halftone.py's rule). In process (``anonymize_image``, faces only), each setting in turn, CPU
time of each run. Last, the photos of ../shared/data twice as wide as tall (none a 360 photo):
the share of each picture the polar passes change, and their CPU.

    python bench/equirect.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import emit, faces_cpu, machine, run_header
from PIL import Image, ImageOps
from plates import SHARED
from synth import equirect  # tests/, on the path bench/plates.py sets

from unseen import Options
from unseen.detect import sphere

SECTION = "## 360-degree photos (bench/equirect.py)"
CROWDS = SHARED / "ultralight_face_linzaer" / "imgs"
BELOW = ("10.jpg", "1.jpg", "6.jpg")
ABOVE = "9.jpg"
LATITUDES = (0, 55, 62, 68, 72, 76, 80)
WIDTH, HEIGHT, SPAN = 4096, 2048, 12.0
SHIPPED = sphere.SQUEEZES


def references(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The photo and a label map of its faces' middles (1, 2, ...), from unseen's own detector."""
    rgb = np.asarray(ImageOps.exif_transpose(Image.open(CROWDS / name)).convert("RGB"))
    found = Options(cover=("face",)).make_detector().detect(rgb).of_kind("face")
    labels = np.zeros(rgb.shape[:2], np.int32)
    for i, ((x0, y0, x1, y1), score) in enumerate(zip(found.boxes, found.scores, strict=True), 1):
        if score >= 0.5:
            w, h = x1 - x0, y1 - y0
            labels[int(y0 + h / 4): int(y1 - h / 4), int(x0 + w / 4): int(x1 - w / 4)] = i
    return rgb, labels


def scene(latitude: float, photos: dict) -> tuple[np.ndarray, np.ndarray]:
    """A 360 picture with the BELOW photos at -``latitude`` and ABOVE at +``latitude``, and its labels
    (numbered apart per photo)."""
    pic = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    pic[: HEIGHT // 2], pic[HEIGHT // 2:] = (150, 170, 200), (110, 100, 90)
    labels = np.zeros((HEIGHT, WIDTH), np.int32)
    x, offset = 50, 0
    for name, lat in [(n, -latitude) for n in BELOW] + [(ABOVE, latitude)]:
        rgb, lab = photos[name]
        p, plab, inside, top = equirect(rgb, lab, lat, SPAN, HEIGHT)
        w = min(p.shape[1], WIDTH)
        if x + w > WIDTH:
            x = 0
        region = (slice(top, top + p.shape[0]), slice(x, x + w))
        pic[region][inside[:, :w]] = p[:, :w][inside[:, :w]]
        labels[region][inside[:, :w]] = np.where(plab[:, :w] > 0, plab[:, :w] + offset, 0)[inside[:, :w]]
        offset += int(lab.max()) + 1
        x += w + 40
    return pic, labels


def count(a: np.ndarray, b: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """(faces at least 10 px tall, of them covered)."""
    changed = (np.abs(a.astype(int) - b.astype(int)).max(-1) > 24) | (np.abs(b.astype(int) - 128).max(-1) <= 8)
    faces = covered = 0
    for i in np.unique(labels[labels > 0]):
        ys, xs = np.nonzero(labels == i)
        if 2 * (ys.max() - ys.min() + 1) < 10:  # the middle half: the face is twice as tall
            continue
        faces += 1
        covered += bool(changed[ys, xs].mean() >= 0.7)
    return faces, covered


def run(rgb: np.ndarray, squeezes: tuple) -> tuple[np.ndarray, float]:
    sphere.SQUEEZES = squeezes
    return faces_cpu(rgb)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    photos = {n: references(n) for n in (*BELOW, ABOVE)}
    rows = ["| latitude of the photos (stretch at it) | faces >= 10 px | covered without the polar passes | "
            "with them | CPU s without | with |", "|---|---:|---:|---:|---:|---:|"]
    totals = np.zeros(5)
    for lat in LATITUDES:
        pic, labels = scene(lat, photos)
        (a, ca), (b, cb) = run(pic, ()), run(pic, SHIPPED)
        (n, without), (_, with_) = count(pic, a, labels), count(pic, b, labels)
        totals += (n, without, with_, ca, cb)
        rows.append(f"| {lat} degrees ({1 / np.cos(np.radians(lat)):.1f}x) | {n} | {without} | {with_} | "
                    f"{ca:.1f} | {cb:.1f} |")
        print(rows[-1], flush=True)
    rows.append(f"| all | {totals[0]:.0f} | {totals[1]:.0f} | {totals[2]:.0f} | {totals[3]:.1f} | {totals[4]:.1f} |")
    files = sorted(f for f in SHARED.rglob("*") if f.suffix.lower() in (".jpg", ".jpeg", ".png")
                   and not any(s.startswith(".") for s in f.parts) and _two_to_one(f))
    rows += ["", f"| ordinary photos twice as wide as tall ({len(files)}) | share changed by the polar passes | "
             "CPU s without | with |", "|---|---:|---:|---:|"]
    for f in files:
        rgb = np.asarray(ImageOps.exif_transpose(Image.open(f)).convert("RGB"))
        (a, ca), (b, cb) = run(rgb, ()), run(rgb, SHIPPED)
        share = float((np.abs(a.astype(int) - b.astype(int)).max(-1) > 24).mean())
        rows.append(f"| {f.relative_to(SHARED)} ({rgb.shape[1]} x {rgb.shape[0]}) | {100 * share:.2f}% | "
                    f"{ca:.1f} | {cb:.1f} |")
        print(rows[-1], flush=True)
    sphere.SQUEEZES = SHIPPED
    emit(SECTION, [*run_header(machine()), "", *rows], args.write_md)
    return 0


def _two_to_one(path) -> bool:
    try:
        with Image.open(path) as im:
            w, h = ImageOps.exif_transpose(im).size
    except Exception:  # noqa: BLE001 - the shared data holds malformed files on purpose
        return False
    return sphere.is_equirectangular(w, h)


if __name__ == "__main__":
    raise SystemExit(main())
