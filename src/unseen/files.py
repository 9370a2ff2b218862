"""Files on disk: which inputs, where outputs go, and writing them so failure leaves nothing behind.

Fail-closed rules live here: an output is written to a hidden temporary file in the target folder,
checked, flushed to disk and only then given its final name (atomically, never replacing an
existing file without ``--force``). Any error removes the temporary file. Inputs are opened
read-only and never written.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .detect import Detector
from .errors import UnseenError
from .media import image as image_io
from .metadata import inspect_image
from .options import Options
from .pipeline import anonymize_decoded, encode_checked
from .regions import Regions
from .report import Report

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mts", ".m2ts", ".3gp"}
MEDIA_SUFFIXES = image_io.IMAGE_SUFFIXES | VIDEO_SUFFIXES
OUTPUT_MARK = ".unseen"
RENAME_PREFIX = "unseen-"  # --rename: unseen-0001.jpg, ...
_RENAMED = re.compile(re.escape(RENAME_PREFIX) + r"\d{4,}\.[^.]+$")
TMP_PREFIX = ".unseen-tmp-"


@dataclass(frozen=True)
class Job:
    """One input and where its output goes (the extension is fixed once the format is known)."""

    src: Path
    out_dir: Path  # folder the output goes in
    out_stem: str  # file name without extension
    keep_name: bool  # -o DIR: same file name as the input

    def destination(self, extension: str) -> Path:
        if self.keep_name and extension.lower() == self.src.suffix.lower():
            return self.out_dir / self.src.name
        return self.out_dir / (self.out_stem + extension)


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def _walk(folder: Path, skip: Path | None, skipped: list[Path] | None = None) -> Iterator[Path]:
    """Media files below ``folder``, sorted; symlinked folders are not followed (no loops).

    Raw camera files are yielded too: unseen refuses them with a clear error rather than leave a
    folder looking done while its raw photos still show every face. Other files (not photos or
    videos) are appended to ``skipped`` so the caller can say what it left alone.
    """
    for root, dirs, files in os.walk(folder, followlinks=False, onerror=None):
        rootp = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (skip is None or (rootp / d).resolve() != skip))
        for name in sorted(files):
            p = rootp / name
            if name.startswith("."):
                continue
            if OUTPUT_MARK + "." in name or name.endswith(".unseen.json") or _RENAMED.match(name):
                continue  # our own outputs from an earlier run
            if p.suffix.lower() not in MEDIA_SUFFIXES | image_io.RAW_SUFFIXES:
                if skipped is not None:
                    skipped.append(p)
                continue
            yield p


def plan(paths: list[Path], out_dir: Path | None, skipped: list[Path] | None = None,
         rename: bool = False) -> tuple[list[Job], list[Report]]:
    """Expand files and folders into jobs. Problems with a named path become error reports; files
    in folders that are not photos or videos are appended to ``skipped``.

    ``rename``: outputs are named ``unseen-0001`` ... in input order instead of after the input,
    whose name often carries a date, time, device or app (``IMG_20240512_183045.jpg``); with
    ``out_dir`` they also go straight into it, since sub-folder names can tell as much.
    """
    jobs: list[Job] = []
    errors: list[Report] = []
    skip = out_dir.resolve() if out_dir else None
    for given in paths:
        if given.is_dir():
            for p in _walk(given, skip, skipped):
                rel = p.relative_to(given)
                target = (out_dir / rel.parent) if out_dir else p.parent
                jobs.append(Job(p, target, p.stem if out_dir else p.stem + OUTPUT_MARK, bool(out_dir)))
        elif given.exists() or given.is_symlink():
            target = out_dir if out_dir else given.parent
            stem = given.stem if out_dir else given.stem + OUTPUT_MARK
            jobs.append(Job(given, target, stem, bool(out_dir)))
        else:
            errors.append(Report(input=str(given), status="error", error="no such file or folder"))
    if rename:
        width = max(4, len(str(len(jobs))))
        jobs = [Job(j.src, out_dir if out_dir else j.out_dir, f"{RENAME_PREFIX}{i:0{width}d}", False)
                for i, j in enumerate(jobs, 1)]
    return jobs, errors


STALE_TEMP_SECONDS = 6 * 3600
_SWEPT: set[Path] = set()


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), else set and reset."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii",
                                                        errors="replace") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale_temps(folder: Path) -> None:
    """Delete our own hidden temporary files that a killed run (SIGKILL, power loss) left behind.

    Only names starting with ``TMP_PREFIX`` and untouched for ``STALE_TEMP_SECONDS`` are removed: a
    run still writing one keeps touching it, and losing a live one only fails that run (closed).
    """
    if folder in _SWEPT:  # once per folder per run: a big folder is not re-listed for every output
        return
    _SWEPT.add(folder)
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(TMP_PREFIX):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if entry.is_file(follow_symlinks=False) and now - st.st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)


@contextlib.contextmanager
def atomic_output(dst: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``dst``; on success give it the final name, else delete it."""
    if dst.exists() and not force:
        raise UnseenError(f"output {dst} exists (use --force to replace it)")
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(dst.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=dst.suffix, dir=dst.parent)
    except OSError as exc:
        raise UnseenError(f"cannot write to {dst.parent}: {exc.strerror or exc}") from None
    try:  # mkstemp makes 0600; an output is an ordinary file: 0666 less the umask, like `cp` or `>`
        os.fchmod(fd, 0o666 & ~_umask())
    except OSError:
        pass  # e.g. a filesystem without modes: the file is still private, which is safe
    finally:
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the data must be on disk before the name points at it
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, dst)
        else:
            try:
                os.link(tmp, dst)  # fails if dst appeared meanwhile: never clobber
            except FileExistsError:
                raise UnseenError(f"output {dst} exists (use --force to replace it)") from None
            except OSError:
                if dst.exists():
                    raise UnseenError(f"output {dst} exists (use --force to replace it)") from None
                os.replace(tmp, dst)
    except OSError as exc:
        raise UnseenError(f"cannot write {dst}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def anonymize_file(job: Job, options: Options, detector: Detector,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Anonymise one file. Never raises for a per-file problem: the report says what went wrong."""
    t0 = time.perf_counter()
    report = Report(input=str(job.src), style=options.style)
    try:
        if not os.access(job.src, os.R_OK):
            if job.src.is_symlink() and not job.src.exists():
                raise UnseenError("broken symbolic link (its target is missing or it loops)")
            raise UnseenError("cannot read file (permission denied)" if job.src.exists() else "no such file")
        if not job.src.is_file():
            raise UnseenError("not a regular file")
        if job.src.stat().st_size == 0:
            raise UnseenError("file is empty (0 bytes)")
        if is_video(job.src):
            _video(job, options, detector, report, progress)
        else:
            _image(job, options, detector, report)
    except UnseenError as exc:
        report.status, report.error, report.output = "error", str(exc), None
    except MemoryError:
        report.status, report.error, report.output = "error", "out of memory", None
    report.seconds = time.perf_counter() - t0
    return report


def _image(job: Job, options: Options, detector: Detector, report: Report) -> None:
    img = image_io.read(job.src, options.max_pixels)
    dst = job.destination(image_io.EXTENSION[img.output_format])
    if _same_file(job.src, dst):
        raise UnseenError("output would overwrite the input")
    report.format_in, report.format_out, report.frames = img.format, img.output_format, len(img.frames)
    if img.format != img.output_format:
        report.notes.append(f"{img.format} written as {img.output_format}")
    report.notes.extend(img.notes)
    try:
        found = inspect_image(job.src)
        report.metadata_dropped = found.blocks + [t["kind"] for t in found.thumbnails]
        if found.gps:
            report.metadata_dropped.insert(0, "GPS")
    except Exception:  # inspection is informative only; the output is clean by construction
        report.metadata_dropped = ["(could not list input metadata)"]
    boxset = _boxes_for(job.src, options)
    extra = boxset.regions if boxset else Regions.empty()
    only = boxset.regions if boxset and boxset.mode == "only" else None
    masked = anonymize_decoded(img, detector, options, extra=None if only is not None else extra, detected=only)
    report.faces, report.manual_regions = masked.detected, masked.manual
    report.self_check_extra = masked.self_check_extra
    data = encode_checked(img, masked)
    if options.verify:
        from .verify import verify_pixels  # optional extra: dlib recognizer

        report.verify = verify_pixels(img, masked, data, options)
        if report.verify.get("verdict") != "pass":
            raise UnseenError(f"verify failed: {report.verify.get('summary', 'a face may still be matchable')}")
    with atomic_output(dst, options.force) as tmp:
        tmp.write_bytes(data)
    report.output = str(dst)


def _boxes_for(src: Path, options: Options):
    from .boxes import for_file

    return for_file(list(options.boxes), src) if options.boxes else None


def _video(job: Job, options: Options, detector: Detector, report: Report,
           progress: Callable[[int, int], None] | None) -> None:
    from .media import video

    report.kind = "video"
    ext = video.output_extension(options.codec)
    dst = job.destination(ext)
    if _same_file(job.src, dst):
        raise UnseenError("output would overwrite the input")
    with atomic_output(dst, options.force) as tmp:
        info = video.anonymize_video(job.src, tmp, options, detector, _boxes_for(job.src, options), progress)
    for key, value in info.items():
        if hasattr(report, key):
            setattr(report, key, value)
    report.output = str(dst)
