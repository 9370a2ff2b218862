"""Video's detector schedule (detect/schedule.py): the glance, int8 CenterFace, every row on a last frame."""

from __future__ import annotations

import shutil
from fractions import Fraction

import av
import numpy as np
import pytest
from conftest import FIXTURES, dlib_boxes, frames, shared_path, spy_passes
from PIL import Image
from synth import squeezed_clip

from unseen.cli import main
from unseen.detect.schedule import GLANCE, INT8_FROM, VideoDetector
from unseen.regions import box_iou
from unseen.track import WEAK_SOURCE

CLIP = FIXTURES / "video" / "head_pose.mp4"
PHOTO = FIXTURES / "2008_007676.jpg"  # 500 x 334, seven labelled faces, public domain (dlib's examples)
TOL = 24


def test_glance_on_the_shrunk_copy_finds_what_the_full_frame_gives(detector):
    """The every-frame glance runs on swscale's shrunk copy (``DecodedFrame.fitted``) instead of the
    full frame shrunk by Pillow: the same faces, in the frame's own pixels."""
    vdet = VideoDetector(detector)
    for f in frames(CLIP)[:8]:
        job = next(j for j in vdet.due(f.time, f.rgb.shape) if j[4])
        a, b = vdet.run(f.rgb, job), vdet.run_frame(f, job)
        assert len(a) == len(b) >= 1
        assert (box_iou(a.boxes, b.boxes).max(1) > 0.8).all()


def test_glance_boxes_are_weak_until_a_full_size_box_joins_them(detector):
    """The tracker does not let a glance box take a track away from its full-size boxes
    (``track.GUIDE_IOU``): the schedule marks the glance's boxes, and a box NMS fused with a full-size
    pass's box of the same face is a full-size box."""
    vdet = VideoDetector(detector)
    f = frames(CLIP)[0]
    jobs = vdet.due(f.time, f.rgb.shape)
    glance = vdet.run_frame(f, next(j for j in jobs if j[4] == GLANCE and not j[5]))
    full = vdet.run_frame(f, next(j for j in jobs if j[0] == "centerface"))
    assert len(glance) >= 1 and (glance.sources == WEAK_SOURCE).all()
    assert len(full) >= 1 and (full.sources != WEAK_SOURCE).all()
    assert (vdet.merge([glance]).sources == WEAK_SOURCE).all()
    both = vdet.merge([glance, full])
    found_by_both = box_iou(both.boxes, glance.boxes).max(1) > 0.5
    assert found_by_both.any() and (both.sources[found_by_both] != WEAK_SOURCE).all()


def test_centerface_runs_its_int8_file_on_large_frames_only(detector):
    """0.55-0.69x the CPU of a 1080p pass (by CPU model); on smaller frames int8 let a MOT20 face slip
    (``schedule.INT8_FROM``).
    The turned boxes' look keeps the float file its threshold was measured with."""
    vdet = VideoDetector(detector)
    assert vdet.backend("centerface", 1920 * 1080).int8 and INT8_FROM <= 1920 * 1080
    assert not vdet.backend("centerface", 1280 * 720).int8
    assert not vdet.backend("centerface").int8


def test_the_last_frame_runs_every_row(detector, monkeypatch):
    """Nothing comes after a clip's last frame to find what appeared since a row last ran, so every
    periodic row runs on it; the frames before keep their schedule."""
    vdet = VideoDetector(detector)
    ran = spy_passes(vdet, monkeypatch)
    clip = frames(CLIP)
    got = [f.index for f, _ in vdet.detect_all(iter(clip))]
    assert got == list(range(len(clip)))
    last = len(clip) - 1
    rows = {(b, s) for i, b, s in ran if i == last}
    assert ("centerface", 1.0) in rows and ("retinaface", 2.0) in rows
    small = [i for i, b, s in ran if (b, s) == ("retinaface", 2.0)]
    assert small[-1] == last and last - 1 not in small  # on its own schedule until the last frame
    assert vdet.runs == len(ran)


