"""Which files a run takes, and the name each output gets, planned for the whole run at once.

Outputs go beside each input as ``NAME.unseen.EXT``, or with ``-o DIR`` into DIR under the same
relative path and name; one input file with ``-o OUT.EXT`` is written as OUT.EXT (``names_a_file``).
Names are planned together so that two inputs never claim one output: a
phone's ``IMG_1.HEIC`` and ``IMG_1.JPG`` would both become ``IMG_1.unseen.jpg``; the one whose own
format does not give that extension keeps its full name instead (``IMG_1.HEIC.unseen.jpg``), and
its report says why. ``--rename`` numbers the outputs instead (input names carry dates, devices).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnseenError, fsname, os_cause
from ..media import LIKELY_OUTPUT, MEDIA_SUFFIXES, RAW_SUFFIXES, UNREAD_SUFFIXES, is_media_file, kind_of
from ..report import Report
from .output import same_file

OUTPUT_MARK = ".unseen"
RENAME_PREFIX = "unseen-"  # --rename: unseen-0001.jpg, ...
_RENAMED = re.compile(re.escape(RENAME_PREFIX) + r"\d{4,}\.[^.]+$")
SIDECAR_SUFFIX = OUTPUT_MARK + ".json"
# An output folder inside an input folder holds this note once unseen writes there (``_mark``).
OUTPUT_FOLDER_MARK = ".unseen-outputs"


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
    named: bool = False  # -o OUT.EXT: the user named the output (``plan_file``)
    above_input: bool = False  # the -o folder holds the folder this input was found in (``plan``)
    output_named: bool = False  # its output, an earlier run's, was named as an input too (``_earlier_outputs``)

    def destination(self, extension: str) -> Path:
        ext = extension.lower()
        if ext == self.planned_ext.lower():
            return self.out_dir / self.name
        if ext in self.blocked:
            return self.out_dir / (self.fallback_stem + extension)
        if self.keep_name and ext == self.src.suffix.lower():
            return self.out_dir / self.src.name
        return self.out_dir / (self.stem + extension)

    def name_note(self, extension: str, content: str) -> str | None:
        """Why the output is not named as planned, when the file's content (``content``, its format)
        asks for another ``extension`` than its name did: a report says why a name differs."""
        dst = self.destination(extension)
        if dst.name == self.name:
            return None
        why = (f", and another input of the run would also become {self.usual_name(extension)}"
               if extension.lower() in self.blocked else "")
        return f"named {dst.name} because {self.src.name} holds a {content} picture{why}"

    def usual_name(self, extension: str) -> str:
        if self.keep_name and extension.lower() == self.src.suffix.lower():
            return self.src.name
        return self.stem + extension

    def check_destination(self, dst: Path) -> None:
        """Refuse ``dst`` in one line when it is the input itself, or may be an original beside it."""
        if same_file(self.src, dst):
            raise UnseenError("output would overwrite the input")
        if self.replaces_original(dst):
            why = ("in an -o folder above the input's own folder, where unseen cannot tell an earlier output "
                   "from an original" if self.above_input else
                   "beside the input under a name unseen does not give its outputs")
            raise UnseenError(f"output {dst} exists {why}: it may be an original, so it is neither replaced "
                              "(even with --force) nor taken for this file's output (--skip-existing); give "
                              "another -o folder")

    def replaces_original(self, dst: Path) -> bool:
        """Would ``dst`` replace a file in the input's own folder that is no output of unseen's?

        ``unseen pic.heic -o ./`` plans ``pic.jpg``, where another photo may be: with ``--force`` it was
        replaced, with ``--skip-existing`` taken for pic.heic's output (pic.heic never covered, counted
        as done), and without either refused with "(use --force to replace it)". Only unseen's own names
        (``is_own_output``) and a name the user gave (``-o OUT.EXT``) are outputs there; anything else
        may be an original. So in an ``-o`` folder that holds the input's own folder (``above_input``):
        ``unseen d/s -o d --force`` replaced the original ``d/x.jpg`` with ``d/s/x.jpg``'s output, and
        ``--skip-existing`` reported that untouched original as ``d/s/x.jpg``'s output.
        """
        if self.named or is_own_output(dst.name):
            return False
        try:
            return dst.exists() and (self.above_input or os.path.samefile(dst.parent, self.src.parent))
        except OSError:
            return False

    @property
    def sidecar(self) -> Path:
        """Where the review page keeps the reviewed regions of this input: ``NAME.unseen.json``, or
        ``NAME.EXT.unseen.json`` when another input of this output folder has the same stem
        (``IMG_1.jpg`` and ``IMG_1.png``, a HEIC and its JPEG, a Live Photo's HEIC and MOV), which
        ``blocked`` records: one shared sidecar let each save replace the other's reviewed regions.
        An input whose output name was changed for another's (``note``: ``a.jpg`` of two folders into one
        ``-o`` folder) is named after that output, which no other input of the run has."""
        own = self.name if self.note else self.src.name if self.blocked else self.src.stem
        return self.out_dir / (own + SIDECAR_SUFFIX)


_OUTPUT = re.compile(r".+" + re.escape(OUTPUT_MARK) + r"(-\d+)?\.[^.]+$")  # NAME.unseen.EXT, NAME.unseen-2.EXT
REFUSED = RAW_SUFFIXES | frozenset(UNREAD_SUFFIXES)  # refused by name: a job that claims no output name


def is_own_output(name: str) -> bool:
    """Files an earlier run wrote (outputs, review sidecars, renamed outputs): never inputs. Only the
    names unseen gives: ``holiday.unseen.trip.jpg`` is someone's photo (it was left out unannounced)."""
    return bool(_OUTPUT.match(name)) or name.endswith(SIDECAR_SUFFIX) or bool(_RENAMED.match(name))


