"""The video writer's view of coverage, replayed (tests of ``track.LiveCoverage``).

The writer trails the analyser: it asks ``LiveCoverage`` for a frame's boxes once ``ready`` says no
later detection can change them. These helpers feed a tracker one analysed frame at a time, as the
analyser does, and check the writer's answer against the offline one (``Coverage`` over the finished
tracks) at every frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from unseen.track import Coverage, LiveCoverage, Tracker


def _key(boxes: np.ndarray) -> list[tuple]:
    return sorted(map(tuple, np.round(boxes, 3).tolist()))


def assert_live_matches_offline(times: Sequence[float], feed: Callable[[Tracker, int], None],
                                make_tracker: Callable[[], Tracker] = Tracker,
                                hold: float = 0.5) -> tuple[Tracker, list[float]]:
    """``feed(tracker, i)`` hands a tracker analysed frame ``i`` (its update, and any cut or
    confirmation that goes with it). Asserts that the live boxes equal the offline ones at each of
    ``times``; returns the offline tracker and how far the analyser was ahead of the writer (s)."""
    offline = make_tracker()
    for i in range(len(times)):
        feed(offline, i)
    cov = Coverage(offline.finish(), hold=hold, cuts=offline.cuts)
    tracker = make_tracker()
    live = LiveCoverage(tracker, hold=hold)
    fed, lags = 0, []
    for t in times:
        while not live.ready(t):
            if fed == len(times):
                tracker.finish()
                break
            feed(tracker, fed)
            fed += 1
        lags.append(tracker.t_now - t)
        assert _key(cov.at(t).boxes) == _key(live.at(t).boxes), t
    assert tracker.cuts == offline.cuts
    return offline, lags
