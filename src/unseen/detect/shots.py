"""Hard cuts between shots in a video, from a thumbnail of each frame.

Why: the tracker holds a face's mask half a second before its first and after its last detection
(``unseen.track``). On an edited clip that hold crossed the cut: the old shot's faces stayed grey
on whatever the new shot showed there (short_hamilton_clip: a head-sized ellipse on an empty curtain
for a dozen frames after each of its cuts). The tracker now stops holds at the cuts found here.

How: each frame is shrunk to a 32 x 18 grey thumbnail, normalised (minus its mean, over its
contrast) so that a change of exposure or a flash does not count; a cut is a frame whose thumbnail
differs from the previous one by more than ``CUT`` (mean absolute difference), confirmed one frame
later: the next frame must differ from the frame before the cut by as much, so a single odd frame
(a flash, a glitch) is not a cut. Measured on the 21 shared clips (docs/BENCHMARKS.md, "Video:
design"): the three hard cuts of short_hamilton_clip score 0.65-0.71; nothing else on any clip
scores above 0.38 (fast motion in a close-up), its median frame 0.002-0.10.

A cut found where there is none costs only holds: the masks of tracks that end or start within
``hold`` of it stop there, while detections and bridges between them are unchanged.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

CUT = 0.5  # mean absolute difference of normalised thumbnails (a hard cut: 0.65-0.71 here)
THUMB = (32, 18)  # px: enough to tell two shots apart, too small for motion to matter much
SPREAD = 8.0  # grey levels added to the contrast: a flat (dark, faded) frame is not amplified into noise


def thumbnail(rgb: np.ndarray) -> np.ndarray:
    """A frame's normalised grey thumbnail (any size in, THUMB out)."""
    g = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).convert("L").resize(THUMB, Image.BOX), np.float32)
    return (g - g.mean()) / (g.std() + SPREAD)


class Cuts:
    """Feed every frame in order (``feed``); it returns the time of a cut once one is confirmed."""

    def __init__(self) -> None:
        self._before: np.ndarray | None = None  # the frame before a possible cut
        self._last: np.ndarray | None = None  # the newest frame
        self._candidate: float | None = None  # time of a frame that differs from the one before it
        self.jumped = False  # the newest frame differs from the one before it by more than CUT (a cut or not)

    def feed(self, t: float, rgb: np.ndarray) -> float | None:
        """The time of the first frame of a new shot, one frame after it, or None."""
        thumb = thumbnail(rgb)
        found = None
        if self._candidate is not None and self._before is not None:
            if float(np.abs(thumb - self._before).mean()) > CUT:
                found = self._candidate
            else:  # one odd frame, then the shot again: compare the next ones with the shot, not with it
                self._last = self._before
            self._candidate = None
        self.jumped = self._last is not None and float(np.abs(thumb - self._last).mean()) > CUT
        if self.jumped:
            self._candidate, self._before = t, self._last
        self._last = thumb
        return found

    @property
    def unconfirmed(self) -> float | None:
        """The time of the newest frame if it may start a new shot that no later frame has confirmed yet: at
        a clip's end, the frame before it may be the last of its shot."""
        return self._candidate
