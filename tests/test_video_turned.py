"""Faces lying on their side in video: the schedule's turned rows (detect/schedule.py, ``Pass.turn``).

The photo self-check looks at each picture turned a quarter each way (tests/test_turned_faces.py); video has
no self-check, and before its own turned rows a clip turned a quarter kept faces uncovered: hamilton turned
90 and 270 degrees left 114 and 191 marked faces uncovered, 0 upright (docs/BENCHMARKS.md, "Video: faces
turned sideways", bench/video_turned.py).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from conftest import FIXTURES, dlib_boxes, shared_path
from conftest import frames as decoded  # DecodedFrames; ``frames`` here is their RGB
from PIL import Image

from unseen.cli import main
from unseen.detect.ensemble import PRESETS, Detector, Pass
from unseen.detect.schedule import VideoDetector, default_schedules, overlap_of_smaller
from unseen.media import video_read
from unseen.regions import Regions

PHOTO = FIXTURES / "2008_007676.jpg"  # 500 x 334, seven labelled faces, public domain (dlib's examples)
HAMILTON = "face_recognition_ageitgey/examples/short_hamilton_clip.mp4"
TOL = 24


def at(rgb: np.ndarray, t: float):
    """A frame as ``VideoDetector.merge`` reads it: its time and its RGB."""
    return type("Frame", (), {"rgb": rgb, "time": t})()


def frames(path: Path) -> list[np.ndarray]:
    return [f.rgb for f in decoded(path)]


def turned_clip(src: Path, dst: Path, turn: int) -> list[np.ndarray]:
    """Write ``src``'s frames turned by ``turn`` quarter turns (np.rot90) losslessly; return the upright
    frames as written (the reference the markers are found on)."""
    upright = frames(src)
    with av.open(str(src)) as c:
        rate = c.streams.video[0].average_rate
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=rate)
        s.height, s.width = np.rot90(upright[0], turn).shape[:2]
        s.pix_fmt, s.options = "yuv444p", {"qp": "0"}
        for rgb in upright:
            out.mux(s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(np.rot90(rgb, turn)), format="rgb24")))
        out.mux(s.encode())
    return upright


def uncovered(upright: list[np.ndarray], src: Path, out: Path, turn: int,
              faces=None) -> list[tuple[int, list[int], float]]:
    """Faces on the upright frames (``faces(i)``: boxes x1 y1 x2 y2 of frame ``i``; by default those a slow
    upright pass marks, CenterFace at 2x, >= 0.4), each with less than 70% of its box changed in the output
    turned back: (frame, box, fraction changed)."""
    if faces is None:
        marker = Detector(passes=(Pass("centerface", 2.0, 0.4),))
        faces = lambda i: marker.detect(upright[i]).boxes  # noqa: E731
    a, b = frames(src), frames(out)
    assert len(a) == len(b) == len(upright)
    missed = []
    for i, (fa, fb) in enumerate(zip(a, b, strict=True)):
        ra, rb = np.rot90(fa, -turn), np.rot90(fb, -turn)
        for box in faces(i):
            x1, y1, x2, y2 = (int(round(v)) for v in box)
            diff = np.abs(ra[y1:y2, x1:x2].astype(int) - rb[y1:y2, x1:x2].astype(int)).max(-1)
            if (diff > TOL).mean() < 0.7:
                missed.append((i, [x1, y1, x2, y2], round(float((diff > TOL).mean()), 2)))
    return missed


def test_video_looks_at_each_frame_turned_both_ways():
    """A turned row at the strong passes' pace and a turned glance on every frame, both ways."""
    rows = default_schedules()
    turned = [r for r in rows if any(p.turn for p in r.passes)]
    assert {p.turn for r in turned for p in r.passes} == {1, 3}
    assert any(r.period == 0 for r in turned) and any(r.period > 0 for r in turned)


def test_turned_jobs_carry_their_turn():
    vdet = VideoDetector(Detector())
    jobs = vdet.due(0.3, (1080, 1920))
    assert sorted(j[5] for j in jobs if j[5]) == [1, 1, 3, 3]  # the glance's and the row's, both ways
    assert {j[0] for j in jobs if j[5]} == {"retinaface"}


def test_turned_boxes_only_add_faces_no_upright_pass_found_with_confidence():
    """A turned pass's box of a face an upright pass found with confidence is dropped, never fused into
    the upright box (which stays exactly as found); beside a low-score upright box, or alone, it is kept."""
    def regions(boxes, scores):
        return Regions.from_boxes(np.array(boxes, np.float32), np.array(scores, np.float32), "face", "test")

    upright = regions([[100, 100, 140, 150], [300, 300, 330, 340]], [0.9, 0.2])
    turned = regions([[104, 96, 150, 140], [302, 298, 334, 336], [500, 500, 540, 550]], [0.8, 0.7, 0.6])
    merged = VideoDetector(Detector()).merge([upright, turned], [0, 1])
    boxes = {tuple(b) for b in merged.boxes.astype(int).tolist()}
    assert (100, 100, 140, 150) in boxes and (104, 96, 150, 140) not in boxes
    assert {(302, 298, 334, 336), (500, 500, 540, 550)} <= boxes
    assert len(merged) == 4


def still_clip(dst: Path, n: int = 12) -> None:
    """A clip of ``n`` frames of dlib's example photo, a window 2 px further right in each (a camera's pan)."""
    with Image.open(PHOTO) as im:
        rgb = np.asarray(im.convert("RGB"))
    h, w = rgb.shape[0] // 2 * 2, (rgb.shape[1] - 2 * n) // 2 * 2
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=25)
        s.height, s.width = h, w
        s.pix_fmt, s.options = "yuv444p", {"qp": "0"}
        for i in range(n):
            window = np.ascontiguousarray(rgb[:h, 2 * i : 2 * i + w])
            out.mux(s.encode(av.VideoFrame.from_ndarray(window, format="rgb24")))
        out.mux(s.encode())


