"""Which files a run takes, and the name each output gets, planned for the whole run at once.

Outputs go beside each input as ``NAME.unseen.EXT``, or with ``-o DIR`` into DIR under the same
relative path and name; one input file with ``-o OUT.EXT`` is written as OUT.EXT (``names_a_file``).
Names are planned together so that two inputs never claim one output: a
phone's ``IMG_1.HEIC`` and ``IMG_1.JPG`` would both become ``IMG_1.unseen.jpg``; the one whose own
format does not give that extension keeps its full name instead (``IMG_1.HEIC.unseen.jpg``), and
its report says why. ``--rename`` numbers the outputs instead (input names carry dates, devices).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..media import LIKELY_OUTPUT, MEDIA_SUFFIXES, RAW_SUFFIXES, kind_of
from ..report import Report

OUTPUT_MARK = ".unseen"
RENAME_PREFIX = "unseen-"  # --rename: unseen-0001.jpg, ...
_RENAMED = re.compile(re.escape(RENAME_PREFIX) + r"\d{4,}\.[^.]+$")
SIDECAR_SUFFIX = OUTPUT_MARK + ".json"


OUTPUT_EXTENSIONS = (".jpg", ".png", ".webp", ".tif", ".bmp", ".gif", ".mp4", ".webm")


@dataclass(frozen=True)
class Job:
    """One input and where its output goes.

    The extension is final only once the file is decoded (a ``.png`` may hold a JPEG). Any other
    extension than the planned one takes the usual name for it, unless another job of the run
    planned that name (``blocked``): then the input's full name, which no other input of its
    folder can have.
    """

    src: Path
    out_dir: Path
    name: str  # planned output file name, for ``planned_ext``
    planned_ext: str
    stem: str  # usual name without extension: "a.unseen", with -o "a", with --rename "unseen-0001"
    fallback_stem: str  # + the real extension when the usual name is taken: "a.png.unseen"
    keep_name: bool = False  # -o DIR: the input's own name when the extension stays the same
    blocked: frozenset[str] = frozenset()  # extensions whose usual name another job planned
    note: str | None = None  # why the name is not the usual one

    def destination(self, extension: str) -> Path:
        ext = extension.lower()
        if ext == self.planned_ext.lower():
            return self.out_dir / self.name
        if ext in self.blocked:
            return self.out_dir / (self.fallback_stem + extension)
        if self.keep_name and ext == self.src.suffix.lower():
            return self.out_dir / self.src.name
        return self.out_dir / (self.stem + extension)

    def usual_name(self, extension: str) -> str:
        if self.keep_name and extension.lower() == self.src.suffix.lower():
            return self.src.name
        return self.stem + extension

    @property
    def sidecar(self) -> Path:
        """Where the review page keeps the reviewed regions of this input (``NAME.unseen.json``)."""
        return self.out_dir / (self.src.stem + SIDECAR_SUFFIX)


def is_own_output(name: str) -> bool:
    """Files an earlier run wrote (outputs, review sidecars, renamed outputs): never inputs."""
    return OUTPUT_MARK + "." in name or name.endswith(SIDECAR_SUFFIX) or bool(_RENAMED.match(name))


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
            if name.startswith(".") or is_own_output(name):
                continue
            if p.suffix.lower() not in MEDIA_SUFFIXES | RAW_SUFFIXES:
                if skipped is not None:
                    skipped.append(p)
                continue
            yield p


def likely_extension(src: Path, video_ext: str) -> str:
    """The output extension a file will most likely get, from its suffix."""
    if kind_of(src) == "video":
        return video_ext
    return LIKELY_OUTPUT.get(src.suffix.lower(), ".png")


def plan(paths: list[Path], out_dir: Path | None, skipped: list[Path] | None = None,
         rename: bool = False, video_ext: str = ".mp4") -> tuple[list[Job], list[Report]]:
    """Expand files and folders into jobs with planned, distinct output names.

    Problems with a named path become error reports; files in folders that are not photos or
    videos are appended to ``skipped``. ``rename``: outputs are named ``unseen-0001`` ... in input
    order instead of after the input, whose name often carries a date, time, device or app
    (``IMG_20240512_183045.jpg``); with ``out_dir`` they also go straight into it, since sub-folder
    names can tell as much.
    """
    found: list[tuple[Path, Path]] = []  # (input, folder its output goes to)
    errors: list[Report] = []
    skip = out_dir.resolve() if out_dir else None
    for given in paths:
        if given.is_dir():
            for p in _walk(given, skip, skipped):
                found.append((p, (out_dir / p.relative_to(given).parent) if out_dir else p.parent))
        elif given.exists() or given.is_symlink():
            found.append((given, out_dir if out_dir else given.parent))
        else:
            errors.append(Report(input=str(given), status="error", error="no such file or folder"))
    if rename:
        width = max(4, len(str(len(found))))
        jobs = []
        for i, (src, folder) in enumerate(found, 1):
            stem, ext = f"{RENAME_PREFIX}{i:0{width}d}", likely_extension(src, video_ext)
            jobs.append(Job(src, out_dir if out_dir else folder, stem + ext, ext, stem, stem))
        return jobs, errors
    return _distinct([_usual(src, folder, out_dir is not None, video_ext) for src, folder in found]), errors


# Output names a user may give for the extension unseen writes.
_SAME_EXTENSION = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif"}


def names_a_file(paths: list[Path], out: Path | None) -> bool:
    """Does ``-o OUT`` name the output file itself? Yes for one input file (not a folder) when OUT
    ends in a photo or video extension and is not an existing folder: ``unseen in.jpg -o out.jpg``
    writes out.jpg, where a folder named out.jpg holding in.jpg would surprise anyone."""
    return (out is not None and len(paths) == 1 and not paths[0].is_dir()
            and (paths[0].exists() or paths[0].is_symlink())
            and out.suffix.lower() in MEDIA_SUFFIXES and not out.is_dir())


def plan_file(src: Path, out: Path, video_ext: str = ".mp4") -> tuple[list[Job], list[Report]]:
    """The job for ``unseen SRC -o OUT.EXT`` (``names_a_file``). OUT's extension must be the one the
    output gets (a photo keeps its format, a video is ``video_ext``): an error report says which,
    rather than a JPEG named .png. A file whose content turns out to need another extension (a
    ``.jpg`` holding a PNG) is written as OUT's stem with that extension."""
    ext = likely_extension(src, video_ext)
    asked = _SAME_EXTENSION.get(out.suffix.lower(), out.suffix.lower())
    if asked != ext:
        what = "video" if kind_of(src) == "video" else "photo"
        codec = "; --codec vp9 writes .webm" if what == "video" and asked == ".webm" else ""
        return [], [Report(input=str(src), status="error",
                           error=f"-o {out.name}: unseen writes this {what} as {ext}{codec}; name the output "
                                 f"{out.stem}{ext}, or give a folder")]
    return [Job(src, out.parent, out.name, ext, out.stem, out.stem)], []


