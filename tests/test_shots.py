"""Cuts between shots (detect/shots.py) and holds that stop at them (track.py).

A face's mask is held half a second around its detections; on an edited clip that hold used to run
across the cut, greying whatever the next shot shows there. These tests build an edit from two
committed photos (dlib's examples, LICENSE-dlib-examples.txt) and check where the masks go.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from conftest import FIXTURES, frames, shared_path, spy_passes
from live_replay import assert_live_matches_offline
from PIL import Image

from unseen.detect import Detector
from unseen.detect.schedule import VideoDetector
from unseen.detect.shots import CUT, Cuts, thumbnail
from unseen.engine import video as engine_video
from unseen.media import video_read
from unseen.options import Options
from unseen.regions import Regions
from unseen.track import Coverage, Tracker

FPS = 25
FACES = FIXTURES / "2008_002470.jpg"  # six faces, 30-45 px
OTHER = FIXTURES / "2008_007676.jpg"


def _photo(path: Path, size=(480, 320)) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB").resize(size, Image.BILINEAR))


def _faceless(size=(480, 320)) -> np.ndarray:
    """A shot with no face: a soft gradient with grain (a wall, a curtain)."""
    w, h = size
    rng = np.random.default_rng(1)
    g = np.linspace(40, 200, w)[None, :, None] + np.linspace(0, 30, h)[:, None, None]
    return np.clip(g + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)


def _write(path: Path, shots: list[np.ndarray], n: int) -> Path:
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = shots[0].shape[1], shots[0].shape[0], "yuv420p"
        s.options = {"crf": "18", "preset": "veryfast"}
        for shot in shots:
            for _ in range(n):
                for p in s.encode(av.VideoFrame.from_ndarray(shot, format="rgb24")):
                    out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


def test_cut_found_once_and_a_flash_is_not_a_cut():
    a, b = _photo(FACES), _photo(OTHER)
    flash = np.clip(a.astype(np.float32) * 1.8 + 40, 0, 255).astype(np.uint8)  # exposure jumps for a frame
    frames = [a] * 10 + [flash] + [a] * 9 + [b] * 10
    cuts = Cuts()
    found = [c for i, f in enumerate(frames) if (c := cuts.feed(i / FPS, f)) is not None]
    assert found == [20 / FPS]
    diff = [float(np.abs(thumbnail(a) - thumbnail(x)).mean()) for x in (flash, b)]
    assert diff[0] < CUT < diff[1]


def test_a_single_odd_frame_is_not_a_cut():
    a, b = _photo(FACES), _photo(OTHER)
    cuts = Cuts()
    assert all(cuts.feed(i / FPS, f) is None for i, f in enumerate([a] * 5 + [b] + [a] * 5))


def _face(x: float, score: float = 0.9) -> Regions:
    return Regions.from_boxes([[x, 100, x + 40, 150]], [score])


def test_holds_stop_at_a_cut():
    tracker = Tracker()
    for i in range(50):
        t = i / FPS
        if i == 25:
            tracker.cut(t)
        found = [_face(100)] if i < 25 else []  # shot 1: a face at x=100
        if i >= 30:
            found.append(_face(300))  # shot 2: another face from frame 30
        tracker.update(t, Regions.concat(found))
    tracks = tracker.finish()
    plain, cut = Coverage(tracks, hold=0.5), Coverage(tracks, hold=0.5, cuts=tracker.cuts)
    for i in range(50):
        t = i / FPS
        xs_plain = sorted(float(b[0]) for b in plain.at(t).boxes)
        xs_cut = sorted(float(b[0]) for b in cut.at(t).boxes)
        shot1, shot2 = i < 25, i >= 25
        assert (any(abs(x - 100) < 20 for x in xs_cut)) == shot1, (i, xs_cut)  # held up to the cut, not after
        assert (any(abs(x - 300) < 20 for x in xs_cut)) == shot2, (i, xs_cut)  # held back to the cut, not before
        if 25 <= i < 37 or 18 <= i < 25:
            assert len(xs_plain) > len(xs_cut)  # without cuts the holds ran across it
    # a face seen on both sides of a cut (a cut found where there is none) stays covered across it:
    # held up to the cut, and back to it
    tracker = Tracker()
    for i in range(20):
        if i == 10:
            tracker.cut(i / FPS)
        tracker.update(i / FPS, _face(100) if i in (8, 12) else Regions.empty())
    cov = Coverage(tracker.finish(), hold=0.5, cuts=tracker.cuts)
    assert all(len(cov.at(i / FPS).boxes) == 1 for i in range(8, 13))


def test_a_cut_ends_the_old_shots_tracks():
    """A box in the new shot is its own track: linked to an old shot's face that stood in the same
    place, it took over that track's confirmation (masked without a second look) and its motion, and
    the mask was bridged across the shots in between (short_hamilton_clip: one track ran from its
    second shot to its fourth, an ellipse on the microphone stand in the third)."""
    tracker = Tracker(confirm_below=0.5)
    for i in range(10):
        assert tracker.update(i / FPS, _face(100, 0.9)) == []  # confirmed by its score
    tracker.cut(10 / FPS)
    waiting = tracker.update(11 / FPS, _face(102, 0.3))  # the next shot: a low score in the same place
    assert len(waiting) == 1 and not waiting[0][0].confirmed
    assert len(tracker.active) == 1 and len(tracker.done) == 1
    tracker.update(12 / FPS, _face(300, 0.9))
    tracks = tracker.finish()
    cov = Coverage(tracks, hold=0.5, cuts=tracker.cuts)
    near = [any(abs(float(b[0]) - 100) < 20 for b in cov.at(i / FPS).boxes) for i in range(8, 14)]
    assert near == [True, True, False, False, False, False]  # the old face up to the cut, nothing of it after


@pytest.mark.parametrize("late", [0, 1])
def test_live_coverage_matches_offline_with_cuts(late):
    """The writer's answer equals the offline one when cuts are fed before their frame's update (as the
    analyser does: the decoder's ``prepare`` finds them ahead) or one frame late."""
    rng = np.random.default_rng(2)
    cut_frames = {60, 61, 140, 230}
    dets = []
    for i in range(300):
        faces = [_face(100 + 2 * (i % 60))] if rng.random() > 0.3 else []
        if 40 <= i < 160 and rng.random() > 0.6:
            faces.append(Regions.from_boxes([[500, 300, 530, 340]], [0.6]))
        dets.append((i / FPS, Regions.concat(faces)))
    def feed(tracker: Tracker, i: int) -> None:
        if i - late in cut_frames:
            tracker.cut(dets[i - late][0])
        tracker.update(*dets[i])

    offline, _ = assert_live_matches_offline([t for t, _ in dets], feed)
    assert len(offline.cuts) == len(cut_frames)


def test_video_masks_do_not_run_into_the_next_shot(tmp_path):
    """Faces in shot 1, a faceless wall in shot 2: the frames after the cut come out as they went in."""
    shot1, shot2 = _photo(FACES), _faceless()
    src = _write(tmp_path / "edit.mp4", [shot1, shot2], FPS)  # 1 s each
    dst = tmp_path / "out.mp4"
    engine_video.anonymize_video(src, dst, Options(cover=("face",)), Detector(), None, None)
    ins, outs = [f.rgb for f in frames(src)], [f.rgb for f in frames(dst)]
    assert len(ins) == len(outs) == 2 * FPS
    changed = [float((np.abs(i.astype(np.int16) - o.astype(np.int16)).max(2) > 40).mean())
               for i, o in zip(ins, outs, strict=True)]
    assert min(changed[5:FPS]) > 0.02  # shot 1: its faces are covered
    assert max(changed[FPS:]) < 0.001, changed[FPS:FPS + 15]  # shot 2, from its first frame: untouched


def test_hamilton_clip_cuts():
    """The shared clip with three hard cuts: exactly those are found (frames 20, 82 and 211)."""
    path = shared_path("face_recognition_ageitgey/examples/short_hamilton_clip.mp4")
    cuts, found, times = Cuts(), [], []
    with video_read.open_input(path) as c:
        for f in video_read.Reader(c, video_read.video_stream(c)).video_frames():
            times.append(f.time)
            if (t := cuts.feed(f.time, f.fitted(320))) is not None:
                found.append(times.index(t))
    assert found == [20, 82, 211]


def test_the_last_frame_of_a_shot_runs_every_row(tmp_path, monkeypatch):
    """A hold stops at a cut, so nothing after a shot's last frame finds what appeared there since a
    row last ran: that frame runs every periodic row, as a clip's last frame does, and so does the new
    shot's first, and the cut reaches the tracker's list before the frames after it are handed on."""
    src = _write(tmp_path / "edit.mp4", [_photo(FACES), _photo(OTHER)], 13)  # cut at frame 13
    clip = frames(src)
    vdet = VideoDetector(Detector())
    ran = spy_passes(vdet, monkeypatch)
    seen = []
    for f, _ in vdet.detect_all(iter(clip)):
        seen.append((f.index, [t for t in vdet.cuts if t <= f.time + 1e-6]))
    cut = clip[13].time
    assert vdet.cuts == [cut]
    assert [i for i, _ in seen] == list(range(26))
    assert all((cuts == [cut]) == (i >= 13) for i, cuts in seen)  # known by the time its frame is handed on
    rows = {(b, s) for i, b, s in ran if i == 12}
    assert ("centerface", 1.0) in rows and ("retinaface", 2.0) in rows
    small = [i for i, b, s in ran if (b, s) == ("retinaface", 2.0)]
    assert 11 not in small and 12 in small and 14 not in small  # on schedule elsewhere: every 0.45 s
    assert 13 in small  # the new shot's first frame is unlike the one before: every row (a hunt, 2026-12-06)
    assert vdet.runs == len(ran)