def _walk(folder: Path, skip: Path | None = None, skipped: list[Path] | None = None,
          passed: list[Path] | None = None, unreadable: list[Report] | None = None) -> Iterator[Path]:
    """Media files below ``folder``, sorted; symlinked folders are not followed (no loops), ``skip`` (a
    resolved path: the output folder) and folders an earlier run marked as its outputs (``OUTPUT_FOLDER_MARK``:
    a later run of the input folder without ``-o`` took ``d/pub``'s outputs as photos) are not entered.

    Raw camera files are yielded too: unseen refuses them with a clear error rather than leave a
    folder looking done while its raw photos still show every face. Other files (not photos or
    videos) are appended to ``skipped`` so the caller can say what it left alone; photos and videos it
    does not take (hidden ones, an earlier run's outputs) and folders it does not enter
    (hidden, symlinked: a ``.thumbnails`` folder holds faces too) to ``passed``, so that a folder never
    looks done while they went unmentioned. A folder that cannot be listed (no read permission) is an
    error report in ``unreadable``: it was passed over in silence, its photos never covered, exit 0.
    """
    def cannot_list(exc: OSError) -> None:
        if unreadable is not None:
            unreadable.append(Report(input=str(exc.filename or folder), status="error",
                                     error=f"cannot list this folder: {os_cause(exc)}"))

    for root, dirs, files in os.walk(folder, followlinks=False, onerror=cannot_list):
        rootp = Path(root)
        keep = []
        for d in sorted(dirs):
            if (skip is not None and (rootp / d).resolve() == skip) or (rootp / d / OUTPUT_FOLDER_MARK).is_file():
                continue
            if d.startswith(".") or (rootp / d).is_symlink():
                if passed is not None:
                    passed.append(rootp / d)
                continue
            keep.append(d)
        dirs[:] = keep
        inputs = {n for f in files if not is_own_output(f) for n in (f, Path(f).stem)}
        for name in sorted(files):
            p = rootp / name
            media = is_media_file(p)
            if is_own_output(name) or name.startswith(".unseen-tmp-"):
                # Named as unseen names outputs and no input beside it would be given that name: said, not
                # passed over in silence. A folder of an earlier version's outputs run again through a newer one
                # did nothing, "no photos or videos found" (a hunt). Outputs beside their inputs are not listed.
                if media and passed is not None and not name.startswith(".unseen-tmp-") and (
                        _RENAMED.match(name) or name[:name.rindex(OUTPUT_MARK)] not in inputs):
                    passed.append(p)
                continue
            if name.startswith("."):
                if media and passed is not None and not name.startswith("._"):  # "._IMG_1.JPG": a Mac's
                    passed.append(p)  # AppleDouble record of IMG_1.JPG's attributes, no photo (a hunt, 2026-12-06)
                continue
            if not media:
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
         rename: bool = False, video_ext: str = ".mp4",
         passed: list[Path] | None = None) -> tuple[list[Job], list[Report]]:
    """Expand files and folders into jobs with planned, distinct output names.

    Problems with a named path become error reports; files in folders that are not photos or
    videos are appended to ``skipped``, what the walk does not enter or take to ``passed``
    (``_walk``). A file given twice (or in a folder given too) is one job. ``rename``: outputs are
    named ``unseen-0001`` ... in input order instead of after the input, whose name often carries a
    date, time, device or app (``IMG_20240512_183045.jpg``); with ``out_dir`` they also go straight
    into it, since sub-folder names can tell as much.
    """
    found: list[tuple[Path, Path]] = []  # (input, folder its output goes to)
    errors: list[Report] = []
    _real.cache_clear()  # folders and links may have changed since an earlier plan in this process
    try:
        skip = out_dir.resolve() if out_dir else None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        why = f"cannot use as the output folder: {os_cause(exc)}"
        return [], [Report(input=str(out_dir), status="error", error=why)]
    seen: set[str] = set()
    holds_output: list[Path] = []  # input folders the output folder lies inside
    above: set[Path] = set()  # inputs found in a folder inside the output folder (``Job.above_input``)
    for given in paths:
        try:
            if given.is_dir():
                if skip is not None and skip.is_relative_to(given.resolve()):
                    holds_output.append(given)
                items = [(p, (out_dir / p.relative_to(given).parent) if out_dir else p.parent)
                         for p in _walk(given, skip, skipped, passed, errors)]
                held = out_dir is not None and _below(given, out_dir)
            elif given.exists() or given.is_symlink():
                items = [(given, out_dir if out_dir else given.parent)]
                held = out_dir is not None and _below(given.parent, out_dir)  # the same: ``replaces_original``
            else:
                errors.append(Report(input=str(given), status="error", error="no such file or folder"))
                continue
        except (OSError, RuntimeError) as exc:
            errors.append(Report(input=str(given), status="error", error=os_cause(exc)))
            continue
        for src, folder in items:
            real = os.path.normcase(os.path.realpath(src))
            if real not in seen:  # given twice: one job (two would claim one output, the second failing)
                seen.add(real)
                found.append((src, folder))
                if held:
                    above.add(src)
    found, earlier = _earlier_outputs(found, passed, video_ext) if not rename else (found, set())
    if rename:
        width = max(4, len(str(len(found))))
        jobs = []
        for i, (src, folder) in enumerate(found, 1):
            stem, ext = f"{RENAME_PREFIX}{i:0{width}d}", likely_extension(src, video_ext)
            jobs.append(Job(src, out_dir if out_dir else folder, stem + ext, ext, stem, stem))
    else:
        inputs = {_key(src.parent, src.name) for src, _ in found}
        jobs = _distinct([_usual(src, folder, out_dir is not None, video_ext) for src, folder in found], inputs)
    jobs = [dataclasses.replace(j, above_input=True) if j.src in above else j for j in jobs]
    jobs = [dataclasses.replace(j, output_named=True) if j.src in earlier else j for j in jobs]
    if holds_output and out_dir is not None:
        error = _foreign_in_output(jobs, out_dir, holds_output[0])
        if error:
            return [], [*errors, error]
    return jobs, errors


