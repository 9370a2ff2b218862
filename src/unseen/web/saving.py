"""Saving from the review page: the reviewed regions as a ``NAME.unseen.json`` sidecar, then the
output through the same engine as the command line (``engine.file.anonymize_file``).

The sidecar is written first, so a review is never lost when the output fails (it can be re-run
with ``unseen --boxes``). Once the output is written, the sidecar is written again with what the
output really covers (the self-check's additions, marked ``"found_by": "self-check"``) and the name
and SHA-256 of the output, so that a later review can prove it wrote that file.

Two rules, enforced here rather than trusted to the page:

- **Never uncover without asking.** A save that leaves uncovered a region the earlier save covered
  (the file's sidecar, or this session's save) needs ``confirm_uncover``. A saved region counts as
  kept when one new region covers at least ``KEEP_SHARE`` of its area (and, for video, its whole
  time range).
- **Never replace another program's file without asking.** An existing output is replaced without
  a question only when this review can prove it wrote it: this session wrote it, or the sidecar
  names it and its SHA-256 matches. Anything else needs ``replace`` (``force``, the old name, still
  works). Dropped files live in the session's private folder and are always replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import boxes as boxes_file
from .. import interrupt, mask
from .. import options as unseen_options
from ..detect.shown import merged
from ..engine.file import anonymize_file
from ..engine.image import INSIDE_COVERED
from ..engine.output import atomic_output
from ..errors import UnseenError
from ..mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, STYLES
from ..options import Options
from ..regions import Regions, inside_share, intersection, parse_items
from . import words
from .items import Item, destination, file_identity, is_file, name_too_long, review_sidecar

MAX_REGIONS = 5000
# pixelate/blur: the regions' summed area, in pictures, a preview or a save may draw (a crowd's faces
# are < 1): 5000 full-picture blur regions kept the one save worker busy for a minute on a 0.2 MP photo
MAX_STYLE_COST = 25.0
KEEP_SHARE = 0.7  # a saved region is still covered when one new region covers this share of it
TIME_SLACK = 0.05  # seconds: a video region's new range may start/end this much inside the old one
SELF_CHECK = "self-check"


class RequestError(Exception):
    """A request the page should not have sent (or must confirm): ``status``, one line, and any
    ``data`` the page needs to ask its question (``code``, the regions concerned...)."""

    def __init__(self, status: int, message: str, **data: Any):
        super().__init__(message)
        self.status, self.message, self.data = status, message, data


@dataclass(frozen=True)
class SavePlan:
    regions: Regions
    times: list[tuple[float | None, float | None]]
    found_by: list[str | None]
    style: str
    audio: str
    force: bool
    draft_gen: int = 0  # the item's draft when the save was asked for: the only one it may clear
    identity: Any = None  # the file's (``file_identity``) when the save was asked for: what the regions were drawn on


def check_base(item: Item, body: dict) -> None:
    """Refuse a draft or save made on an older draft than the server's (``base``, the item's
    ``draft_gen`` when the page last loaded or sent this file's regions): another tab or window
    changed the file since, and taking this one would silently drop that tab's regions. A 409
    with the current draft, so the page can say so. A body without ``base`` is not checked."""
    if "base" not in body:
        return
    base = body["base"]
    if not isinstance(base, int) or isinstance(base, bool):
        raise RequestError(400, "base must be the draft number the page last had")
    if base != item.draft_gen:
        raise RequestError(409, words.CHANGED_ELSEWHERE, code="changed", draft=item.draft,
                           draft_gen=item.draft_gen)


def parse_regions(items: Any, width: int, height: int,
                  timed: bool = False) -> tuple[Regions, list[tuple[float | None, float | None]]]:
    """Regions sent by the page, through the one validator (``regions.parse_items``), clipped to
    the image; a 400 on anything malformed."""
    if isinstance(items, list) and len(items) > MAX_REGIONS:
        raise RequestError(400, f"too many regions (max {MAX_REGIONS})")
    try:
        regions, times = parse_items(items, "review", width, height)
    except ValueError as exc:
        raise RequestError(400, str(exc)) from None
    return regions, (times if timed else [])


def check_style(body: dict, default: str) -> str:
    style = body.get("style", default)
    if style not in STYLES:
        raise RequestError(400, f"style must be one of {', '.join(STYLES)}")
    return style


def check_audio(body: dict) -> str:
    choices = unseen_options.AUDIO_CHOICES  # read at call time: the list grows (mute-speech)
    audio = body.get("audio", choices[0])
    if audio not in choices:
        raise RequestError(400, f"audio must be one of {', '.join(choices)}")
    return audio


def review_items(regions: Regions, times: list | None = None,
                 found_by: list[str | None] | None = None) -> list[dict]:
    """Regions as the sidecar and the page carry them: the ``--boxes`` schema, plus ``t0``/``t1``
    (video) and ``found_by`` (regions the self-check added)."""
    items = regions.to_json()
    for i, item in enumerate(items):
        t0, t1 = times[i] if times and i < len(times) else (None, None)
        if t0 is not None:
            item["t0"] = round(float(t0), 3)
        if t1 is not None:
            item["t1"] = round(float(t1), 3)
        if found_by and i < len(found_by) and found_by[i]:
            item["found_by"] = found_by[i]
    return items


def _clipped(regions: Regions, width: int, height: int, *beside: list) -> tuple[Regions, list[list]]:
    """``Regions.clipped`` to the picture, and each list in ``beside`` (one entry a region: times,
    marks) cut to the regions kept. A draft or a sidecar may hold any finite number: one of 1e39
    came back to the page as Infinity, which no JSON reader takes, and the file could not be opened."""
    if width <= 0 or height <= 0:
        return regions, list(beside)
    keep = np.flatnonzero(regions.within(width, height))
    return regions.clipped(width, height), [[x[i] for i in keep] if x else x for x in beside]


def normalise(items: Any, timed: bool, width: int = 0, height: int = 0) -> list[dict]:
    """Validate regions from the page, kept as sent but clipped to the picture (``_clipped``)."""
    if isinstance(items, list) and len(items) > MAX_REGIONS:
        raise RequestError(400, f"too many regions (max {MAX_REGIONS})")
    try:
        regions, times = parse_items(items, "review")
    except ValueError as exc:
        raise RequestError(400, str(exc)) from None
    marks = [SELF_CHECK if isinstance(it, dict) and it.get("found_by") == SELF_CHECK else None
             for it in items]
    drawn = [bool(it.get("drawn")) for it in items]
    regions, (times, marks, drawn) = _clipped(regions, width, height, times, marks, drawn)
    out = review_items(regions, times if timed else None, marks)
    for o, d in zip(out, drawn, strict=True):
        if d:
            o["drawn"] = True
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- what an earlier save wrote ----------------------------------------------------------------------
def too_long(item: Item) -> str | None:
    """Why this file cannot be saved where it is reviewed (its output's or its sidecar's name is
    longer than the file system takes), or None."""
    if item.uploaded:  # dropped files get short names (server.MAX_NAME_BYTES)
        return None
    for path in (item.job.sidecar, destination(item)):
        if name_too_long(path):
            return (f"the name of this file is too long to save it here ({path.name[:24]}\u2026 is more "
                    "than the file system allows): rename the file to save it")
    return None


def load_review(item: Item) -> tuple[dict | None, str | None]:
    """(the review an earlier save wrote for this file, None) from its sidecar; (None, why) when the
    sidecar is missing (why None), unreadable, or belongs to another file (name or size). A review
    whose sidecar names no output (``"output": None``) is a save that did not complete."""
    side = review_sidecar(item.job)
    problem = too_long(item)
    if problem or not is_file(side):
        return None, problem
    try:
        (entry,) = boxes_file.load(side)
        doc = json.loads(side.read_text(encoding="utf-8"))
        if not isinstance(doc.get("regions"), list):  # {"files": [one entry]}: a boxes file, not ours
            raise ValueError("not a review sidecar")
    except (UnseenError, ValueError, OSError, RecursionError):
        return None, f"{side.name} is not a regions file unseen can read; it is left as it is"
    if doc.get("image") != item.src.name or (doc.get("width"), doc.get("height")) not in (
            (item.width, item.height), (None, None)):
        return None, f"{side.name} holds the regions of another file; it is left as it is"
    marks = [it.get("found_by") if isinstance(it.get("found_by"), str) else None for it in doc["regions"]]
    output = doc.get("output") if isinstance(doc.get("output"), dict) else {}
    name = output.get("name") if isinstance(output.get("name"), str) else None
    clipped, (times, marks) = _clipped(entry.regions, item.width, item.height, list(entry.times), marks)
    regions = review_items(clipped, times, marks)
    return {"regions": regions, "mode": entry.mode, "source": "earlier", "output": name,
            "sha256": output.get("sha256") if name else None}, None


def open_earlier(item: Item) -> None:
    """What the page opens a file with, from an earlier save's sidecar: that save's regions
    (``item.review``). A sidecar that names no output is a save that did not complete (it is
    written before the output, which then failed): the file was never saved, so its regions come
    back as unsaved work (``item.draft``), not as "saved before"; nothing reviewed is lost."""
    review, problem = load_review(item)
    if problem:
        item.notes.append(problem)
    if review is not None and review["output"] is None:
        drawn = item.kind == "video" or item.animated  # what prepare keeps of a video's regions
        if item.draft is None:
            item.draft = [dict(r, drawn=True) if drawn else r for r in review["regions"]]
        item.notes.append(f"an earlier save of this file did not complete ({item.job.sidecar.name} holds "
                          "its regions, but no file was written): its regions are opened, not saved yet")
        review = None
    item.review = review


def uncovered(prior: list[dict], regions: Regions, times: list, timed: bool) -> list[dict]:
    """The prior regions no new region keeps covered (see ``KEEP_SHARE``, ``TIME_SLACK``), each taken
    as its mask spans, grown by its kind's padding: a face saved again as a box a person drew (a kind
    not padded) passed as kept, and 25,000 pixels of the heads the first save covered came out."""
    if not prior:
        return []
    old, old_times = parse_items(prior, "review")
    if not len(regions):
        return list(prior)
    old, regions = old.grown(unseen_options.DEFAULT_PAD), regions.grown(unseen_options.DEFAULT_PAD)
    share = intersection(old.boxes, regions.boxes) / np.maximum(old.areas, 1e-6)[:, None]
    kept = share >= KEEP_SHARE
    if timed:
        for i, (a0, b0) in enumerate(old_times):
            for j in np.flatnonzero(kept[i]):
                a, b = times[j] if j < len(times) else (None, None)
                starts = a is None or (a0 is not None and a <= a0 + TIME_SLACK)
                ends = b is None or (b0 is not None and b >= b0 - TIME_SLACK)
                kept[i, j] = starts and ends
    return [prior[i] for i in np.flatnonzero(~kept.any(axis=1))]


def _saved(review: dict | None) -> dict | None:
    """``review`` when it records a written output; a save that did not complete covers nothing."""
    return review if review is not None and review.get("output") else None


def _wrote(item: Item, prior: dict | None, dest: Path) -> bool:
    """True when this review can prove it wrote ``dest`` (this session, or the sidecar's digest)."""
    digest = None
    if item.output == dest and item.output_sha:
        digest = sha256(dest)
        if digest == item.output_sha:
            return True
    if prior and prior.get("output") == dest.name and prior.get("sha256"):
        return (digest or sha256(dest)) == prior["sha256"]
    return False


def _may_replace(item: Item, body: dict, on_disk: dict | None) -> bool:
    """Whether the save may replace existing files; a 409 (``code: "exists"``) when it must ask."""
    if item.uploaded:  # the session's private folder: everything in it is ours
        return True
    dest, side = destination(item), item.job.sidecar
    prior = _saved(on_disk) or item.review
    theirs = []
    if dest.exists() and not _wrote(item, prior, dest):
        theirs.append(dest)
    if side.exists() and on_disk is None and item.sidecar != side:
        theirs.append(side)
    if theirs and not (body.get("replace") or body.get("force")):
        names = " and ".join(p.name for p in theirs)
        one = len(theirs) == 1
        raise RequestError(
            409, f"{names} already {'exists' if one else 'exist'} in {dest.parent}, and this review cannot "
            f"show that it wrote {'it' if one else 'them'}. Replace {'it' if one else 'them'}?",
            code="exists", files=[p.name for p in theirs], folder=str(dest.parent))
    return dest.exists() or side.exists()


def check_cost(regions: Regions, style: str, width: int, height: int, what: str) -> None:
    """A 413 when ``style`` would redraw more than ``MAX_STYLE_COST`` pictures' worth (``mask.cost``)."""
    options = Options(style=style)
    if mask.cost(regions.padded(options.pad, width, height), options.mask_spec, width, height) > MAX_STYLE_COST:
        raise RequestError(413, f"these regions overlap too much to {what} in {style} style (more than "
                                f"{MAX_STYLE_COST:g} times the picture); {what} with fill")


def prepare(item: Item, body: dict, default_style: str) -> SavePlan:
    """Validate a save request and make the two checks above; raises RequestError."""
    style = check_style(body, default_style)
    audio = check_audio(body)
    if item.state != "ready":
        raise RequestError(409, "detection has not finished for this file")
    problem = too_long(item)
    if problem:
        raise RequestError(422, problem[0].upper() + problem[1:])
    check_base(item, body)
    now = file_identity(item.src)
    if item.identity is not None and now is not None and now != item.identity:
        # Saved, it would cover what detection finds in pixels the reviewer never saw, with the
        # regions drawn on the old ones. A file gone is left to fail the save, as before.
        raise RequestError(409, words.CHANGED_ON_DISK, code="changed_on_disk")
    video = item.kind == "video"
    items = body.get("regions", [])
    if (video or item.animated) and isinstance(items, list):
        # The detector runs on every frame anyway: what counts is what a person drew.
        items = [it for it in items
                 if isinstance(it, dict) and (it.get("drawn") or it.get("kind", "manual") == "manual")]
    regions, times = parse_regions(items, item.width, item.height, timed=video)
    check_cost(regions, style, item.width, item.height, "save")
    marks = [SELF_CHECK if isinstance(it, dict) and it.get("found_by") == SELF_CHECK else None for it in items]
    if len(marks) != len(regions):  # some fell outside the picture: the marks no longer line up
        marks = [None] * len(regions)
    on_disk, _ = load_review(item)
    prior = _saved(on_disk) or item.review
    lost = uncovered(prior["regions"], regions, times, video) if prior else []
    if lost and not body.get("confirm_uncover"):
        n = len(lost)
        raise RequestError(409, f"This save would uncover {n} region{'s' if n > 1 else ''} that the saved file "
                           "covers.", code="uncover", regions=lost)
    force = _may_replace(item, body, on_disk)
    return SavePlan(regions, times, marks, style, audio, force, item.draft_gen, now)


# -- the save itself ------------------------------------------------------------------------------------
class _Recorder:
    """The detector, with what the self-check found kept aside (photos only)."""

    def __init__(self, inner: Any):
        self.inner, self.checked = inner, []

    def detect(self, rgb: np.ndarray) -> Regions:
        return self.inner.detect(rgb)

    def check(self, rgb: np.ndarray) -> Regions:
        found = self.inner.check(rgb)
        self.checked.append(found)
        return found

    def found_again(self, regions: Regions, pad: float, width: int, height: int, animated: bool) -> Regions:
        """What the self-check covered beyond ``regions`` (the engine's own rule, engine.image.cover) on a
        still photo: one check, or one for each picture a viewer may show of it (``raster.views``)."""
        if animated or not any(len(c) for c in self.checked):
            return Regions.empty()
        again = merged(self.checked, self.inner).clipped(width, height)
        covered = regions.padded(pad, width, height)
        if len(covered) and len(again):
            again = again[inside_share(again.boxes, covered.boxes) < INSIDE_COVERED]
        return again


def _sidecar_doc(item: Item, items: list[dict], mode: str, output: dict | None = None) -> str:
    doc = {"version": boxes_file.SCHEMA_VERSION, "image": item.src.name, "width": item.width,
           "height": item.height, "mode": mode, "regions": items}
    if output:
        doc["output"] = output
    return json.dumps(doc, indent=1)


def save(item: Item, plan: SavePlan, detector: Any, progress: Callable[[int, int], None]) -> dict:
    """Write the sidecar, then the output, then the sidecar again. Returns the page's ``save`` state;
    never raises."""
    video = item.kind == "video"
    mode = "add" if video or item.animated else "only"
    items = review_items(plan.regions, plan.times, plan.found_by)
    side = item.job.sidecar
    out: Path | None = None  # the output, once written and until recorded
    digest = ""
    try:
        # Checked again when the save runs and once the file is read: a save waits behind others (a video's), and a
        # picture copied over the file meanwhile was written with the regions drawn on the old one (a hunt, 2026-12-06).
        _same_file(item, plan)
        with atomic_output(side, force=plan.force) as tmp:
            tmp.write_text(_sidecar_doc(item, items, mode), encoding="utf-8")
        item.sidecar = side
        sets = tuple(boxes_file.load(side))  # exactly what `unseen --boxes` reads
        options = Options(style=plan.style, boxes=sets, force=plan.force, audio=plan.audio)
        recorder = _Recorder(detector) if mode == "only" else None
        report = anonymize_file(item.job, options, recorder or detector, progress)
        if report.status != "ok" or not report.output:
            raise UnseenError(f"{words.error(report.error or 'failed')}. The reviewed regions are kept in {side.name}")
        out = Path(report.output)
        try:
            _same_file(item, plan)
        except UnseenError:
            out.unlink(missing_ok=True)
            out = None
            raise
        extra = (recorder.found_again(plan.regions, options.pad, item.width, item.height, item.animated) if recorder
                 else Regions.empty())
        extra_items = review_items(extra, None, [SELF_CHECK] * len(extra))
        digest = sha256(out)
        items = items + extra_items
        with atomic_output(side, force=True) as tmp:
            tmp.write_text(_sidecar_doc(item, items, mode, {"name": out.name, "sha256": digest}), encoding="utf-8")
        with contextlib.suppress(OSError):  # dated as its output: a resume with --boxes of it and --skip-existing
            written = out.stat().st_mtime_ns  # took the output for older than its regions and failed it
            os.utime(side, ns=(written, written))
        item.output, item.output_sha, out = out, digest, None
        item.review = {"regions": items, "mode": mode, "source": "session", "output": item.output.name,
                       "sha256": digest}
        with item.lock:
            if item.draft_gen == plan.draft_gen:  # a draft sent while this save ran is newer work
                item.draft = None
        return _result(item, report, plan, extra_items)
    except UnseenError as exc:  # ``interrupted``: stopped before the output was written (``ReviewServer.unsaved``)
        return {"state": "error", "error": words.error(str(exc)) + _claim_unrecorded(item, out, digest),
                "interrupted": out is None and interrupt.stopped()}
    except Exception as exc:  # noqa: BLE001 - say so on the page, never silently
        return {"state": "error", "error": f"{type(exc).__name__}: {exc}" + _claim_unrecorded(item, out, digest)}


def _same_file(item: Item, plan: SavePlan) -> None:
    """The file the regions were drawn on is still the one on disk (``SavePlan.identity``)."""
    now = file_identity(item.src)
    if plan.identity is not None and now is not None and now != plan.identity:
        raise UnseenError(words.CHANGED_ON_DISK)


def _claim_unrecorded(item: Item, out: Path | None, digest: str) -> str:
    """An output this save wrote whose record in the sidecar could not follow (a full disk, a signal): the
    page said only "error" while a publishable file sat there, and the next save asked whether to replace
    it as another program's (a hunt, 2026-12-06). This session knows it as its own; the page is told."""
    if out is None:
        return ""
    if not digest:
        with contextlib.suppress(OSError):
            digest = sha256(out)
    item.output, item.output_sha = out, digest
    return f"; the output, {out.name}, was written, but the sidecar does not record it"


def _result(item: Item, report: Any, plan: SavePlan, extra_items: list[dict]) -> dict:
    info = report.to_json()
    if item.uploaded:  # temporary paths mean nothing to the user: offer downloads instead
        info.pop("input", None)
        info["output"] = item.output.name
    warnings = list(report.warnings)
    if plan.style in REVERSIBLE_STYLES:
        warnings = [w for w in warnings if not w.startswith(f"style {plan.style} keeps")]
        warnings.append(REVERSIBLE_WARNING.format(style=plan.style))
    counts = {k: int(n) for k, n in plan.regions.counts().items()}
    return {"state": "done", "report": info, "warnings": warnings, "reviewed": counts,
            "self_check": extra_items, "notes": words.notes(report.notes),
            "metadata_removed": words.metadata(report.metadata_dropped),
            "output": info.get("output"), "output_name": item.output.name,
            "folder": None if item.uploaded else str(item.output.parent),
            "sidecar": item.job.sidecar.name if item.uploaded else str(item.job.sidecar),
            "sidecar_name": item.job.sidecar.name,
            "download": f"/api/files/{item.id}/download",
            "sidecar_download": f"/api/files/{item.id}/download?what=sidecar"}
