"""Work on every frame of one file: a repeated frame once, distinct frames two at a time.

Why: animations repeat whole frames (a "boomerang" loop plays its frames forward, then back: 101
distinct frames of 201 in one of the shared GIFs), and the detectors give the same boxes for the
same pixels, so a repeated frame takes its first occurrence's result. And one frame leaves the second
core idle between its detector passes (decoding, masking and the self-check run on one core between
them): two frames at once fill it, as the local engine runs two small photos at once
(docs/BENCHMARKS.md, "Animations"). Each frame's result is what it would be alone: the detectors'
sessions are shared and safe to call from several threads, and frames share nothing else. The photo
flow (``engine.image.cover_frames``) and ``verify``'s checks run their frames through here.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")

IN_FLIGHT = 2  # as many as the local engine runs small photos at once (engine/local.IN_FLIGHT)
# Frames run two at a time up to this size each: two such frames in detection weigh what the local
# engine lets two files in flight weigh together (engine/local.OVERLAP_PIXELS, 8 MP).
FRAME_OVERLAP_PIXELS = 4_000_000


def in_flight(width: int, height: int) -> int:
    """How many frames of this size run at once: ``IN_FLIGHT`` up to ``FRAME_OVERLAP_PIXELS``, else
    one, so a big animation's peak memory stays one frame's."""
    return IN_FLIGHT if width * height <= FRAME_OVERLAP_PIXELS else 1


def each_frame(work: Callable[[Sequence[np.ndarray]], R], frames: Iterable[Sequence[np.ndarray]],
               at_once: int) -> Iterator[R]:
    """``work(arrays)`` for every frame (``arrays``: the arrays that make it, e.g. an original and its
    output), taken from ``frames`` as they are needed, once per distinct frame: a frame whose arrays
    equal an earlier frame's gets that frame's result (the same object). Distinct frames run
    ``at_once`` at a time; results are yielded in the frames' order (``in_order``: close the iterator
    when stopping early; the first error is raised once the running frames end)."""
    return in_order(work, _keyed(frames), at_once, lambda r: r, lambda _arrays, r: r)


def _keyed(frames: Iterable[Sequence[np.ndarray]]) -> Iterator[tuple[bytes, Sequence[np.ndarray]]]:
    for arrays in frames:
        yield b"".join(digest(a) for a in arrays), arrays
        # Let go before the next frame is read: a generator expression keeps its last item bound while
        # it asks for the next, and an 8K original and output pair is 200 MB.
        del arrays


def in_order(work: Callable[[T], R], items: Iterable[tuple[bytes, T]], at_once: int,
             keep: Callable[[R], S], again: Callable[[T, S], R]) -> Iterator[R]:
    """``work(item)`` for each ``(key, item)`` whose key is new, ``at_once`` at a time, results yielded
    in the items' order as they are taken; an item whose key came before gets ``again(item, kept)``,
    ``kept`` being what ``keep`` kept of the first result (so the first results need not be held).
    Items are taken a few ahead of what is yielded, never all: a long animation read a frame at a time
    stays a few frames in memory. Close the iterator when stopping early (``contextlib.closing``):
    frames not yet started never start and no thread outlives it; the first error in order is raised
    once the running frames end."""
    source = iter(items)
    pending: deque[tuple[bytes, T, Future[R] | None]] = deque()
    started: set[bytes] = set()
    kept: dict[bytes, S] = {}
    running, ahead = 0, max(1, at_once)
    pool = ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="unseen-frame")
    try:
        while True:
            while running < ahead and len(pending) <= ahead:
                taken = next(source, None)
                if taken is None:
                    break
                key, item = taken
                del taken  # bound past this loop, it would hold this frame while the next one is read
                if key in started:
                    pending.append((key, item, None))
                else:
                    started.add(key)
                    pending.append((key, item, pool.submit(work, item)))
                    running += 1
            if not pending:
                return
            key, item, future = pending.popleft()
            if future is None:
                yield again(item, kept[key])
                del item  # resumed when the next frame is asked for: nothing of this one is held meanwhile
                continue
            running -= 1
            result = future.result()
            kept[key] = keep(result)
            yield result
            del item, future, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def digest(pixels: np.ndarray) -> bytes:
    """Identity of an array's pixels (shape included)."""
    h = hashlib.blake2b(np.ascontiguousarray(pixels).data, digest_size=32)
    h.update(repr(pixels.shape).encode())
    return h.digest()
