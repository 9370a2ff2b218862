"""The plate pass's rules (detect/plates.py): a sign's lines are no plate; a region turned down is searched inside."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import FIXTURES, ROOT, shared_path
from PIL import Image
from synth import draw_plate, draw_text, region_share

from unseen.detect import text as text_det

BASE = FIXTURES / "2008_007676.jpg"  # 500 x 334, six faces, public domain (dlib's examples)
PLATE_TEXT = "KA 4821 B"


def test_a_sign_in_capitals_is_not_a_vanity_plate():
    """Upper-case words without a digit count as a plate (vanity plates: GWAGEN) unless they are
    lines of a block, as on a sign over a door; a plate's own letters are one line. Real pixels:
    the detector and the reader on the fixture photo with a three-line sign and a vanity plate."""
    from unseen.detect import plates

    rgb = np.asarray(Image.open(BASE).convert("RGB").resize((1000, 668))).copy()
    sign = [draw_text(rgb, 600, 40 + 58 * k, 40, word, ink=(240, 240, 240), paper=(30, 30, 90))
            for k, word in enumerate(("ROYAL", "OPERA", "HOUSE"))]
    plate = draw_plate(rgb, 60, 560, 48, "GWAGEN")
    found = plates.TextBoxes(("plate",))(rgb, 0.3)

    def hit(box: tuple[int, int, int, int]) -> bool:
        x, y, w, h = box
        return any(b[0] <= x + w / 2 <= b[2] and b[1] <= y + h / 2 <= b[3] for b in found.boxes)

    assert hit(plate)
    assert not any(hit(line) for line in sign), found.boxes
    # the same words one at a time are read as vanity plates, as before
    alone = np.asarray(Image.open(BASE).convert("RGB").resize((1000, 668))).copy()
    word = draw_text(alone, 600, 40, 40, "OPERA", ink=(240, 240, 240), paper=(30, 30, 90))
    found = plates.TextBoxes(("plate",))(alone, 0.3)
    assert hit(word)


def test_stacked_lines_with_digits_stay_plates(monkeypatch):
    """Only reads without a digit give way to the block rule: a two-line plate keeps both lines."""
    from unseen.detect import plates, reader

    rgb = np.full((300, 400, 3), 90, np.uint8)
    quads = np.array([[[10, 10], [200, 10], [200, 50], [10, 50]],
                      [[10, 55], [200, 55], [200, 95], [10, 95]],  # right below the first: a block
                      [[10, 200], [200, 200], [200, 240], [10, 240]]], np.float32)  # apart
    assert plates.stacked(quads, plates.text.quad_heights(quads)).tolist() == [True, True, False]
    scores = np.full(3, 0.9, np.float32)
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("KA 4821", 0.9)] * len(q))
    assert len(plates.TextBoxes(("plate",)).judge(rgb, quads, scores)) == 3
    monkeypatch.setattr(reader, "read", lambda rgb, q, grow=0.1: [("OPERA", 0.9)] * len(q))
    kept = plates.TextBoxes(("plate",)).judge(rgb, quads, scores)
    assert len(kept) == 1 and kept.boxes[0, 1] == 200


def test_a_sign_line_found_again_inside_a_region_is_not_judged_again():
    """The search inside a turned-down region can find one of a sign's lines again with a tighter box:
    too short beside its neighbours for the block rule, or under MIN_READ and so covered unread. Such a
    box is that line, already read (``plates.repeats``); a small plate inside a large region is not."""
    from unseen.detect import plates

    sign = np.array([[[10, 0], [250, 0], [250, 60], [10, 60]],
                     [[10, 62], [250, 62], [250, 122], [10, 122]]], np.float32)  # two lines, 60 px
    found = np.array([[[30, 75], [230, 75], [230, 109], [30, 109]],  # line 2 again, 34 px
                      [[30, 70], [230, 70], [230, 101], [30, 101]],  # line 2 again, 31 px (under MIN_READ)
                      [[100, 80], [140, 80], [140, 92], [100, 92]],  # 12 px inside line 2: not the line
                      [[30, 40], [230, 40], [230, 80], [30, 80]]], np.float32)  # across both lines
    assert plates.repeats(found, sign).tolist() == [True, True, False, False]
    assert plates.repeats(found, sign[:0]).tolist() == [False] * 4
    # what counts as a sign's line: read as text with confidence, turned down, one line of a block
    lines = np.concatenate([sign, [[[10, 200], [250, 200], [250, 260], [10, 260]]]]).astype(np.float32)
    reads = {0: ("RED DEAD", 0.91), 1: ("REDEMPTION", 0.90), 2: ("BAKERY", 0.95)}
    assert plates.sign_lines(lines, [None, None, None], reads) == [0, 1]  # the third stands alone
    assert plates.sign_lines(lines, [None, "plate", None], reads) == [0]  # a kept line is no sign
    reads[1] = ("OERKOOBAE", 0.44)  # a 16 px plate's own box, read at low confidence
    assert plates.sign_lines(lines, [None, None, None], reads) == [0]


def _video_plate_pass(clip: str, frame: int):
    """The plate pass on one frame of a shared clip, as video runs it (upright, fitted, in strips)."""
    from unseen import raster
    from unseen.detect import plates, schedule
    from unseen.detect.ensemble import TEXT_THRESHOLD
    from unseen.media.video_read import Orientation

    av = pytest.importorskip("av")
    with av.open(str(shared_path(clip))) as c:
        f = next(itertools.islice(c.decode(video=0), frame, None))
        upright = np.ascontiguousarray(Orientation.from_frame(f).apply(f.to_ndarray(format="rgb24")))
    rgb, _ = raster.fit(upright, schedule.TEXT_FIT)
    return plates.TextBoxes(("plate",))(rgb, TEXT_THRESHOLD, schedule.VIDEO_TILE_PIXELS["plate"])


@pytest.mark.parametrize(("clip", "frame", "word"), [
    # a game box: "REDEMPTION" under "RED DEAD" came back as a vanity plate
    ("metadata_extractor_images_drewnoakes/mov/with-gps.mov", 108, (95, 395)),
    # "ROYAL" over a door, found again at 31 px inside the coat of arms' region, was covered unread
    ("facenet_pytorch_timesler/examples/video.mp4", 72, (672, 245)),
])
def test_a_sign_line_is_not_covered_when_found_again(clip, frame, word):
    """Real pixels, as video's plate pass sees them (upright, fitted to 1280 px, in strips): a line of a
    sign, read and turned down, stays uncovered when the search inside finds it again; the frame's other
    small text boxes are still covered."""
    found = _video_plate_pass(clip, frame)
    assert not any(b[0] <= word[0] <= b[2] and b[1] <= word[1] <= b[3] for b in found.boxes), found.boxes
    assert len(found)


def test_two_lines_of_a_sign_whose_boxes_overlap_are_a_block():
    """The detector's boxes are grown around the letters (DB's unclip), so two lines set close together
    come back overlapping by half their height: their centres are about half a box apart, not more.
    "RED DEAD" over "REDEMPTION" on a game box (gps-mov frame 57: 68 and 65 px boxes, centres 36 px
    apart) is a block; the same line found twice (centres a few px apart) is not."""
    from unseen.detect import plates

    title = np.array([[[14, 330], [203, 330], [203, 398], [14, 398]],
                      [[6, 368], [200, 368], [200, 433], [6, 433]]], np.float32)
    assert plates.stacked(title, plates.text.quad_heights(title)).tolist() == [True, True]
    twice = np.array([[[14, 330], [203, 330], [203, 398], [14, 398]],
                      [[20, 340], [190, 340], [190, 400], [20, 400]]], np.float32)
    assert plates.stacked(twice, plates.text.quad_heights(twice)).tolist() == [False, False]


def test_a_sign_line_over_another_is_not_covered():
    """Real pixels (gps-mov frame 57, as video's plate pass sees it): "RED DEAD", capitals without a
    digit whose box overlaps the next line's by half, stays uncovered (before, it was read as a vanity
    plate in this frame and held over the title for a second); the small print is still covered."""
    found = _video_plate_pass("metadata_extractor_images_drewnoakes/mov/with-gps.mov", 57)
    assert not any(b[0] <= 108 <= b[2] and b[1] <= 362 <= b[3] for b in found.boxes), found.boxes
    assert len(found)


@pytest.mark.parametrize("height", [12, 16])
def test_a_small_plate_inside_a_larger_text_region_is_covered(height, monkeypatch):
    """A picture on a wall (one fixture photo pasted into the other) comes back from the detector as a
    region around the small plate in it; the region reads as no plate. Until the detector's input was
    normalised as PaddleOCR trained it (2026-12-04) that region was all it returned there; now it also
    returns the plate's own box, which the rule covers. The merge is replayed by dropping the boxes inside
    the region from the whole picture's pass: searched again on its own (``TextBoxes.inside``, the real
    detector), the region gives the plate its own box, which the rule covers."""
    from unseen.detect import plates

    picture = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").resize((360, 240))).copy()
    x, y, w, h = draw_plate(picture, 140, 150, height, "KA 4821")
    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB").resize((1600, 1100))).copy()
    rgb[400:640, 600:960] = picture
    plate = (x + 600, y + 400, w, h)
    tb = plates.TextBoxes(("plate",))
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9  # found directly

    real_find = text_det.find
    quads, scores = real_find(rgb)
    lo, hi = quads.min(1), quads.max(1)
    around = ((lo[:, 0] <= plate[0]) & (lo[:, 1] <= plate[1]) & (hi[:, 0] >= plate[0] + w)
              & (hi[:, 1] >= plate[1] + h) & (text_det.quad_heights(quads) >= plates.MIN_READ))
    assert around.any()  # the region this is about, read as a whole ...
    r = np.flatnonzero(around)[0]
    within = (lo[:, 0] >= lo[r, 0]) & (lo[:, 1] >= lo[r, 1]) & (hi[:, 0] <= hi[r, 0]) & (hi[:, 1] <= hi[r, 1])
    within[r] = False
    merged = quads[~within], scores[~within]
    assert region_share(tb.judge(rgb, *merged), plate, rgb.shape) < 0.5  # ... and turned down
    calls = []

    def find(pic, *args, **kw):  # the whole picture as before the change, every region searched for real
        calls.append(pic.shape)
        return merged if len(calls) == 1 else real_find(pic, *args, **kw)

    monkeypatch.setattr(text_det, "find", find)
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9
    assert len(calls) > 1  # the region was searched inside


def _pasted_picture_with_a_plate() -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]:
    """A 300 x 200 photo holding a 12 px plate, pasted into a 1280 x 720 picture at (500, 300): the picture,
    the plate's box (x, y, w, h) and the pasted photo's own quad (what the detector returns it as, whole)."""
    picture = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB").resize((300, 200))).copy()
    x, y, w, h = draw_plate(picture, 120, 130, 12, "KA 4821")
    rgb = np.asarray(Image.open(BASE).convert("RGB").resize((1280, 720))).copy()
    rgb[300:500, 500:800] = picture
    region = text_det.rect_quad(np.array([650.0, 400.0]), np.array([1.0, 0.0]), 300, 200)[None].astype(np.float32)
    return rgb, (x + 500, y + 300, w, h), region


def test_a_region_whose_search_inside_finds_only_itself_is_searched_at_2x(monkeypatch):
    """A pasted picture the detector returns whole, and whose search inside at 1x finds it whole again (the
    class ``plates.INSIDE_2X_MAX`` is for; replayed here, the real detector at 2x): searched again at twice
    the scale it gives the small plate in it its own box, which the rule covers. Off, or on a region larger
    than INSIDE_2X_MAX, there is no 2x search and the plate stays visible."""
    from unseen.detect import plates

    rgb, plate, region = _pasted_picture_with_a_plate()
    real_find, scales = text_det.find, []

    def find(pic, scale=1.0, *args, **kw):  # the whole picture and the 1x search inside: the region alone
        scales.append(scale)
        if scale == 1.0:
            return (region if pic.shape == rgb.shape else region - [492, 292]), np.array([0.9], np.float32)
        return real_find(pic, scale, *args, **kw)

    monkeypatch.setattr(text_det, "find", find)
    tb = plates.TextBoxes(("plate",))
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9 and scales == [1.0, 1.0, 2.0]
    for off in (0, 216 * 316 - 1):  # never, or a cap under the region's 300 x 200 px and its padding
        monkeypatch.setattr(plates, "INSIDE_2X_MAX", off)
        scales.clear()
        assert region_share(tb(rgb, 0.3), plate, rgb.shape) < 0.5 and scales == [1.0, 1.0]


def test_a_small_box_found_at_1x_stops_the_2x_search_unless_always_is_set(monkeypatch):
    """The same pasted picture, but the search inside at 1x also finds a small box elsewhere in it (as on a
    lp-s18 frame at 12 px, test_085, in bench/plate_core.py): the shipped rule takes that as the search having
    worked and does not search at 2x, so the plate stays visible; ``plates.INSIDE_2X_ALWAYS`` (measured, not
    taken: docs/BENCHMARKS.md, "every small region searched at 2x") searches at 2x all the same and covers it."""
    from unseen.detect import plates

    rgb, plate, region = _pasted_picture_with_a_plate()
    small = text_det.rect_quad(np.array([540.0, 330.0]), np.array([1.0, 0.0]), 40, 20)[None].astype(np.float32)
    real_find, scales = text_det.find, []

    def find(pic, scale=1.0, *args, **kw):  # the whole picture: the region; the 1x search inside: it and a small box
        scales.append(scale)
        if scale == 1.0 and pic.shape == rgb.shape:
            return region, np.array([0.9], np.float32)
        if scale == 1.0:
            return np.concatenate([region, small]) - [492, 292], np.array([0.9, 0.6], np.float32)
        return real_find(pic, scale, *args, **kw)

    monkeypatch.setattr(text_det, "find", find)
    tb = plates.TextBoxes(("plate",))
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) < 0.5 and scales == [1.0, 1.0]
    monkeypatch.setattr(plates, "INSIDE_2X_ALWAYS", True)
    scales.clear()
    assert region_share(tb(rgb, 0.3), plate, rgb.shape) >= 0.9 and scales == [1.0, 1.0, 2.0]


@pytest.mark.slow
@pytest.mark.parametrize(("photo", "row"), [("test_084.jpg", "bottom strip"), ("test_084.jpg", "top strip"),
                                            ("test_075.jpg", "top strip")])
def test_a_real_plate_in_a_pasted_photo_is_found_at_2x(photo, row, monkeypatch):
    """A photo of the plate set, resampled so its plate is 12 px tall, pasted into LivePortrait's s18 first
    frame (1280 x 720) with the plate on one of video's strip rows, built by bench/plate_core.py's own helpers:
    the plate pass as video runs it (strips) loses the plate without the 2x search inside and covers it with it."""
    from unseen.detect import plates
    from unseen.detect.schedule import VIDEO_TILE_PIXELS

    shared_path("plates_openalpr_eu")
    shared_path("liveportrait_kwaivgi/assets/examples/source/s18.mp4")
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from plate_core import BACKGROUNDS, first_frame
    from plate_strips import frame_with_plate, plate_rows
    from plates import SHARED, load, plate_items

    path, box = next(item for item in plate_items() if item[0].name == photo)
    frame, plate = frame_with_plate(load(path), box, 12, plate_rows()[1][row],
                                    background=first_frame(SHARED / BACKGROUNDS["lp-s18"]))
    tb = plates.TextBoxes(("plate",))
    cap = VIDEO_TILE_PIXELS["plate"]
    assert region_share(tb(frame, 0.3, strip_pixels=cap), plate, frame.shape) >= 0.7
    monkeypatch.setattr(plates, "INSIDE_2X_MAX", 0)
    assert region_share(tb(frame, 0.3, strip_pixels=cap), plate, frame.shape) < 0.5


def test_a_flat_colour_holds_no_text_and_is_not_searched(monkeypatch):
    """On a flat saturated colour the text detector's map is high everywhere: it returned each tile as
    one unreadable text box (score 0.92), which the plate pass then searched inside, piece by piece
    (62 s of CPU for one flat 8K picture). A picture of one colour is not run through the network,
    and a box over one colour only is dropped; a plate drawn on such a poster is still covered."""
    from unseen.detect import plates

    runs = []
    probability = text_det.probability
    monkeypatch.setattr(text_det, "probability", lambda rgb: runs.append(rgb.shape) or probability(rgb))
    flat = np.zeros((800, 1200, 3), np.uint8)
    flat[:] = (37, 100, 200)
    assert len(text_det.detect(flat)[0]) == 0 and runs == []
    poster = flat.copy()
    plate = draw_plate(poster, 900, 700, 24, PLATE_TEXT)
    # the detector still runs on the poster and must return the plate, not the blue around it
    assert text_det.one_colour(flat) and not text_det.one_colour(poster)
    quads, _ = text_det.detect(poster)
    assert len(runs) == 1 and len(quads) >= 1
    boxes = text_det.quad_boxes(quads)
    assert (boxes[:, 2] - boxes[:, 0]).max() < 400  # no box over the blue alone
    searched = []
    inside = plates.TextBoxes.inside
    monkeypatch.setattr(plates.TextBoxes, "inside", lambda self, *a, **k: searched.append(1) or inside(self, *a, **k))
    assert region_share(plates.TextBoxes(("plate",))(poster, 0.3), plate, poster.shape) >= 0.9
    assert searched == []


def test_a_region_the_size_of_a_tile_is_not_searched_inside(monkeypatch):
    """On a smooth background (a studio portrait's; here a blue gradient) the text detector returns each
    tile as one unreadable box, and searching inside those ran the detector over the picture again,
    piece by piece: a real 12 MP portrait spent 40 s of CPU in the plate pass. A region of half a tile
    or more is not searched again; a plate on that background is still covered, and the small region a
    picture on a wall makes still is searched (``test_a_small_plate_inside_a_larger_text_region_is_covered``)."""
    from unseen.detect import plates

    rgb = np.zeros((1100, 1600, 3), np.uint8)
    rgb[:] = (37, 100, 200)
    rgb[..., 2] = np.linspace(150, 230, 1600).astype(np.uint8)[None, :]
    plate = draw_plate(rgb, 1200, 900, 24, PLATE_TEXT)
    boxes = text_det.quad_boxes(text_det.find(rgb)[0])
    sides = np.clip(boxes[:, 2:], 0, [1600, 1100]) - np.clip(boxes[:, :2], 0, None)
    assert (sides.prod(axis=1) >= plates.SEARCH_INSIDE_MAX).any()  # the detector's answer this is about
    searched: list[np.ndarray] = []
    inside = plates.TextBoxes.inside
    monkeypatch.setattr(plates.TextBoxes, "inside",
                        lambda self, img, quads, *a, **k: searched.append(quads) or inside(self, img, quads, *a, **k))
    assert region_share(plates.TextBoxes(("plate",))(rgb, 0.3), plate, rgb.shape) >= 0.9
    for quads in searched:
        sides = np.diff(text_det.quad_boxes(quads).reshape(-1, 2, 2), axis=1).reshape(-1, 2)
        assert (sides.prod(axis=1) < plates.SEARCH_INSIDE_MAX).all()