def _earlier_outputs(found: list[tuple[Path, Path]], passed: list[Path] | None,
                     video_ext: str) -> tuple[list[tuple[Path, Path]], set[Path]]:
    """``found`` without the outputs of an earlier run named beside their own inputs (``unseen *.jpg`` run
    twice names ``a.jpg`` and ``a.unseen.jpg``), which go to ``passed``, as a folder's walk leaves them out;
    and the inputs whose output they are. Taken as inputs, each run wrote ``a.unseen-2.jpg`` and
    ``a.unseen.unseen.jpg`` beside them: the files doubled with every run, and ``--skip-existing`` skipped
    nothing (a hunt, 2026-12-06). Only where outputs go beside their inputs (no ``-o``), only the exact name
    this run gives its namesake's output, only a regular file unseen could have written (a format it writes,
    no metadata). ``--force`` never replaces it: the namesake fails instead (``Job.output_named``), since a
    file named on the command line may still be someone's photo, or a reviewed output."""
    names: dict[tuple[Path, str], Path] = {}
    for src, folder in found:
        if folder == src.parent and not is_own_output(src.name):
            usual = src.stem + OUTPUT_MARK + likely_extension(src, video_ext)
            names.setdefault((src.parent, usual.lower()), src)
    keep, namesakes = [], set()
    for src, folder in found:
        namesake = names.get((src.parent, src.name.lower())) if folder == src.parent else None
        if namesake is not None and _written_clean(src):
            namesakes.add(namesake)
            if passed is not None:
                passed.append(src)
            continue
        keep.append((src, folder))
    return keep, namesakes


