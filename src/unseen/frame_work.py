"""Work on every frame of one file: a repeated frame once, distinct frames two at a time.

Why: animations repeat whole frames (a "boomerang" loop plays its frames forward, then back: 101
distinct frames of 201 in one of the shared GIFs), and the detectors give the same boxes for the
same pixels, so a repeated frame takes its first occurrence's result. And one frame leaves the second
core idle between its detector passes (decoding, masking and the self-check run on one core between
them): two frames at once fill it, as the local engine runs two small photos at once
(docs/BENCHMARKS.md, "Animations"). Each frame's result is what it would be alone: the detectors'
sessions are shared and safe to call from several threads, and frames share nothing else. The photo
flow (``engine.image.cover_decoded``) and ``verify``'s checks run their frames through here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

R = TypeVar("R")

IN_FLIGHT = 2  # as many as the local engine runs small photos at once (engine/local.IN_FLIGHT)
# Frames run two at a time up to this size each: two such frames in detection weigh what the local
# engine lets two files in flight weigh together (engine/local.OVERLAP_PIXELS, 8 MP).
FRAME_OVERLAP_PIXELS = 4_000_000


def in_flight(width: int, height: int) -> int:
    """How many frames of this size run at once: ``IN_FLIGHT`` up to ``FRAME_OVERLAP_PIXELS``, else
    one, so a big animation's peak memory stays one frame's."""
    return IN_FLIGHT if width * height <= FRAME_OVERLAP_PIXELS else 1


def each_frame(work: Callable[[int], R], frames: Sequence[Sequence[np.ndarray]], at_once: int) -> list[R]:
    """``work(i)`` for every frame ``i`` (``frames[i]``: the arrays that make it, e.g. an original and
    its output), once per distinct frame: a frame whose arrays equal an earlier frame's gets that
    frame's result (the same object). Distinct frames run ``at_once`` at a time; results come in the
    frames' order. The first error is raised once the running frames end; frames not yet started
    never start, and no thread outlives the call (a failed file leaves nothing running)."""
    if len(frames) <= 1:
        return [work(i) for i in range(len(frames))]
    keys = [b"".join(_digest(a) for a in arrays) for arrays in frames]
    first: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    distinct = list(first.values())
    done = _in_order(work, distinct, at_once)
    by_key = {keys[i]: r for i, r in zip(distinct, done, strict=True)}
    return [by_key[key] for key in keys]


def _in_order(work: Callable[[int], R], items: list[int], at_once: int) -> list[R]:
    if at_once <= 1 or len(items) <= 1:
        return [work(i) for i in items]
    pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="unseen-frame")
    try:
        futures = [pool.submit(work, i) for i in items]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _digest(pixels: np.ndarray) -> bytes:
    """Identity of an array's pixels (shape included)."""
    h = hashlib.blake2b(np.ascontiguousarray(pixels).data, digest_size=32)
    h.update(repr(pixels.shape).encode())
    return h.digest()
