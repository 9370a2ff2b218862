"""The picture's own motion (a camera panning), from the glance's small copy of each frame.

Why: the tracker bridges the frames between detector runs with each track's motion, but a track of one
detection has none, so its held mask stays where the face was. A camera panning over a crowd moves every
face: on 1080p clips panning over real crowd photos (docs/BENCHMARKS.md, "Video: CenterFace at a smaller
scale on large frames") a 9 x 10 px face crossed ~40 px between two CenterFace runs (four of its sizes),
so no detection joined the one before, every one was a track of its own held still, and the face left
its mask a frame later. With the picture's motion a new track's mask and its predicted place move with
the camera (``track.Track.camera``), so the next detection joins it.

How: phase correlation of grey copies of the glance frame (``schedule.GLANCE`` px, made for every frame
anyway) against the frame ``LAG`` frames back in the same shot: the peak of the normalised cross-power
spectrum gives the shift of most of the picture, refined to a fraction of a pixel. An estimate counts
only when its peak is clear (``MIN_PEAK``, ``MIN_RATIO`` over the next peak): a cut, a flat frame or a
picture where many things move differently gives none, and a track of one detection then stays still,
as it did before. Measured on the shared clips (scratch script, 2026-12-04): a steady pan of 232 px/s
read as 228, peaks 0.5-0.7 against 0.02-0.05 for the next; the fast, dark close-ups of short_hamilton_clip
peak at 0.04-0.09 with shifts all over the place, and are turned down.
"""

from __future__ import annotations

import bisect
import threading

import numpy as np

LAG = 4  # frames between the two compared (~0.13 s at 30 fps: a shift large enough to measure well)
MIN_PEAK = 0.2  # of the normalised cross-power spectrum's inverse (1.0: the same picture shifted)
MIN_RATIO = 3.0  # the peak over the highest value outside it
MAX_SPEED = 2.0  # frame widths a second: anything faster is no camera a mask could follow
KEEP = 256  # frames of estimates kept (a long clip's would otherwise grow without end)
STILL = 0.25  # glance px over LAG frames: a shift under this is a still picture (~11 px/s at 1080p, 30 fps)


class CameraMotion:
    """Feed every frame in order (``feed``, its glance copy), and cuts as they are found (``cut``);
    ``velocity(t)`` is the picture's motion at the frame of time ``t``, px/s of the full frame, or zero
    when it is not known. Thread-safe: fed by the decoder's thread, read by the analysis thread."""

    def __init__(self) -> None:
        self._recent: list[tuple[float, np.ndarray]] = []  # (time, spectrum) of the last LAG frames
        self._times: list[float] = []
        self._velocity: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._window: np.ndarray | None = None

    def feed(self, t: float, small: np.ndarray, size: tuple[int, int]) -> None:
        """Add the frame at ``t``: ``small``, its glance copy (RGB), of a frame of ``size`` (width, height) px;
        the copy may be shaped otherwise (an anamorphic frame's is shaped as shown)."""
        width, height = size
        spectrum, shape = self._spectrum(small)
        v = np.zeros(2, np.float32)
        if len(self._recent) >= LAG:
            t0, before = self._recent[-LAG]
            shift = _shift(before, spectrum, shape)
            if shift is not None and t > t0:
                scale = np.array([width / small.shape[1], height / small.shape[0]], np.float32)
                v = np.asarray(shift, np.float32) * scale / np.float32(t - t0)
                if np.abs(v).max() > MAX_SPEED * width:
                    v = np.zeros(2, np.float32)
        self._recent = [*self._recent[-LAG:], (t, spectrum)]
        with self._lock:
            self._times.append(t)
            self._velocity.append(v)
            if len(self._times) > 2 * KEEP:  # the analysis reads a few frames behind the decoder
                del self._times[:KEEP], self._velocity[:KEEP]

    def cut(self, t: float) -> None:
        """A new shot starts at ``t`` (found one frame late, ``shots.Cuts``): estimates of frames from ``t``
        on compared them with the old shot, so they are dropped, and so is the old shot's history."""
        with self._lock:
            for k in range(bisect.bisect_left(self._times, t - 1e-6), len(self._times)):
                self._velocity[k] = np.zeros(2, np.float32)
        self._recent = [(tr, s) for tr, s in self._recent if tr >= t - 1e-6]

    def velocity(self, t: float) -> np.ndarray:
        """(vx, vy) px/s of the frame at ``t`` (the newest frame at or before it), zero when unknown."""
        with self._lock:
            k = bisect.bisect_right(self._times, t + 1e-6) - 1
            return self._velocity[k].copy() if k >= 0 else np.zeros(2, np.float32)

    def _spectrum(self, small: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
        grey = small.astype(np.float32).mean(2)
        if self._window is None or self._window.shape != grey.shape:
            h, w = grey.shape
            self._window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
        grey -= grey.mean()
        return np.fft.rfft2(grey * self._window), grey.shape


def _shift(before: np.ndarray, after: np.ndarray, shape: tuple[int, int]) -> tuple[float, float] | None:
    """(dx, dy) px the picture moved from ``before`` to ``after`` (their spectra), or None when the
    correlation has no clear peak."""
    cross = after * np.conj(before)
    cross /= np.abs(cross) + 1e-6
    r = np.fft.irfft2(cross, s=shape)
    h, w = shape
    iy, ix = np.unravel_index(int(np.argmax(r)), r.shape)
    peak = float(r[iy, ix])
    rest = r.copy()
    rest[np.ix_([(iy + d) % h for d in range(-2, 3)], [(ix + d) % w for d in range(-2, 3)])] = -1.0
    if peak < MIN_PEAK or peak < MIN_RATIO * float(rest.max()):
        return None

    def fraction(lo: float, hi: float) -> float:  # a parabola through the peak and its two neighbours
        den = lo - 2 * peak + hi
        return 0.5 * (lo - hi) / den if den < 0 else 0.0

    dy = (iy if iy <= h // 2 else iy - h) + fraction(float(r[(iy - 1) % h, ix]), float(r[(iy + 1) % h, ix]))
    dx = (ix if ix <= w // 2 else ix - w) + fraction(float(r[iy, (ix - 1) % w]), float(r[iy, (ix + 1) % w]))
    return (dx, dy) if np.hypot(dx, dy) >= STILL else (0.0, 0.0)