def _written_clean(path: Path) -> bool:
    """A regular file (a FIFO named so would block the read) unseen could have written."""
    from ..media import image_check, video_check  # only for files named like outputs: video_check loads PyAV

    try:
        if not path.is_file():
            return False
    except OSError:
        return False
    return (video_check if kind_of(path) == "video" else image_check).written_clean(path)


def _below(folder: Path, out_dir: Path) -> bool:
    """Does ``folder`` lie inside ``out_dir`` (not the same), as typed or as resolved? A linked input
    folder inside the output folder (``d/s`` linking to ``r/s``, ``unseen d/s -o d --force``) resolves
    elsewhere, and its outputs still land beside the originals in ``d``."""
    pairs = ((os.path.abspath(folder), os.path.abspath(out_dir)), (os.path.realpath(folder), os.path.realpath(out_dir)))
    return any(Path(a) != Path(b) and Path(a).is_relative_to(b) for a, b in pairs)


def _foreign_in_output(jobs: list[Job], out_dir: Path, folder: Path) -> Report | None:
    """An output folder inside an input folder is left out of the walk (so that a second run does not
    take the first one's outputs): photos or videos already in it that this run would not write there
    would be neither anonymised nor mentioned, and one of the same name as an output would be
    replaced by another file's (with ``--force``: ``unseen d -o d/sub`` replaced the original
    ``d/sub/a.jpg`` with ``d/a.jpg``'s output). Only a folder unseen marked as its own
    (``OUTPUT_FOLDER_MARK``, written by ``_mark``) holds earlier outputs, under any name this run's jobs
    can give (a ``.png`` holding a JPEG is written as ``.jpg``: a rerun refused that folder); in any
    other, every photo or video is someone's. The run refuses such a folder, in one line."""
    ours = {_key(j.out_dir, j.destination(e).name) for j in jobs for e in (j.planned_ext, *OUTPUT_EXTENSIONS)}
    try:
        found = list(_walk(out_dir))
        marked = (out_dir / OUTPUT_FOLDER_MARK).is_file()
    except OSError:
        return None
    foreign = [p for p in found if not marked or _key(p.parent, p.name) not in ours]
    foreign.sort(key=lambda p: _key(p.parent, p.name) in ours)  # under no name of ours first: the plainest
    if not foreign:
        return _mark(out_dir)
    return Report(input=str(out_dir), status="error",
                  error=f"this output folder is inside the input folder {folder} and already holds "
                        f"{len(foreign)} photo(s) or video(s) that unseen did not write there "
                        f"({foreign[0].relative_to(out_dir)}): they would be left out or replaced; "
                        f"give an empty folder or one outside {folder}")


