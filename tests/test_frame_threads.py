"""A decoded frame asked for its pixels by several threads at once (the video schedule runs a full
pass and the glance of one frame on two detection threads).

PyAV keeps one swscale context per frame: unguarded, four threads converting one frame hung inside
FFmpeg on the first frames of a 1080p clip (and a detection-thread conversion once crashed the Ray
equality test). ``DecodedFrame`` locks its conversions. The stress runs in a child process with a
timeout, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import FIXTURES

CHILD = textwrap.dedent("""
    import sys, threading
    import numpy as np
    from pathlib import Path
    from unseen.media.video_read import Reader, open_input, video_stream

    def frames():
        with open_input(Path(sys.argv[1])) as c:
            yield from Reader(c, video_stream(c)).video_frames()

    # reference: each frame converted once, in this thread
    ref = [(f.rgb.copy(), f.fitted(160).copy()) for f in frames()]
    got = []
    for i, f in enumerate(frames()):
        out = {}
        def full(k):
            for _ in range(3):
                out[k] = f.rgb
        def small(k):
            for _ in range(3):
                out[k] = f.fitted(160)
        ts = [threading.Thread(target=fn, args=(k,)) for k, fn in enumerate((full, small, full, small))]
        [t.start() for t in ts]
        [t.join() for t in ts]
        assert np.array_equal(out[0], ref[i][0]) and np.array_equal(out[2], ref[i][0])
        assert np.array_equal(out[1], ref[i][1]) and np.array_equal(out[3], ref[i][1])
        got.append(i)
    assert len(got) == len(ref) > 10
    print("ok", len(got))
""")


def test_one_frame_converted_by_four_threads_at_once():
    proc = subprocess.run([sys.executable, "-c", CHILD, str(FIXTURES / "video" / "head_pose.mp4")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ok ")