@pytest.mark.parametrize("turn", [1, 3])
def test_every_face_of_a_turned_clip_is_covered(tmp_path: Path, turn: int):
    """dlib's example photo as a short clip, turned, its labelled faces: before the turned rows, turned 90
    degrees, 13 of its 84 labelled faces over the 12 frames came out under 70% covered (15-19%)."""
    still, src, out = tmp_path / "still.mp4", tmp_path / "turned.mp4", tmp_path / "out.mp4"
    still_clip(still)
    upright = turned_clip(still, src, turn)
    assert main([str(src), "-o", str(out), "--cover", "faces", "-q"]) == 0
    boxes = dlib_boxes(PHOTO.name)

    def labelled(i: int) -> list[tuple[int, int, int, int]]:  # frame i shows the photo from x = 2 i
        return [(x - 2 * i, y, x - 2 * i + w, y + h) for x, y, w, h in boxes]

    assert uncovered(upright, src, out, turn, labelled) == []


@pytest.mark.parametrize("turn", [1, 3])
def test_hamiltons_last_shot_turned_is_covered(tmp_path: Path, turn: int):
    """The last shot of the hamilton clip (frames 211-274: four to six singers side by side), turned: before
    the turned rows its faces were left uncovered in nearly every frame, each way (bench/video_turned.py)."""
    path = shared_path(HAMILTON)
    src, out = tmp_path / "turned.mp4", tmp_path / "out.mp4"
    cut = tmp_path / "last_shot.mp4"
    with av.open(str(path)) as c_in, av.open(str(cut), "w") as c_out:
        v = c_in.streams.video[0]
        s = c_out.add_stream("libx264", rate=v.average_rate)
        s.width, s.height, s.pix_fmt, s.options = v.width, v.height, "yuv444p", {"qp": "0"}
        for i, f in enumerate(c_in.decode(v)):
            if i >= 211:
                c_out.mux(s.encode(av.VideoFrame.from_ndarray(f.to_ndarray(format="rgb24"), format="rgb24")))
        c_out.mux(s.encode())
    upright = turned_clip(cut, src, turn)
    assert main([str(src), "-o", str(out), "--cover", "faces", "-q"]) == 0
    assert uncovered(upright, src, out, turn) == []


@pytest.mark.parametrize(("index", "hand"), [(196, (375, 160, 437, 215)), (274, (214, 188, 373, 339))])
def test_hands_taken_for_turned_faces_are_dropped_unless_centerface_agrees(index: int, hand: tuple):
    """RetinaFace turned scores an open hand (hamilton frame 196) and a fist on a sleeve (frame 274) a face at
    0.5-0.8; CenterFace turned the same way finds none there, so the merge drops them (it kept them before
    the look; hamilton upright had 37 such boxes, none a face: docs/BENCHMARKS.md, "Video: faces turned
    sideways"). Every row runs on the frame, as at a clip's last frame."""
    path = shared_path(HAMILTON)
    with video_read.open_input(path) as c:
        for i, f in enumerate(video_read.Reader(c, video_read.video_stream(c)).video_frames()):
            if i == index:
                rgb = f.rgb
                break
    vdet = VideoDetector(Detector(passes=PRESETS["thorough"]))
    jobs = [job for s in vdet.schedules for job in vdet._jobs(s, rgb.shape)]
    found = [vdet.run(rgb, job) for job in jobs]
    turns = [job[5] for job in jobs]
    box = np.array([hand], np.float32)

    def on_hand(regions: Regions) -> Regions:
        return regions[overlap_of_smaller(regions.boxes, box)[:, 0] > 0.5]

    blind = on_hand(vdet.merge(found, turns))
    assert len(blind) and (blind.scores < 0.8).all()  # what RetinaFace turned took for a face
    assert len(on_hand(vdet.merge(found, turns, at(rgb, 0.0)))) == 0


def test_a_turned_face_agreed_on_needs_no_new_look_within_half_a_second_of_its_shot():
    """CenterFace looks at a turned face once, not on every frame (hamilton turned 90 degrees: 148 looks
    instead of 385): a box overlapping one kept in the last 0.5 s of the shot is kept. On a black frame every
    look fails, so what is kept here is kept by that memory alone."""
    black = np.zeros((360, 640, 3), np.uint8)

    def turned(box, score):
        return Regions.from_boxes(np.array([box], np.float32), np.array([score], np.float32), "face", "test")

    def kept(vdet, box, score, t):
        return len(vdet.merge([Regions.empty(), turned(box, score)], [0, 1], at(black, t)))

    vdet = VideoDetector(Detector())
    assert kept(vdet, [100, 100, 160, 170], 0.5, 0.0) == 0  # no look passes on black
    assert kept(vdet, [100, 100, 160, 170], 0.9, 0.04) == 1  # sure: kept, remembered
    assert kept(vdet, [104, 102, 164, 172], 0.5, 0.08) == 1  # the same face moving: no look needed
    assert kept(vdet, [108, 104, 168, 174], 0.5, 0.50) == 1  # the memory follows it
    assert kept(vdet, [300, 100, 360, 170], 0.5, 0.52) == 0  # another place
    assert kept(vdet, [112, 106, 172, 176], 0.5, 1.10) == 0  # 0.6 s later: looked at again
    vdet = VideoDetector(Detector())
    assert kept(vdet, [100, 100, 160, 170], 0.9, 0.0) == 1
    vdet.cuts.append(0.04)  # a new shot: what was agreed on before it is another picture
    assert kept(vdet, [100, 100, 160, 170], 0.5, 0.04) == 0
