"""One way in for every file: checks that apply to any input, then the photo or the video flow.

Never raises for a per-file problem: the report says what went wrong, and nothing is written for
that file (``output.atomic_output``). Both engines (local and cluster) call ``anonymize_file``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from ..boxes import BoxSet, for_file
from ..errors import UnseenError
from ..media import is_video
from ..options import Options
from ..report import Report
from .plan import Job


def check_readable(job: Job) -> None:
    """The causes a user can fix, named before any decoder sees the file."""
    src = job.src
    if not os.access(src, os.R_OK):
        if src.is_symlink() and not src.exists():
            raise UnseenError("broken symbolic link (its target is missing or it loops)")
        raise UnseenError("cannot read file (permission denied)" if src.exists() else "no such file")
    if not src.is_file():
        raise UnseenError("not a regular file")
    if src.stat().st_size == 0:
        raise UnseenError("file is empty (0 bytes)")


def anonymize_file(job: Job, options: Options, detector: Any,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Anonymise one file into its planned output (see ``plan.Job``)."""
    t0 = time.perf_counter()
    report = Report(input=str(job.src), style=options.style)
    if job.note:
        report.notes.append(job.note)
    try:
        check_readable(job)
        boxset: BoxSet | None = for_file(list(options.boxes), job.src) if options.boxes else None
        if is_video(job.src):
            from .video import anonymize_video_file

            anonymize_video_file(job, options, detector, report, boxset, progress)
        else:
            from .image import anonymize_image_file

            anonymize_image_file(job, options, detector, report, boxset)
    except UnseenError as exc:
        report.status, report.error, report.output = "error", str(exc), None
    except MemoryError:
        report.status, report.error, report.output = "error", "out of memory", None
    report.seconds = time.perf_counter() - t0
    return report
