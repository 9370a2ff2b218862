"""What a big animation holds while its next frame is read, and the C heap settings the command makes.

An 8K original and output frame pair weighs 200 MB. ``zip``, a ``Sequence``'s own iterator and a
generator expression each kept the last pair bound while asking for the next, so ``--verify`` on two 8K
frames held three frames where it needs two (docs/BENCHMARKS.md, "Animations with --verify: memory").
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence

import numpy as np
import pytest

from unseen import frame_work, heap, verify


class _Frames(Sequence):
    """Frames made when asked; ``log`` gets, for each frame made, how many frames made before it (in
    ``refs``, shared by an original and an output sequence) were still alive at that moment."""

    def __init__(self, n: int, log: list[int], refs: list):
        self.n, self.log, self.refs = n, log, refs

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[override]
        if not 0 <= i < self.n:
            raise IndexError(i)
        self.log.append(sum(r() is not None for r in self.refs))
        a = np.full((8, 8, 3), i, np.uint8)
        self.refs.append(weakref.ref(a))
        return a


def test_each_frame_lets_a_frame_go_before_it_reads_the_next():
    """One frame at a time (``at_once`` 1, an 8K animation): when a frame is read, no earlier frame is
    alive, neither in ``each_frame``'s keys nor in ``in_order``'s intake."""
    log: list[int] = []
    refs: list = []
    frames = _Frames(5, log, refs)
    source = ((frames[i],) for i in range(len(frames)))  # one tuple per frame, bound to no name
    with contextlib.closing(frame_work.each_frame(lambda arrays: int(arrays[0][0, 0, 0]), source, 1)) as it:
        assert list(it) == [0, 1, 2, 3, 4]
    assert log == [0, 0, 0, 0, 0]


def test_verify_reads_each_frame_pair_with_no_earlier_pair_alive():
    """``verify.check``'s pairs come by index, not through ``zip`` (which keeps its last tuple): reading
    frame i's original and output, frame i-1's are gone; frame i's original is alive while its output
    is read (the pair is made together)."""
    log_a: list[int] = []
    log_b: list[int] = []
    refs: list = []
    originals, outputs = _Frames(4, log_a, refs), _Frames(4, log_b, refs)
    with contextlib.closing(frame_work.each_frame(lambda pair: int(pair[1][0, 0, 0]),
                                                  verify._pairs(originals, outputs), 1)) as it:
        assert list(it) == [0, 1, 2, 3]
    assert log_a == [0, 0, 0, 0]
    assert log_b == [1, 1, 1, 1]


def test_zip_would_keep_the_last_pair():
    """The reason for ``verify._pairs``: the same run through ``zip`` holds the earlier pair (if CPython
    ever stops doing so, ``_pairs`` can go)."""
    log_a: list[int] = []
    log_b: list[int] = []
    refs: list = []
    originals, outputs = _Frames(3, log_a, refs), _Frames(3, log_b, refs)
    with contextlib.closing(frame_work.each_frame(lambda pair: 0, zip(originals, outputs, strict=True), 1)) as it:
        list(it)
    assert max(log_a[1:]) >= 1


def test_the_heap_settings_on_glibc(monkeypatch):
    """On glibc (this machine's Linux) the command caps the malloc arenas and ``give_back`` trims; a
    user's own ``MALLOC_ARENA_MAX`` is kept."""
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not a glibc system: the settings are no-ops here (test_the_heap_settings_without_glibc)")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert heap.fewer_arenas() is True
    assert isinstance(heap.give_back(), bool)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "16")
    assert heap.fewer_arenas() is False


def test_the_heap_settings_without_glibc(monkeypatch):
    """Without glibc (musl, macOS) both settings do nothing and say so."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(heap, "_libc", lambda: None)
    assert heap.fewer_arenas() is False
    assert heap.give_back() is False


@pytest.mark.parametrize("big", [False, True])
def test_frames_over_4k_are_encoded_without_b_frames(tmp_path, monkeypatch, big):
    """x264's B-frames held frames that an 8K run could not afford (encoding alone 1714 -> 989 MiB at
    7680 x 4320; docs/BENCHMARKS.md, "Video: 8K memory"): frames above ``BIG_FRAME`` are encoded without
    them, smaller ones as before. Here the bound is lowered to the test clip's own size."""
    import shutil

    import av
    from conftest import FIXTURES, run

    from unseen.media import video_write

    if big:
        monkeypatch.setattr(video_write, "BIG_FRAME", 1)
    src = tmp_path / "clip.mp4"
    shutil.copy(FIXTURES / "video" / "head_pose.mp4", src)
    assert run(src, "--cover", "faces", "-q") == 0
    with av.open(str(tmp_path / "clip.unseen.mp4")) as c:
        kinds = {int(f.pict_type) for f in c.decode(video=0)}  # FFmpeg's AVPictureType: 3 is B
    assert (3 in kinds) is not big, kinds


def test_the_arena_gives_back_what_a_big_picture_grew_it_to():
    """onnxruntime's shared arena keeps what it grew to: a video of 8K frames held it through its whole writing
    phase, which runs no model (175 MiB at 8K). ``release_arena`` hands it back; in a process of its own, so
    that what other tests grew does not count."""
    import subprocess
    import sys

    code = """
import numpy as np
from unseen import heap
from unseen.detect import Detector, onnx_session
def rss():
    with open('/proc/self/status') as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith('VmRSS'))
Detector().detect(np.zeros((3000, 3000, 3), np.uint8))
heap.give_back()
before = rss()
released = onnx_session.release_arena()
heap.give_back()
print(released, before, rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    released, before, after = out.stdout.split()
    assert released == "True" and int(before) - int(after) >= 50, out.stdout
