"""The picture's own motion (``detect/motion.py``) and what the tracker does with it (``track.py``): a
camera panning over a crowd moves small faces several of their sizes between two detector runs, and a
track of one detection used to be held still there and never joined by the next detection
(docs/BENCHMARKS.md, "Video: CenterFace at a smaller scale on large frames": 14 marked faces slipped on
1080p clips panning over real crowd photos, 1 with this)."""

from __future__ import annotations

import numpy as np
from conftest import FIXTURES
from PIL import Image

from unseen.detect.motion import CameraMotion
from unseen.detect.schedule import VideoDetector
from unseen.regions import Regions
from unseen.track import MAX_SPEED, Coverage, Tracker

FPS = 30
PHOTO = FIXTURES / "2008_002470.jpg"  # dlib's examples: a real crowd photo, 500 x 332


def _pan(step: tuple[int, int], n: int, size: tuple[int, int] = (320, 180)) -> list[np.ndarray]:
    """``n`` windows of ``size`` over the photo, moved by ``step`` px a frame (the camera panning)."""
    rgb = np.asarray(Image.open(PHOTO).convert("RGB"))
    out = []
    for i in range(n):
        x, y = 10 + i * step[0], 10 + i * step[1]
        out.append(np.ascontiguousarray(rgb[y:y + size[1], x:x + size[0]]))
    return out


def test_a_pan_over_a_real_photo_is_measured():
    """The window moves 3 px right and 1 px down a frame, so the picture moves 3 px left and 1 px up:
    -90 and -30 px/s at 30 fps, read on a frame of twice the glance's width as twice that."""
    motion = CameraMotion()
    for i, rgb in enumerate(_pan((3, 1), 12)):
        motion.feed(i / FPS, rgb, (2 * rgb.shape[1], 2 * rgb.shape[0]))
    v = motion.velocity(11 / FPS)
    assert abs(v[0] - 2 * -90) < 12 and abs(v[1] - 2 * -30) < 12, v
    assert not motion.velocity(0.0).any()  # the first frames have nothing to compare with


def test_a_still_picture_and_noise_have_no_motion():
    """The same picture every frame: zero. Frames of unrelated noise: no clear peak, so zero too
    (not a shift read off the noise)."""
    still, noise = CameraMotion(), CameraMotion()
    frame = _pan((0, 0), 1)[0]
    rng = np.random.default_rng(1)
    for i in range(10):
        still.feed(i / FPS, frame, (320, 180))
        noise.feed(i / FPS, rng.integers(0, 256, (180, 320, 3), np.uint8), (320, 180))
    assert not still.velocity(9 / FPS).any()
    assert not noise.velocity(9 / FPS).any()


def test_no_motion_is_read_across_a_cut():
    """A cut at frame 8 (another photo): the frames from it on compared with the old shot until they
    have LAG frames of their own, and those estimates are dropped when the cut is found."""
    motion = CameraMotion()
    frames = _pan((3, 0), 8)
    other = np.ascontiguousarray(np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB"))[:180, :320])
    for i, rgb in enumerate(frames + [other] * 3):
        motion.feed(i / FPS, rgb, (320, 180))
    motion.cut(8 / FPS)
    assert motion.velocity(7 / FPS)[0] < -60  # the pan before the cut is kept
    for i in (8, 9, 10):
        assert not motion.velocity(i / FPS).any(), i


def test_the_video_detector_measures_the_frames_it_prepares():
    """``VideoDetector.prepare`` feeds every frame's glance copy (here the frame itself: a plain frame
    has no shrunk copy), and ``camera`` is what the tracker gets for that frame."""

    class Frame:
        def __init__(self, t: float, rgb: np.ndarray):
            self.time, self.rgb = t, rgb

    class Finds:
        def detect(self, rgb: np.ndarray) -> Regions:
            return Regions.empty()

    vdet = VideoDetector(Finds())
    for i, rgb in enumerate(_pan((0, 2), 10)):
        vdet.prepare(Frame(i / FPS, rgb))
    v = vdet.camera(9 / FPS)
    assert abs(v[0]) < 6 and abs(v[1] + 60) < 6, v


def _small_face_in_a_pan(camera: bool) -> tuple[list, Coverage]:
    """A 10 px face moving 8 px a frame up with the picture (240 px/s), found every 5th frame (the
    video schedule's CenterFace period at 30 fps), at 0.9."""
    tracker = Tracker()
    v = np.array([0.0, -240.0], np.float32)
    for i in range(31):
        y = 400 - 8 * i
        found = Regions.from_boxes([[500, y, 510, y + 10]], [0.9]) if i % 5 == 0 else Regions.empty()
        tracker.update(i / FPS, found, v if camera else None)
    tracks = tracker.finish()
    return tracks, Coverage(tracks, hold=0.5)


def test_a_small_face_in_a_pan_is_one_track_and_stays_covered():
    """With the picture's motion the face is one track (each detection joins the one before it:
    40 px away, four of its sizes, where the face is predicted to be), bridged between detections and
    held with the pan after the last; without it, seven tracks of one detection held still."""
    tracks, cov = _small_face_in_a_pan(camera=True)
    assert len(tracks) == 1
    for i in range(-6, 41):
        y = 400 - 8 * i
        boxes = cov.at(i / FPS).boxes
        assert any(b[0] <= 500 and b[1] <= y and b[2] >= 510 and b[3] >= y + 10 for b in boxes), i
    still, _ = _small_face_in_a_pan(camera=False)
    assert len(still) == 7


def test_a_face_the_camera_follows_is_held_still():
    """A 20 px face found at one place four times while the picture pans at 240 px/s (the camera follows
    someone walking): its held box stays where it was found, not carried off with the background, which
    a cap against the pan alone would do (its own motion, zero, is far from the pan)."""
    tracker = Tracker()
    pan = np.array([240.0, 0.0], np.float32)
    for i in range(16):
        found = Regions.from_boxes([[300, 200, 320, 220]], [0.9]) if i % 5 == 0 else Regions.empty()
        tracker.update(i / FPS, found, pan)
    (track,) = tracker.finish()
    assert abs(track._end_velocity(False)[0]) <= MAX_SPEED * 20
    (b,) = Coverage([track], hold=0.5).at(15 / FPS + 0.4).boxes
    assert b[0] <= 300 and b[2] >= 320
