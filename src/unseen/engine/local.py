"""The local engine: every file of a run on this machine, reported in the order given.

Each file's detection spreads its passes and tiles over a pool of one thread per core, but one
small photo does not keep two cores busy: its two passes differ in cost, and decoding, masking, the
self-check and encoding run between them on one core. So photos up to ``OVERLAP_PIXELS`` run two at
a time, sharing the detector's pool (measured on the WIDER photos: docs/BENCHMARKS.md, "Protection").
Bigger photos and videos run alone, so peak memory stays that of one file; the models load once for
the whole run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ..errors import UnseenError
from ..media import is_video
from ..media.image import probe_size
from ..options import Options
from ..report import Report
from .file import anonymize_file
from .plan import Job

ProgressFor = Callable[[Job], "Callable[[int, int], None] | None"]

# Photos with at most this many pixels (all frames) run two at a time: a 12 MP photo alone already
# fills both cores with tiles, and two of them at once would double the peak memory.
OVERLAP_PIXELS = 8_000_000
IN_FLIGHT = 2


def overlappable(job: Job) -> bool:
    """A photo small enough to run beside another (headers only; anything unreadable runs alone and
    fails there with its own message)."""
    try:
        if is_video(job.src) or not job.src.is_file():  # a FIFO: opening it to probe would hang the run
            return False
        _, (w, h), frames = probe_size(job.src)
    except (UnseenError, OSError):
        return False
    return w * h * frames <= OVERLAP_PIXELS


def run(jobs: list[Job], options: Options,
        progress_for: ProgressFor | None = None) -> Iterator[tuple[Job, Report]]:
    """Yield ``(job, report)`` for every job, in order (another engine may yield them in the order
    they finish). ``progress_for(job)`` may give a frame-progress callback."""
    detector = options.make_detector()

    def one(job: Job) -> Report:
        progress = progress_for(job) if progress_for is not None else None
        try:
            return anonymize_file(job, options, detector, progress)
        finally:
            close = getattr(progress, "close", None)
            if close is not None:
                close()

    pending: deque[tuple[Job, Future[Report]]] = deque()

    def finished() -> Iterator[tuple[Job, Report]]:
        while pending and pending[0][1].done():
            done, fut = pending.popleft()
            yield done, fut.result()

    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="unseen-file") as files:
        try:
            for job in jobs:
                if len(jobs) > 1 and overlappable(job):
                    # a new photo starts as soon as either of the two running ones ends, not only when the
                    # oldest does (reports still come out in order)
                    while sum(not f.done() for _, f in pending) >= IN_FLIGHT:
                        wait([f for _, f in pending if not f.done()], return_when=FIRST_COMPLETED)
                        yield from finished()
                    pending.append((job, files.submit(one, job)))
                    yield from finished()
                    continue
                while pending:  # a big file runs alone, after the small ones before it
                    done, fut = pending.popleft()
                    yield done, fut.result()
                yield job, one(job)
            while pending:
                done, fut = pending.popleft()
                yield done, fut.result()
        finally:
            for _, fut in pending:  # stopped early (signal, error): files not started never start
                fut.cancel()
