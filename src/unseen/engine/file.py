"""One way in for every file: checks that apply to any input, then the photo or the video flow.

Never raises for a per-file problem, nor for an unexpected error (a bug) while one file is made: the
report says what went wrong in one line, nothing is written for that file (``output.atomic_output``),
and the run goes on with the next file. Both engines (local and cluster) call ``anonymize_file``.

``--skip-existing`` (resuming an interrupted run): a file whose output exists is reported as
``skipped``, not failed, and nothing is read or written. The output's name is final only once the
file is decoded (a ``.png`` may hold a JPEG, ``plan.Job``), so there are two checks: the *planned*
name, before anything is read (``skipped_report``, which the cluster engine also runs on the driver
so a resumed archive does not ship finished files to the cluster); then the *real* name, as soon as
the format is known and before any detection (``output.claim`` in the photo and video flows).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..boxes import BoxSet, for_file
from ..errors import UnseenError, os_cause
from ..media import is_video
from ..options import Options
from ..report import Report
from .output import OutputExists, older_than_input, same_file, written_before
from .plan import Job

SKIPPED_NOTE = "output exists (--skip-existing)"
OLDER_ERROR = ("output {} exists but was written before this file was last changed: not taken for its output "
               "(--skip-existing), it may be another file's of the same name; run this file with --force "
               "to replace it")
BOXES_ERROR = ("output {} exists but was written before the boxes file naming this file last changed: its "
               "regions may not be in it (--skip-existing); run this file with --force to apply them")


def boxes_for(job: Job, options: Options) -> BoxSet | None:
    """The ``--boxes`` regions that name ``job``'s input, merged (``boxes.for_file``), or None."""
    return for_file(list(options.boxes), job.src) if options.boxes else None


def not_kept(job: Job, dst: Path, boxset: BoxSet | None) -> str | None:
    """Why ``--skip-existing`` may not keep ``dst`` as ``job``'s output, or None: written before the input
    last changed (``older_than_input``), or before the boxes file naming the input (``boxset``: a reviewer's
    added region was never applied, "skipped", exit 0: a hunt, 2026-12-06)."""
    if older_than_input(dst, job.src):
        return OLDER_ERROR.format(dst)
    if boxset is not None and written_before(dst, boxset.changed_ns):
        return BOXES_ERROR.format(dst)
    return None


def new_report(job: Job, options: Options, **fields: Any) -> Report:
    """A report for ``job`` that says from the start whether it is a photo or a video: a video
    skipped, or failed before it was decoded, was reported as an image."""
    return Report(input=str(job.src), kind="video" if is_video(job.src) else "image", style=options.style, **fields)


def skipped_report(job: Job, options: Options) -> Report | None:
    """With ``skip_existing``: a ``skipped`` report when the planned output exists, else None."""
    if not options.skip_existing:
        return None
    dst = job.destination(job.planned_ext)
    try:
        if not dst.is_file() or dst.is_symlink():  # a folder or a link is no output: ``claim`` says so
            return None
        if job.replaces_original(dst) or same_file(job.src, dst) or not_kept(job, dst, boxes_for(job, options)):
            return None  # maybe someone's photo, the input itself (a hard link of it), another's: the engine says so
    except OSError:
        return None
    return new_report(job, options, output=str(dst), status="skipped", notes=[SKIPPED_NOTE])


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


def internal_error(exc: BaseException) -> str:
    """One line for an error unseen did not expect (a bug, not the file's fault): what and where, so it
    can be reported. The file gets no output (atomic writes) and the other files of the run go on."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(tb) if f"{os.sep}unseen{os.sep}" in f.filename), tb[-1] if tb else None)
    at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return f"internal error ({type(exc).__name__}: {exc}{at}); nothing written for this file, please report it"


def anonymize_file(job: Job, options: Options, detector: Any,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Anonymise one file into its planned output (see ``plan.Job``)."""
    t0 = time.perf_counter()
    skipped = skipped_report(job, options)
    if skipped is not None:
        return skipped
    report = new_report(job, options)
    if job.note:
        report.notes.append(job.note)
    boxset: BoxSet | None = None
    try:
        check_readable(job)
        if job.output_named and options.force:
            raise UnseenError(f"its output {job.name} was named as an input of this run too (an earlier output?), "
                              "and --force does not replace a file named on the command line: name "
                              f"{job.src.name} without it to replace it")
        boxset = boxes_for(job, options)
        if is_video(job.src):
            from .video import anonymize_video_file

            anonymize_video_file(job, options, detector, report, boxset, progress)
        else:
            from .image import anonymize_image_file

            anonymize_image_file(job, options, detector, report, boxset)
    except OutputExists as exc:
        why = not_kept(job, exc.path, boxset) if options.skip_existing else None
        if why is not None:
            report.status, report.error, report.output = "error", why, None
        elif options.skip_existing:
            report.status, report.output = "skipped", str(exc.path)
            report.notes.append(SKIPPED_NOTE)
        else:
            report.status, report.error, report.output = "error", str(exc), None
    except UnseenError as exc:
        report.status, report.error, report.output = "error", str(exc), None
    except MemoryError:
        report.status, report.error, report.output = "error", "out of memory", None
    except OSError as exc:  # the system's limits (too many open files, no space): its words, not "a bug"
        report.status, report.error, report.output = "error", f"{os_cause(exc)}; nothing written", None
    except Exception as exc:  # noqa: BLE001 - a bug must fail this file closed, not the whole batch
        report.status, report.error, report.output = "error", internal_error(exc), None
    report.seconds = time.perf_counter() - t0
    return report