def _mark(out_dir: Path) -> Report | None:
    """Mark an output folder inside an input folder as unseen's, so that a later run into it (with
    ``--force``, ``--skip-existing``) knows the files under its planned names are earlier outputs."""
    mark, made = out_dir / OUTPUT_FOLDER_MARK, False
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if not mark.is_file():
            made = True
            mark.write_text("unseen writes its outputs into this folder; this note tells a later run "
                            "that the files here are its outputs, not photos to keep.\n", encoding="utf-8")
    except OSError as exc:
        if made:  # an empty mark (a full disk) would have a later run take the folder for marked
            with contextlib.suppress(OSError):
                mark.unlink()
        return Report(input=str(out_dir), status="error",
                      error=f"cannot use as the output folder: {os_cause(exc)}")
    return None


# Output names a user may give for the extension unseen writes.
_SAME_EXTENSION = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif"}


def names_a_file(paths: list[Path], out: Path | None) -> bool:
    """Does ``-o OUT`` name the output file itself? Yes for one input file (not a folder) when OUT
    ends in a photo or video extension and is not an existing folder: ``unseen in.jpg -o out.jpg``
    writes out.jpg, where a folder named out.jpg holding in.jpg would surprise anyone."""
    try:
        return (out is not None and len(paths) == 1 and not paths[0].is_dir()
                and (paths[0].exists() or paths[0].is_symlink())
                and out.suffix.lower() in MEDIA_SUFFIXES and not out.is_dir())
    except OSError:  # a name too long: ``plan`` reports it
        return False


def plan_file(src: Path, out: Path, video_ext: str = ".mp4") -> tuple[list[Job], list[Report]]:
    """The job for ``unseen SRC -o OUT.EXT`` (``names_a_file``). OUT's extension must be the one the
    output gets (a photo keeps its format, a video is ``video_ext``): an error report says which,
    rather than a JPEG named .png. A file whose content turns out to need another extension (a
    ``.jpg`` holding a PNG) is written as OUT's stem with that extension."""
    ext = likely_extension(src, video_ext)
    asked = _SAME_EXTENSION.get(out.suffix.lower(), out.suffix.lower())
    # a file unseen does not read by its name, or one of no known suffix: the reader's own line says why,
    # or its content names the extension (a raw .h264 was told "writes this photo as .png", a hunt, 2026-12-06)
    if asked != ext and src.suffix.lower() not in UNREAD_SUFFIXES and kind_of(src):
        what = "video" if kind_of(src) == "video" else "photo"
        codec = "; --codec vp9 writes .webm" if what == "video" and asked == ".webm" else ""
        return [], [Report(input=str(src), status="error",
                           error=f"-o {out.name}: unseen writes this {what} as {ext}{codec}; name the output "
                                 f"{out.stem}{ext}, or give a folder")]
    return [Job(src, out.parent, out.name, ext, out.stem, out.stem, named=True)], []


def _usual(src: Path, folder: Path, keep_name: bool, video_ext: str) -> Job:
    ext = likely_extension(src, video_ext)
    stem = src.stem if keep_name else src.stem + OUTPUT_MARK
    full = src.name if keep_name else src.name + OUTPUT_MARK
    job = Job(src, folder, "", ext, stem, full, keep_name)
    return dataclasses.replace(job, name=job.usual_name(ext))


def _key(folder: Path, name: str) -> str:
    """One file's name, for telling planned names apart: the same however the path was typed
    (``./b`` and ``b``), through linked folders (``out/q`` linked to the input folder ``A/p``: with
    ``--force`` an output replaced the input ``A/p/x.jpg``), and on case-insensitive disks too."""
    return os.path.normcase(os.path.join(_real(str(folder)), name)).lower()


@functools.lru_cache(maxsize=65536)
def _real(folder: str) -> str:
    """A folder's real path, once per folder in a run (``plan`` clears it): a realpath per name took
    a plan of 30,000 files from 6 to 25 s (12 million lstat calls)."""
    return os.path.realpath(folder)


