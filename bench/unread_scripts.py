"""Text in scripts the recogniser cannot read: text mode with and without ``plates.unread_lines``.

The text recogniser (PP-OCRv4) reads Latin, Chinese and Cyrillic. A name banner in Arabic or Devanagari reads as
nothing or a few letters at low confidence, and the rule turned its box down when it was 32 px tall or more, even
with ``--cover text``. Since 2026-12-06 text mode covers such a box when it is shaped like a line and the
detector is sure of it (``UNREAD_LINE_ELONGATION``, ``UNREAD_LINE_SCORE``).

* **banners**: the committed renderings in tests/fixtures/scripts (Arabic, Devanagari, Chinese) pasted on a
  light board onto crowd photos (ultralight's, not the WIDER benchmark set), letters H px tall; covered = >= 95%
  of the ink inside the padded regions of the plate/text pass alone (``TextBoxes``), in plates mode and in text
  mode without and with the unread-line rule;
* **what else it covers**: the share of the picture inside text regions on crowd and portrait photos
  (``plates.crowd_photos``), text mode without and with the rule, and how many photos gain a region.

    python bench/unread_scripts.py [--write-md]
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import REPO, emit, machine, run_header
from PIL import Image
from plates import ULTRA, crowd_photos, load, region_mask

from unseen.detect import plates
from unseen.detect.plates import TextBoxes
from unseen.detect.text import DBParams

SECTION = "## Plates and text: scripts the reader cannot read (bench/unread_scripts.py)"
THRESHOLD = DBParams().box_thresh
BANNERS = ("arabic_banner", "devanagari_banner", "chinese_placard")
HEIGHTS = (12, 16, 24, 32, 48, 64, 80)  # px: the letters' height (the renderings' are 40 px)
BACKS = ("10.jpg", "5.jpg", "26.jpg")
INK_COVERED = 0.95
SCORE = plates.UNREAD_LINE_SCORE


def text_pass(rgb: np.ndarray, kinds: tuple[str, ...], unread_rule: bool) -> np.ndarray:
    plates.UNREAD_LINE_SCORE = SCORE if unread_rule else float("inf")
    try:
        return region_mask(TextBoxes(kinds)(rgb, THRESHOLD), rgb.shape)
    finally:
        plates.UNREAD_LINE_SCORE = SCORE


def pasted(photo: np.ndarray, name: str, height: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``photo`` with the banner's letters ``height`` px tall on a light board at the middle of its lower
    third, and the ink's mask; None when it does not fit."""
    with Image.open(REPO / "tests" / "fixtures" / "scripts" / f"{name}.png") as im:
        banner = im.convert("L")
        banner = banner.resize((round(banner.width * height / 40), round(banner.height * height / 40)),
                               Image.LANCZOS)
    ink = np.asarray(banner) < 128
    h, w = ink.shape
    H, W = photo.shape[:2]
    if w > W - 8 or h > H // 3:
        return None
    x, y = (W - w) // 2, int(H * 0.72) - h // 2
    out = photo.copy()
    out[y : y + h, x : x + w] = np.where(ink[..., None], 20, 245)
    where = np.zeros((H, W), bool)
    where[y : y + h, x : x + w] = ink
    return out, where


def banners() -> list[str]:
    modes = {"plates": (("plate",), False), "text, before": (("plate", "text"), False),
             "text, with the rule": (("plate", "text"), True)}
    rows = [f"| banner | {' | '.join(modes)} |", "|---|" + "---|" * len(modes)]
    for name in BANNERS:
        got, n = dict.fromkeys(modes, 0), 0
        for back in BACKS:
            photo = load(ULTRA / back)
            for height in HEIGHTS:
                made = pasted(photo, name, height)
                if made is None:
                    continue
                rgb, ink = made
                n += 1
                for mode, (kinds, rule) in modes.items():
                    got[mode] += text_pass(rgb, kinds, rule)[ink].mean() >= INK_COVERED
        rows.append(f"| {name} ({n} pictures) | " + " | ".join(f"{got[m]}/{n}" for m in modes) + " |")
        print(rows[-1], flush=True)
    return rows


def crowd() -> list[str]:
    photos = crowd_photos()
    shares: dict[bool, list[float]] = {False: [], True: []}
    for path in photos:
        rgb = load(path)
        for rule in shares:
            shares[rule].append(float(text_pass(rgb, ("plate", "text"), rule).mean()))
    gained = sum(b > a for a, b in zip(shares[False], shares[True], strict=True))
    return ["| crowd photos, text mode | before | with the rule |", "|---|---|---|",
            f"| share of the picture in text regions (mean of {len(photos)}) | {100 * np.mean(shares[False]):.3f}% | "
            f"{100 * np.mean(shares[True]):.3f}% |",
            f"| photos that gain covered area | | {gained} |"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    lines = [*run_header(machine()), "", f"Letters {', '.join(map(str, HEIGHTS))} px tall on ultralight's "
             f"{', '.join(BACKS)}; covered = >= {INK_COVERED:.0%} of the ink inside the padded regions.", "",
             *banners(), "", *crowd()]
    emit(SECTION, lines, args.write_md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