def _usual(src: Path, folder: Path, keep_name: bool, video_ext: str) -> Job:
    ext = likely_extension(src, video_ext)
    stem = src.stem if keep_name else src.stem + OUTPUT_MARK
    full = src.name if keep_name else src.name + OUTPUT_MARK
    job = Job(src, folder, "", ext, stem, full, keep_name)
    return dataclasses.replace(job, name=job.usual_name(ext))


def _key(folder: Path, name: str) -> str:
    return os.path.normcase(str(folder / name)).lower()  # one name on case-insensitive disks too


def _distinct(jobs: list[Job]) -> list[Job]:
    """Give the full input name to every job whose planned output another job also claims, unless
    its own suffix already matches the output (``a.jpg`` keeps ``a.unseen.jpg`` beside ``a.heic``);
    then record, for each job, which other extensions' usual names the run has taken."""
    claims: dict[str, list[int]] = defaultdict(list)
    for i, j in enumerate(jobs):
        claims[_key(j.out_dir, j.name)].append(i)
    out = list(jobs)
    for idx in claims.values():
        if len(idx) < 2:
            continue
        natural = [i for i in idx if jobs[i].src.suffix.lower() == jobs[i].planned_ext]
        keeper = natural[0] if len(natural) == 1 else None
        for i in idx:
            if i == keeper:
                continue
            j = jobs[i]
            others = ", ".join(jobs[k].src.name for k in idx if k != i)
            out[i] = dataclasses.replace(
                j, name=j.fallback_stem + j.planned_ext,
                note=f"named {j.fallback_stem + j.planned_ext} because {others} would also become {j.name}")
    planned = {_key(j.out_dir, j.name) for j in out}
    final = []
    for j in out:
        blocked = frozenset(e for e in OUTPUT_EXTENSIONS if e != j.planned_ext
                            and _key(j.out_dir, j.usual_name(e)) in planned)
        final.append(dataclasses.replace(j, blocked=blocked) if blocked else j)
    return final