def test_a_face_in_a_clips_last_frames_is_covered(tmp_path):
    """MOT20's last 0.2 s: a ~20 px face that RetinaFace at 2x scores 0.47-0.70 in frames 123-125, after
    that row's last scheduled run on frame 122, was left uncovered until the last frame ran every row
    (found by ``unseen verify``; docs/BENCHMARKS.md, "Verify: videos")."""
    clip = shared_path("dlib_examples/dlib/test/ffmpeg_data/MOT20-05-raw_even_shorter.mp4")
    src = tmp_path / "mot20.mp4"
    shutil.copy(clip, src)
    assert main([str(src), "-o", str(tmp_path / "out"), "-q"]) == 0
    a, b = frames(src), frames(tmp_path / "out" / "mot20.mp4")
    assert len(a) == len(b) == 127
    for i in (123, 124, 125):
        diff = np.abs(a[i].rgb[203:225, 64:83].astype(int) - b[i].rgb[203:225, 64:83].astype(int)).max(2)
        assert (diff > TOL).mean() > 0.7, i


def test_a_face_in_a_shots_last_frames_is_covered(tmp_path):
    """The same face at the end of a shot rather than of the clip: MOT20's 127 frames, then a cut to a
    faceless wall. Holds stop at the cut, so no later pass could cover the face; the shot's last frame
    runs every row, as a clip's does."""
    clip = shared_path("dlib_examples/dlib/test/ffmpeg_data/MOT20-05-raw_even_shorter.mp4")
    src = tmp_path / "edit.mp4"
    with av.open(str(clip)) as c, av.open(str(src), "w") as o:
        vin = c.streams.video[0]
        s = o.add_stream("libx264", rate=vin.average_rate)
        s.width, s.height, s.pix_fmt = vin.width, vin.height, "yuv420p"
        s.options = {"qp": "0", "preset": "veryfast"}  # lossless: the frames are the clip's own pixels
        wall = np.linspace(40, 200, vin.width)[None, :, None] + np.zeros((vin.height, 1, 3))
        wall = av.VideoFrame.from_ndarray(wall.astype(np.uint8), format="rgb24").reformat(format="yuv420p")
        for f in [*c.decode(video=0), *[wall] * 15]:
            f.pts = None
            o.mux(s.encode(f))
        o.mux(s.encode(None))
    assert main([str(src), "-o", str(tmp_path / "out"), "-q"]) == 0
    a, b = frames(src), frames(tmp_path / "out" / "edit.mp4")
    assert len(a) == len(b) == 142
    for i in (123, 124, 125, 126):
        diff = np.abs(a[i].rgb[203:225, 64:83].astype(int) - b[i].rgb[203:225, 64:83].astype(int)).max(2)
        assert (diff > TOL).mean() > 0.7, i
    assert all(np.array_equal(a[i].rgb, b[i].rgb) or np.abs(a[i].rgb.astype(int) - b[i].rgb).max() < 40
               for i in range(127, 142))  # the wall, from its first frame: nothing held into it


@pytest.mark.parametrize("timing", ["same", "ms"])
def test_faces_between_frames_with_squeezed_timestamps_are_covered(tmp_path, timing):
    """Frames whose timestamps say nothing of how far apart they were shot: all at one time (the reader
    repairs them to one tick apart) or a millisecond apart. The schedule's periods are in seconds, so the
    whole clip fell inside one period: the strong passes ran on its first and last frames only, and the
    photo's faces (24-35 px on 960 x 540) shown on frames 10-19 came out uncovered on every one of them
    (exit 0, "faces 0"; found by building such a clip, 2026-12-05)."""

    w, h, scale = 960, 540, 0.66
    photo = Image.open(PHOTO)
    tw, th = round(photo.width * scale), round(photo.height * scale)
    x0, y0 = (w - tw) // 2, (h - th) // 2
    gy, gx = np.mgrid[0:h, 0:w]
    empty = np.dstack([60 + 80 * gx / w, 90 + 60 * gy / h, np.full((h, w), 110.0)]).astype(np.uint8)
    shown = empty.copy()
    shown[y0 : y0 + th, x0 : x0 + tw] = np.asarray(photo.convert("RGB").resize((tw, th), Image.BILINEAR))
    src = tmp_path / "squeezed.mkv"
    with av.open(str(src), "w") as c:
        s = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt, s.options = w, h, "yuv420p", {"crf": "14", "bframes": "0"}
        if timing == "ms":
            s.codec_context.time_base = Fraction(1, 1000)
        for i in range(30):
            f = av.VideoFrame.from_ndarray(shown if 10 <= i < 20 else empty, format="rgb24")
            f.pts = 0 if timing == "same" else i
            if timing == "ms":
                f.time_base = Fraction(1, 1000)
            c.mux(s.encode(f))
        c.mux(s.encode(None))
    assert main([str(src), "-o", str(tmp_path / "out"), "-q"]) == 0
    a, b = frames(src), frames(tmp_path / "out" / "squeezed.mp4")
    assert len(a) == len(b) == 30
    boxes = [(x0 + round(x * scale), y0 + round(y * scale), round(bw * scale), round(bh * scale))
             for x, y, bw, bh in dlib_boxes(PHOTO.name)]
    for i in range(10, 20):
        for x, y, bw, bh in boxes:
            diff = np.abs(a[i].rgb[y : y + bh, x : x + bw].astype(int) - b[i].rgb[y : y + bh, x : x + bw]).max(2)
            assert (diff > TOL).mean() > 0.7, (i, (x, y, bw, bh))


