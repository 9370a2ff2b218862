"""Faces the picture's border cuts: the mask is filled out to the border from the ellipse's middle.

Regions reach the mask padded and clipped to the picture. The ellipse inscribed in what is left of a cut
box narrows to a point at the border, where the face it stands for goes on: a half face at the edge of a
photo kept its lips, chin or an eye in the corners between ellipse and border (a hunt, 2026-12-05).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import GROUP, dlib_boxes, run, shared_path
from PIL import Image

from unseen import Options, mask, raster
from unseen.engine.image import mask_frame, mask_planes
from unseen.options import DEFAULT_PAD
from unseen.regions import Regions


def uncut_ellipse(box: np.ndarray, width: int, height: int) -> np.ndarray:
    """The part inside the picture of the ellipse inscribed in ``box`` before it was clipped."""
    canvas = np.zeros((height, width), bool)
    r0, left, right = raster.ellipse_spans(*box, height, width)
    if len(left):
        canvas[r0 : r0 + len(left)] = raster.spans_mask(left, right, 0, width)
    return canvas


def test_a_cut_box_covers_all_of_the_ellipse_its_uncut_box_had_inside_the_picture():
    rng = np.random.default_rng(3)
    w, h = 120, 90
    for _ in range(400):
        b = rng.uniform(-60, 150, 4).astype(np.float32)
        b[2:] = b[:2] + rng.uniform(4, 120, 2)
        cut = Regions.from_boxes(b[None]).clipped(w, h)
        if not len(cut):
            continue
        covered = mask.coverage(cut, w, h)
        assert not (uncut_ellipse(b, w, h) & ~covered).any()
        # the same on video planes
        planes = np.zeros((h * 3 // 2, w), np.uint8)
        assert mask.fill_yuv420p(planes, cut, mask.MaskSpec(), True)
        assert np.array_equal(planes[:h] == 128, covered)


def test_a_box_inside_the_picture_keeps_its_ellipse():
    w, h = 120, 90
    b = np.array([[10, 10, 60, 70]], np.float32)
    assert np.array_equal(mask.coverage(Regions.from_boxes(b), w, h), uncut_ellipse(b[0], w, h))


def border_strip(box: tuple[int, int, int, int], side: str, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The 3 px of ``box`` (x, y, w, h, in the cut photo) along the border the cut made."""
    x, y, w, h = box
    x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + w, shape[1]), min(y + h, shape[0])
    if side == "left":
        return 0, y1, 3, y2 - y1
    if side == "right":
        return shape[1] - 3, y1, 3, y2 - y1
    if side == "top":
        return x1, 0, x2 - x1, 3
    return x1, shape[0] - 3, x2 - x1, 3


def test_faces_cut_in_half_by_the_border_are_covered_up_to_it(tmp_path: Path):
    """The dlib group photo cut through the middle of each labelled face, from each side: 24 half faces. Along
    the cut, the labelled box's last 3 px are covered (before, 20 of the 24 were not: the ellipse met the border at
    one point)."""
    photo = Image.open(GROUP).convert("RGB")
    W, H = photo.size
    cuts = []
    for i, (x, y, w, h) in enumerate(dlib_boxes(GROUP.name)):
        for side, crop in (("left", (x + w // 2, 0, W, H)), ("right", (0, 0, x + w // 2, H)),
                           ("top", (0, y + h // 2, W, H)), ("bottom", (0, 0, W, y + h // 2))):
            src = tmp_path / f"{i}_{side}.png"
            photo.crop(crop).save(src)
            cuts.append((src, side, (x - crop[0], y - crop[1], w, h)))
    assert run(*[src for src, _, _ in cuts], "-o", tmp_path / "out", "-q", "--cover", "faces") == 0
    shown = []
    for src, side, box in cuts:
        out = np.asarray(Image.open(tmp_path / "out" / src.name).convert("RGB")).astype(int)
        sx, sy, sw, sh = border_strip(box, side, out.shape[:2])
        strip = out[sy : sy + sh, sx : sx + sw]
        covered = float((np.abs(strip - 128).max(-1) <= 1).mean())
        if covered < 0.9:
            shown.append((src.name, round(covered, 2)))
    assert not shown


def test_a_real_portrait_cut_at_the_mouth_keeps_no_lips(tmp_path: Path):
    """Obama's official portrait (face_recognition's examples) cut 156 px into the face from the left: the
    lips at the new border came out beside the ellipse."""
    src_photo = shared_path("face_recognition_ageitgey/examples/obama.jpg")
    src = tmp_path / "cut.png"
    Image.open(src_photo).convert("RGB").crop((540, 0, 910, 1137)).save(src)
    assert run(src, "-o", tmp_path / "out.png", "-q", "--cover", "faces") == 0
    out = np.asarray(Image.open(tmp_path / "out.png").convert("RGB")).astype(int)
    mouth = out[290:345, 0:30]  # the corner of the mouth and the lips, as seen in the cut photo
    assert (np.abs(mouth - 128).max(-1) <= 1).mean() > 0.99


def drawn(box: list[float], width: int, height: int) -> np.ndarray:
    """What ``engine.image.mask_frame`` fills for one face found at ``box`` (default padding)."""
    pixels = np.zeros((height, width, 3), np.uint8)
    out, _ = mask_frame(pixels, Regions.from_boxes([box]), Options(cover=("face",)))
    return out[..., 0] == 128


def test_a_whole_face_whose_padding_crosses_the_border_keeps_its_own_ellipse():
    """A close-up whose hair padding reaches past the top: the padded box's own ellipse, drawn past the border,
    covers the head, and the frame's top corners stay as they were (they were filled before: a talking head's
    changed area rose by 10-15 points of the frame)."""
    w, h = 160, 120
    box = [50, 12, 110, 92]  # padding: 15 px each side, 27 px above: the padded top is at -15
    padded = Regions.from_boxes([box]).to_draw(DEFAULT_PAD, w, h).boxes[0]
    assert padded[1] < 0  # drawn past the border, not clipped to it
    got = drawn(box, w, h)
    assert np.array_equal(got, uncut_ellipse(padded, w, h))
    assert not got[0, :35].any() and not got[0, 125:].any()
    planes = np.zeros((h * 3 // 2, w), np.uint8)  # video frames: the same mask on the decoded planes
    assert mask_planes(planes, (w, h), Regions.from_boxes([box]), Options(cover=("face",)), True)
    assert np.array_equal(planes[:h] == 128, got)


def test_a_face_the_border_cuts_is_still_filled_out_to_it():
    """The same face moved up until its box reaches the border (within 2 px and 10% of its size, as a detector's
    box of a cut face ends): the half of the mask on the border's side is filled out to it."""
    w, h = 160, 120
    for top in (0, 2, 9):
        got = drawn([50, top, 110, top + 80], w, h)
        assert got[: (top + 80 + 20) // 2, 35:125].all(), top


def test_a_box_a_person_drew_near_the_border_is_covered_as_drawn():
    """Only heads are taken as cut by the border: a drawn box 5 px from it stays where it was drawn."""
    drawn_box = Regions.from_boxes([[5, 5, 60, 60]], kind="manual")
    assert drawn_box.to_draw(DEFAULT_PAD, 200, 200).boxes.tolist() == [[5, 5, 60, 60]]
    face = Regions.from_boxes([[5, 5, 60, 60]])
    assert face.to_draw(DEFAULT_PAD, 200, 200).boxes[0, :2].tolist() == [0, 0]
