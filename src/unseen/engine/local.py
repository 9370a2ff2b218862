"""The local engine: every file of a run on this machine, one after the other.

Each file's detection already uses every core (tiles and passes on a thread pool, the video's two
reads), so files run in sequence; the models load once for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..options import Options
from ..report import Report
from .file import anonymize_file
from .plan import Job

ProgressFor = Callable[[Job], "Callable[[int, int], None] | None"]


def run(jobs: list[Job], options: Options,
        progress_for: ProgressFor | None = None) -> Iterator[tuple[Job, Report]]:
    """Yield ``(job, report)`` for every job, in order (another engine may yield them in the order
    they finish). ``progress_for(job)`` may give a frame-progress callback."""
    detector = options.make_detector()
    for job in jobs:
        progress = progress_for(job) if progress_for is not None else None
        try:
            yield job, anonymize_file(job, options, detector, progress)
        finally:
            close = getattr(progress, "close", None)
            if close is not None:
                close()