def test_a_face_crossing_the_picture_at_a_run_is_covered_between_passes(tmp_path):
    """A face (its box ~40 px) moving 20 px a frame at 30 fps across a still 1280 x 720 picture: too small
    for the every-frame glance to follow, found by CenterFace every 0.15 s and now and then by RetinaFace,
    1.3-2.5 of its sizes apart. Each detection started a track of its own, held still, and the face showed
    between two ovals: 16 of 45 frames under 90% covered. The tracker's reach grows with the time since a
    track's last detection (``track.LINK_SPEED``)."""
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    x, y, bw, bh = max(dlib_boxes(PHOTO.name), key=lambda b: b[2] * b[3])
    m = bw // 2  # the face with its head around it
    head = Image.fromarray(photo[max(0, y - m) : y + bh + m // 2, max(0, x - m // 2) : x + bw + m // 2])
    k = 30 / bw
    head = np.asarray(head.resize((round(head.width * k), round(head.height * k)), Image.LANCZOS))
    fx, fy, fw, fh = round(min(m // 2, x) * k), round(min(m, y) * k), round(bw * k), round(bh * k)
    w, h = 1280, 720  # a still, textured picture: on a smooth one the face's motion was read as the camera's
    coarse = np.random.default_rng(3).integers(40, 220, (h // 16, w // 16, 3), dtype=np.uint8)
    still = np.asarray(Image.fromarray(coarse).resize((w, h), Image.BILINEAR))
    src, at = tmp_path / "run.mp4", []
    with av.open(str(src), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt, s.options = w, h, "yuv420p", {"crf": "14", "bframes": "0"}
        for i in range(45):
            frame, left, top = still.copy(), 100 + 20 * i, 330
            frame[top : top + head.shape[0], left : left + head.shape[1]] = head
            at.append((left + fx, top + fy))
            c.mux(s.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        c.mux(s.encode(None))
    assert main([str(src), "-o", str(tmp_path / "out.mp4"), "-q", "--cover", "faces"]) == 0
    a, b = frames(src), frames(tmp_path / "out.mp4")
    assert len(a) == len(b) == 45
    shown = []
    for i, (fx0, fy0) in enumerate(at):
        diff = np.abs(a[i].rgb[fy0 : fy0 + fh, fx0 : fx0 + fw].astype(int) - b[i].rgb[fy0 : fy0 + fh, fx0 : fx0 + fw])
        if (diff.max(2) > TOL).mean() < 0.9:
            shown.append(i)
    assert not shown, shown


def test_a_hyperlapse_frame_unlike_the_one_before_runs_every_row(tmp_path):
    """A hyperlapse: the same people, the camera somewhere else every frame, no cut confirmed (the frame after
    goes back near the one before). Between full passes the glance's small copy missed 43-54 px faces and
    the masks stayed where the faces had been (a hunt, 2026-12-06). A frame unlike the one before runs
    every row; every labelled face is covered in every frame."""
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    boxes = dlib_boxes(PHOTO.name)
    w, h = 1280, 720
    spots = [(40, 40), (700, 330), (60, 360), (720, 20), (380, 200), (20, 380), (740, 360), (400, 10)] * 2
    src = tmp_path / "hyper.mp4"
    with av.open(str(src), "w") as o:
        s = o.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"qp": "0", "preset": "veryfast"}
        for x, y in spots:
            canvas = np.full((h, w, 3), 90, np.uint8)
            canvas[y: y + photo.shape[0], x: x + photo.shape[1]] = photo
            o.mux(s.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")))
        o.mux(s.encode(None))
    assert main([str(src), "-o", str(tmp_path / "out"), "--cover", "faces", "-q"]) == 0
    a, b = frames(src), frames(tmp_path / "out" / "hyper.mp4")
    assert len(a) == len(b) == len(spots)
    missed = []
    for i, (x, y) in enumerate(spots):
        for bx, by, bw, bh in boxes:
            cx, cy, rx, ry = x + bx + bw // 2, y + by + bh // 2, bw // 4, bh // 4
            diff = np.abs(a[i].rgb[cy - ry: cy + ry, cx - rx: cx + rx].astype(int)
                          - b[i].rgb[cy - ry: cy + ry, cx - rx: cx + rx].astype(int)).max(2)
            if (diff > TOL).mean() < 0.7:
                missed.append((i, bx, bw))
    assert not missed, missed


def test_an_anamorphic_frame_is_searched_as_shown_and_its_boxes_land_on_the_stored_faces(detector, tmp_path):
    """A frame whose pixels are not square is searched shaped as a player shows it (``DecodedFrame.shown``),
    and its boxes are mapped back onto the stored pixels the mask is drawn on."""
    clip = tmp_path / "sq.mp4"
    im = squeezed_clip(PHOTO, clip)
    f = frames(clip)[0]
    assert f.rgb.shape[:2] == (im.height, im.width // 2) and f.shown.shape[:2] == (im.height, im.width)
    small = f.fitted(GLANCE)
    assert abs(small.shape[1] / small.shape[0] - im.width / im.height) < 0.02  # the glance shaped as shown too
    vdet = VideoDetector(detector)
    job = next(j for j in vdet.due(f.time, f.rgb.shape) if j[0] == "centerface")
    found = vdet.run_frame(f, job)
    truth = detector.detect(np.asarray(im))
    truth = truth.boxes[truth.scores >= 0.5] / [2, 1, 2, 1]
    assert len(truth) >= 5 and (box_iou(truth, found.boxes).max(1) > 0.6).all()


def test_a_squeezed_crowd_is_covered_as_its_square_picture_is(tmp_path):
    """A crowd of ~470 small faces stored squeezed to half its width (sample aspect ratio 2:1): searched on
    the stored pixels, 114 of the faces the square photo's detection finds were left uncovered (a hunt,
    2026-12-06, on clips stored as PAL 16:9 and 2:1; docs/BENCHMARKS.md, "Video: anamorphic frames")."""
    from unseen.options import Options

    clip = tmp_path / "crowd.mp4"
    im = squeezed_clip(shared_path("ultralight_face_linzaer/imgs/17.jpg"), clip)
    det = Options(cover=("face",)).make_detector()
    truth = det.detect(np.asarray(im))
    truth = truth.boxes[truth.scores >= 0.5] / [2, 1, 2, 1]
    assert main([str(clip), "-o", str(tmp_path / "out.mp4"), "-q", "--cover", "faces"]) == 0
    out = frames(tmp_path / "out.mp4")[0].rgb.astype(int)
    grey = np.abs(out - 128).max(2) < 12
    covered = 0
    for x1, y1, x2, y2 in truth:
        cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, max(1.0, (x2 - x1) / 4), max(1.0, (y2 - y1) / 4)
        covered += grey[int(cy - h):int(cy + h) + 1, int(cx - w):int(cx + w) + 1].mean() > 0.7
    assert len(truth) > 400 and covered >= 0.97 * len(truth), (covered, len(truth))


@pytest.mark.parametrize("sar", [Fraction(16, 1), Fraction(1, 16)])
def test_a_sample_aspect_ratio_no_recorder_writes_is_searched_as_stored(tmp_path, sar):
    """A broken or hostile tag: at 100:1 a 1080p frame was searched 192,000 px wide (over 5 GB, minutes a
    frame), at 1:255 swscale refused it (an adversarial review, 2026-12-06). Beyond 2:1 either way the frame is
    searched as stored, as before anamorphic frames were searched as shown."""
    clip = tmp_path / "sar.mp4"
    with av.open(str(clip), "w") as c:
        s = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        s.codec_context.sample_aspect_ratio = sar
        for p in [*s.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")),
                  *s.encode()]:
            c.mux(p)
    f = frames(clip)[0]
    assert f.sar != 1 and f.shown.shape == f.rgb.shape == (48, 64, 3)
