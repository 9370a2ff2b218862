"""Video's plate/text pass runs in full-width strips (``text.find`` with ``strip_pixels``): it bounds the
pass's working memory beside a face pass. These tests check that the strips cut only across lines of
text, that a plate on the cut is still covered (a small one whole in one strip, a tall one by the
overview), that a line found twice is read once, and that the video schedule really cuts its frames.
The last test puts a plate on the seams of a photo's tiles."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES
from PIL import Image
from synth import draw_plate, region_share

from unseen.detect import ensemble, schedule, text
from unseen.detect.plates import TextBoxes
from unseen.regions import box_iou

FRAME = (720, 1280)  # a 1080p frame at the text pass's TEXT_FIT
CAP = schedule.VIDEO_TILE_PIXELS["plate"]


def test_a_video_frame_is_cut_into_two_full_width_strips_overlapping_by_a_line():
    rows = text.strips(*FRAME, CAP)
    assert rows == [(0, 416), (304, 416)]
    assert all(h * FRAME[1] <= CAP for _, h in rows)
    assert rows[0][0] + rows[0][1] - rows[1][0] >= text.LINE_OVERLAP
    assert text.strips(400, 1280, CAP) == [(0, 400)]  # within the cap: one piece
    # A cap no strip can meet stops before strips are mostly overlap (and does stop).
    tight = text.strips(*FRAME, 1000)
    assert len(tight) > 2 and all(h >= 2 * text.LINE_OVERLAP for _, h in tight)
    assert FRAME[1] == schedule.TEXT_FIT  # the cap above is sized for this frame


def _quad(x1: float, y1: float, x2: float, y2: float) -> np.ndarray:
    return np.array([[[x1, y1], [x2, y1], [x2, y2], [x1, y2]]], np.float32)


def test_a_line_found_by_two_runs_is_kept_once_a_cut_piece_is_kept():
    top = np.concatenate([_quad(100, 300, 300, 330), _quad(500, 400, 700, 416)])  # a line; a piece cut at row 416
    bottom = np.concatenate([_quad(101, 301, 299, 331), _quad(500, 400, 700, 440)])  # the same line; the whole one
    overview = np.concatenate([_quad(98, 298, 303, 333), _quad(900, 100, 1200, 300)])  # again, coarser; a tall sign
    keep = text.unique([top, bottom, overview], overview=True)
    # The line once (the larger strip quad, never the overview's), both the cut piece and the whole
    # line (too unlike to be one), and the sign only the overview saw.
    assert keep.tolist() == [0, 1, 3, 5]
    # Within one run nothing is dropped, however alike.
    assert text.unique([np.concatenate([top, top])]).tolist() == [0, 1, 2, 3]


def test_within_a_strip_means_clear_of_its_cut_edges():
    """``text.within`` (for ``OVERVIEW_CUT_ONLY``): a box lying inside one strip, one overview pixel clear of
    its cut edges, was seen whole by that strip at full resolution. The frame's own edges need no margin
    (the overview's coarse boxes reach past them)."""
    strips = [(0, 0, 1280, 416), (0, 304, 1280, 720)]
    boxes = np.array([[100, -3, 300, 120],  # the top strip, past the frame's top edge
                      [100, 200, 300, 410],  # the top strip, 6 px from its cut edge
                      [100, 200, 300, 414],  # 2 px from it: less than one overview pixel (3.3 px)
                      [100, 310, 300, 700],  # the bottom strip
                      [1000, 250, 1290, 450],  # across both strips' cuts: only the overview saw it whole
                      [0, 100, 1280, 650]], np.float32)  # taller than a strip
    assert text.within(boxes, strips, (1280, 720), 1280 / 384).tolist() == [True, True, False, True, False, False]


@pytest.fixture(scope="module")
def street() -> np.ndarray:
    """The fixture photo stretched to a 1280 x 720 frame."""
    return np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB").resize(FRAME[::-1]))


@pytest.mark.parametrize("height", [24, 64, 150])
def test_a_plate_on_the_cut_is_covered_as_in_one_piece(street, height):
    """Plates centred on the middle of the strips' overlap: 24 and 64 px are whole in one strip;
    150 px is taller than the overlap, cut in both strips, and found by the overview."""
    rgb = street.copy()
    box = draw_plate(rgb, 400, 360 - height // 2, height, "KA 4821 B")
    assert box[1] < 416 and box[1] + box[3] > 304  # inside the rows both strips share
    tb = TextBoxes(("plate",))
    whole = tb(rgb, 0.3)
    cut = tb(rgb, 0.3, strip_pixels=CAP)
    assert region_share(whole, box, FRAME) >= 0.9
    assert region_share(cut, box, FRAME) >= 0.9


def test_a_plate_whole_in_a_strip_keeps_the_overviews_copy_unless_asked(street, monkeypatch):
    """A 90 px plate inside the top strip: the strip finds it and so does the overview, coarser (too unlike
    to be dropped as the same line, ``unique``). What ships keeps both, since the overview's regions
    searched again inside find small plates the strips miss; ``OVERVIEW_CUT_ONLY`` (measured, not taken)
    leaves the copy out. Covered either way."""
    rgb = street.copy()
    box = draw_plate(rgb, 400, 120, 90, "KA 4821 B")
    plate = np.array([[box[0], box[1], box[0] + box[2], box[1] + box[3]]], np.float32)
    params = text.DBParams(box_thresh=0.3)

    def on_plate(quads: np.ndarray) -> int:
        return int((box_iou(text.quad_boxes(quads), plate)[:, 0] > 0.1).sum())

    for cut_only, copies in ((False, 2), (True, 1)):
        monkeypatch.setattr(text, "OVERVIEW_CUT_ONLY", cut_only)
        assert on_plate(text.find(rgb, 1.0, params, CAP)[0]) == copies
        assert region_share(TextBoxes(("plate",))(rgb, 0.3, strip_pixels=CAP), box, FRAME) >= 0.9


def test_the_video_schedule_runs_the_plate_pass_in_strips(street, monkeypatch):
    """Through the schedule and the ensemble, as video calls it: the detector sees two 1280 x 416
    strips and the 384 px overview, never the whole frame."""
    seen: list[tuple[int, int]] = []
    real = text.detect

    def recording(rgb, params=text.DEFAULT):
        seen.append(rgb.shape[:2])
        return real(rgb, params)

    monkeypatch.setattr(text, "detect", recording)
    detector = ensemble.Detector(passes=ensemble.text_passes(("plate",)), check_passes=())
    vdet = schedule.VideoDetector(detector)
    vdet.run(street, ("plate", 1.0, 0.3, 0.0, 0, 0))
    # then the regions the rule turned down, each searched again on its own (plates.TextBoxes.inside)
    assert seen[:3] == [(416, 1280), (416, 1280), (216, 384)]
    assert all(h * w <= CAP for h, w in seen[3:])
    # With the plate pass on, CenterFace's strips are capped lower; faces only keeps 1 MP.
    assert vdet.tile_pixels("centerface") == schedule.VIDEO_TILE_PIXELS_WITH_TEXT["centerface"] < 1_000_000
    faces = schedule.VideoDetector(ensemble.Detector(check_passes=()))
    assert not faces.with_text and faces.tile_pixels("centerface") == 1_000_000
    # The caps hold for CenterFace's int8 file too (from INT8_FROM px) unless INT8_UNCAPPED is set.
    for vd in (vdet, faces):
        assert vd.tile_pixels("centerface", 1920 * 1080) == vd.tile_pixels("centerface") > 0
        monkeypatch.setattr(schedule, "INT8_UNCAPPED", True)
        assert vd.tile_pixels("centerface", schedule.INT8_FROM - 1) > 0
        assert vd.tile_pixels("centerface", 1920 * 1080) == 0
        assert vd.tile_pixels("retinaface", 1920 * 1080) == 0
        monkeypatch.setattr(schedule, "INT8_UNCAPPED", False)
    # Photos keep one piece up to the photo tile.
    seen.clear()
    detector.detect(street)
    assert seen[0] == FRAME and all(h * w < FRAME[0] * FRAME[1] for h, w in seen[1:])


@pytest.mark.parametrize("height", [24, 64, 150])
def test_a_plate_on_a_photo_tile_seam_is_covered(street, height):
    """A 2400 x 1700 photo is cut into 2 x 2 tiles overlapping by OVERLAP px; a plate centred where all
    four overlap is covered, whole in a tile (24, 64 px) or, wider than the overlap, by the overview (150)."""
    assert text.layout(1700, 2400) == ([(0, 1010), (690, 1010)], [(0, 1360), (1040, 1360)])
    rgb = np.asarray(Image.fromarray(street).resize((2400, 1700))).copy()
    box = draw_plate(rgb, 1200 - height * 2, 850 - height // 2, height, "KA 4821 B")
    assert box[0] < 1360 and box[0] + box[2] > 1040 and box[1] < 1010 and box[1] + box[3] > 690  # on the seams
    assert region_share(TextBoxes(("plate",))(rgb, 0.3), box, rgb.shape) >= 0.9