def _distinct(jobs: list[Job], inputs: frozenset[str] | set[str] = frozenset()) -> list[Job]:
    """Give the full input name to every job whose planned output another job also claims, unless
    its own suffix already matches the output (``a.jpg`` keeps ``a.unseen.jpg`` beside ``a.heic``);
    then record, for each job, which other extensions' usual names the run has taken. ``inputs``
    (``_key``s of the run's inputs) are taken names too: ``unseen a/p.jpg b/p.jpg -o b/ --force``
    wrote a/p.jpg's output over the original b/p.jpg."""
    claims: dict[str, list[int]] = defaultdict(list)
    for i, j in enumerate(jobs):
        if j.src.suffix.lower() not in REFUSED:  # it writes nothing: a folder's face.apng was named
            claims[_key(j.out_dir, j.name)].append(i)  # face.apng.png for a face.tga refused beside it
    out = list(jobs)
    for idx in claims.values():
        if len(idx) < 2:
            continue
        natural = [i for i in idx if jobs[i].src.suffix.lower() == jobs[i].planned_ext]
        keeper = natural[0] if natural else None  # the first in input order (a.jpg of x/ and y/)
        for i in idx:
            if i == keeper:
                continue
            j = jobs[i]
            others = ", ".join(fsname(jobs[k].src) for k in idx if k != i)  # by path: "a.jpg, a.jpg" said nothing
            claimed = jobs[keeper].name if keeper is not None else j.name  # as written: DJI_1.MP4 keeps its case
            out[i] = dataclasses.replace(
                j, name=j.fallback_stem + j.planned_ext,
                note=f"named {j.fallback_stem + j.planned_ext} because {others} would also become {claimed}")
    out = _numbered(out, inputs)
    planned = {_key(j.out_dir, j.name) for j in out} | set(inputs)
    usual: dict[str, int] = defaultdict(int)  # how many jobs would get each name with each extension
    for j in out:
        for e in OUTPUT_EXTENSIONS:
            usual[_key(j.out_dir, j.usual_name(e))] += 1
    final = []
    for j in out:
        # Another job planned that name, or would get it too if its content also turned out to be
        # another format than its name says (x.png and x.webp both holding JPEG: both x.unseen.jpg).
        blocked = frozenset(e for e in OUTPUT_EXTENSIONS if e != j.planned_ext
                            and (_key(j.out_dir, j.usual_name(e)) in planned
                                 or usual[_key(j.out_dir, j.usual_name(e))] > 1))
        final.append(dataclasses.replace(j, blocked=blocked) if blocked else j)
    return final


def _numbered(jobs: list[Job], inputs: frozenset[str] | set[str] = frozenset()) -> list[Job]:
    """Number the jobs whose planned name is still another's after ``_distinct``: files of one name
    from two folders sent to one ``-o`` folder (``x/a.jpg`` and ``y/a.jpg`` both became ``a.jpg.jpg``,
    and with ``--force`` the second replaced the first while both reported "written"), names that
    differ in case only, or the name of an input of the run (``inputs``). The later ones in input
    order get ``-2``, ``-3``, ... before the extension."""
    taken = {_key(j.out_dir, j.name) for j in jobs} | set(inputs)
    seen: set[str] = set()
    out = []
    for j in jobs:
        key = _key(j.out_dir, j.name)
        another = key in inputs and key != _key(j.src.parent, j.src.name)  # its own: refused when written
        if key in seen or another:
            base = j.src.stem if j.keep_name else j.src.stem + OUTPUT_MARK
            n = 2
            while _key(j.out_dir, f"{base}-{n}{j.planned_ext}") in taken:
                n += 1
            first, name = j.name, f"{base}-{n}{j.planned_ext}"
            why = f"{first} is an input of this run" if another else \
                f"another input of this run would also become {first}"
            j = dataclasses.replace(j, name=name, stem=f"{base}-{n}",
                                    fallback_stem=f"{j.src.name}{'' if j.keep_name else OUTPUT_MARK}-{n}",
                                    keep_name=False, note=f"named {name} because {why}")
            key = _key(j.out_dir, j.name)
            taken.add(key)
        seen.add(key)
        out.append(j)
    return out
