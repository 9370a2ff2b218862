"""``unseen PATH...``: cover every face in photos and videos and strip identifying metadata."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

from .. import __version__
from ..boxes import load as load_boxes
from ..boxes import unmatched
from ..detect.onnx_session import DEVICES, resolve_device
from ..detect.weights import retinaface_onnx
from ..engine import local
from ..engine.plan import Job, names_a_file, plan, plan_file
from ..errors import UnseenError
from ..mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, SHAPES, STYLES
from ..media.video_write import CODECS, output_extension
from ..options import AUDIO_CHOICES, DEFAULT_HOLD, DEFAULT_PAD, DEFAULT_THRESHOLD, Options, parse_cover
from ..report import Report
from .common import LazyBar, Parser, err, fsname, left_alone, progress_bar, say

ENGINES = ("local", "ray")


def parser() -> Parser:
    p = Parser(
        prog="unseen",
        description="Cover every face (and, by default, licence plates) in photos and videos and strip "
        "identifying metadata. Outputs are "
        "written as NAME.unseen.EXT beside each input, or with -o DIR into DIR under the same relative "
        "path and name. Other commands: unseen inspect FILE..., unseen review [PATH...], "
        "unseen verify ORIGINAL OUTPUT.",
    )
    p.add_argument("paths", nargs="+", type=given_path, metavar="PATH", help="photos, videos or folders")
    p.add_argument("-o", "--output", type=given_path,
                   help="write outputs into this folder, same relative paths and names; with one input "
                   "file, a name ending in the output's extension (out.jpg, out.mp4) is the output file "
                   "(--rename or not)")
    p.add_argument("--force", action="store_true", help="replace existing outputs")
    p.add_argument("--skip-existing", action="store_true",
                   help="count files whose output already exists as skipped instead of failed, to resume an "
                   "interrupted run")
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local (default): this machine; ray: spread the files over the Ray cluster named by "
                   "RAY_ADDRESS, or one started on this machine (needs unseen[ray]; docs/SCALE.md)")
    p.add_argument("--rename", action="store_true",
                   help="name outputs unseen-0001, unseen-0002, ... (input names often carry a date, time or "
                   "device); with -o, all go straight into that folder")
    p.add_argument("--style", choices=STYLES, default="fill",
                   help="fill (default) or noise: irreversible; pixelate and blur can be partly reversed")
    p.add_argument("--shape", choices=SHAPES, default="ellipse",
                   help="the cover's shape: ellipse (default, faces; plates and text are always boxes) or box")
    p.add_argument("--pad", type=float, default=DEFAULT_PAD,
                   help=f"grow each face box by this fraction per side to cover the head (default {DEFAULT_PAD})")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"detector score threshold; lower finds more (default {DEFAULT_THRESHOLD})")
    p.add_argument("--fast", action="store_true",
                   help="photos: one detector model instead of two, about 2x faster, slightly lower recall "
                   "(videos always use their own schedule of both models, docs/BENCHMARKS.md)")
    p.add_argument("--cover", default="faces,plates", metavar="KINDS",
                   help="what to find and cover, a comma list of faces, plates, text (default faces,plates; "
                   "text is opt-in: a sign someone holds is often the story)")
    p.add_argument("--boxes", type=Path, help="extra regions to cover, JSON (docs/BOXES.md)")
    p.add_argument("--max-pixels", type=float,
                   help="refuse photos (all frames together) and video frames larger than this many pixels "
                   "(default 200e6 for photos, 8K = 35.4e6 per video frame)")
    p.add_argument("--no-self-check", action="store_true", help="skip re-detecting on the masked result")
    p.add_argument("--verify", action="store_true",
                   help="check each output with a face recognizer; fail the file if still matchable")
    p.add_argument("--verify-every", type=float, metavar="SECONDS",
                   help="video with --verify: check one frame every SECONDS, the first and last included "
                   "(default 1; 0 checks every frame, at 10-15 s of CPU per 1080p frame)")
    p.add_argument("--audio", choices=AUDIO_CHOICES, default="drop",
                   help="video: drop (default: never read), keep (re-encoded to AAC; voices can identify people), or "
                   "mute-speech (every span a speech detector finds replaced by the clip's own background noise; "
                   "singing, chants and shouts may remain: listen before publishing)")
    p.add_argument("--codec", default="h264", choices=tuple(CODECS),
                   help="video codec: h264 (MP4, default), h265, vp9 (WebM)")
    p.add_argument("--no-second-look", action="store_true",
                   help="video: mask every low-score face track at once, also those a second look at the "
                   "pixels does not confirm as a face (more grey on crowds; docs/BENCHMARKS.md)")
    p.add_argument("--hold", type=float, default=DEFAULT_HOLD,
                   help="video: seconds a mask stays before a face first appears and after it is lost "
                   f"(default {DEFAULT_HOLD:g})")
    p.add_argument("--device", choices=DEVICES, default="cpu",
                   help="where detection runs: cpu (default: the same boxes on every machine), cuda (needs "
                        "unseen[gpu] and an NVIDIA GPU; fails if it cannot start) or auto (cuda if it can start, "
                        "else the CPU with a note)")
    p.add_argument("--json", action="store_true", help="print one JSON report per file on stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no warnings")
    p.add_argument("--version", action="version", version=f"unseen {__version__}")
    return p


def given_path(text: str) -> str:
    """A PATH or ``-o`` argument, kept as typed (``-o out.jpg/`` is a folder: ``Path`` drops the
    slash). An empty one names nothing: ``Path("")`` is the current folder, so ``unseen "$UNSET"``
    anonymised everything below it."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names nothing (an unset variable?)")
    return text


def options_from(args: argparse.Namespace, p: Parser) -> Options:
    if args.force and args.skip_existing:
        p.error("--force replaces existing outputs and --skip-existing keeps them: choose one")
    if args.rename and args.skip_existing:  # a new photo shifts the numbers: it was counted as done
        p.error("--rename numbers the outputs in input order, so --skip-existing cannot tell which input an "
                "existing output was made from: run the new files on their own, or without --rename")
    if args.verify_every is not None and not args.verify:  # taken without a word, a user took it that a check ran
        p.error("--verify-every says how often --verify checks a video: add --verify")
    if args.engine == "ray" and find_spec("ray") is None:
        p.refuse("--engine ray needs Ray: pip install 'unseen[ray]'")  # typed right: one line, no usage
    try:  # ``Options`` checks every value (the library's callers too)
        options = Options(style=args.style, shape=args.shape, pad=args.pad, threshold=args.threshold,
                          self_check=not args.no_self_check, force=args.force, skip_existing=args.skip_existing,
                          max_pixels=args.max_pixels,
                          verify=args.verify, audio=args.audio,
                          verify_every=1.0 if args.verify_every is None else args.verify_every,
                          codec=args.codec, hold=args.hold, second_look=not args.no_second_look,
                          preset="fast" if args.fast else "thorough", cover=parse_cover(args.cover),
                          device=args.device)
    except ValueError as exc:
        p.error(str(exc))
    try:  # a malformed boxes file is a usage error for the whole run (docs/BOXES.md): nothing is written
        boxes = tuple(load_boxes(args.boxes)) if args.boxes else ()
    except UnseenError as exc:
        p.refuse(str(exc))
    return dataclasses.replace(options, boxes=boxes)


def main(argv: list[str]) -> int:
    p = parser()
    args = p.parse_args(argv)
    options = options_from(args, p)
    try:
        device, note = resolve_device(options.device, retinaface_onnx)
    except UnseenError as exc:
        err(None, str(exc))
        return 1
    if note and not args.quiet:
        say(f"unseen: {note}")
    options = dataclasses.replace(options, device=device)
    weaker = _weaker(args, options)
    if not args.quiet:
        for line in weaker:
            err(None, "warning: " + line)
    skipped: list[Path] = []
    passed: list[Path] = []
    folder_meant = bool(args.output) and args.output.endswith(("/", os.sep))  # "-o out.jpg/" is a folder
    paths, output = [Path(p) for p in args.paths], Path(args.output) if args.output else None
    if names_a_file(paths, output) and not folder_meant:  # a name the user gave: --rename has nothing to hide
        jobs, failed = plan_file(paths[0], output, output_extension(options.codec))
    else:
        jobs, failed = plan(paths, output, skipped, rename=args.rename,
                            video_ext=output_extension(options.codec), passed=passed)
    weaker += _boxes_named(args, p, options, [j.src for j in jobs] + [Path(r.input) for r in failed])
    for line in [] if args.quiet else left_alone(passed, skipped, output):
        say(line)
    for r in failed:
        err(r.input, r.error or "failed")
        if args.json:
            print(json.dumps(_with_run_warnings(r, weaker)), flush=True)
    if not jobs and not failed:
        err(None, "no photos or videos found in the given paths")
        return 1
    bar = progress_bar(len(jobs), "file") if len(jobs) > 1 and not args.quiet else None

    def frames_bar(job: Job) -> progress_bar | None:
        if args.quiet or bar is not None:
            return None
        return LazyBar(job.src.name)

    counts = {"ok": 0, "skipped": 0, "error": len(failed)}
    try:
        with contextlib.closing(_engine(args, jobs, options, frames_bar)) as results:
            for job, report in results:
                counts["error" if report.status not in counts else report.status] += 1
                if report.status not in ("ok", "skipped"):
                    err(job.src, report.error or "failed")
                elif not args.quiet and not args.json and bar is None:
                    out = fsname(report.output or "")
                    muted = (f", {report.speech_removed_seconds:.1f} s of speech muted"
                             if report.speech_removed_seconds is not None else "")
                    say(f"{fsname(job.src)} -> {out}: {_covered(report)}{muted}" if report.status == "ok"
                        else f"{fsname(job.src)}: skipped, {out} exists")
                if not args.quiet and not args.json:
                    if job.note and report.status == "ok":  # why its output is not named as the user expects
                        err(job.src, "note: " + job.note)
                    for line in _warnings(report):
                        err(job.src, "warning: " + line)
                if args.json:
                    print(json.dumps(_with_run_warnings(report, weaker)), flush=True)
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet and (bar is not None or counts["skipped"]):
        say(f"unseen: {counts['ok']} written, {counts['skipped']} skipped (output exists), {counts['error']} failed")
    return 1 if counts["error"] else 0


def _weaker(args: argparse.Namespace, options: Options) -> list[str]:
    """What the run's options give up against the defaults, in words (stderr, and every JSON report)."""
    out = [REVERSIBLE_WARNING.format(style=args.style)] if args.style in REVERSIBLE_STYLES else []
    if "face" not in options.cover:
        out.append("--cover without faces: faces are left visible")
    if options.weakened():
        out.append("less protection than the default: " + "; ".join(options.weakened()))
    return out


def _with_run_warnings(report: Report, weaker: list[str]) -> dict:
    """A file's JSON report with the run's own warnings first: a pipeline reading only the JSON could not
    tell "no face in the photo" from "faces left visible by --cover plates" (hunt of 2026-12-06)."""
    data = report.to_json()
    data["warnings"] = weaker + list(data.get("warnings") or [])
    return data


def _boxes_named(args: argparse.Namespace, p: Parser, options: Options, inputs: list[Path]) -> list[str]:
    """Entries of the boxes file that name no input of the run: refused when none names one (the file is
    for other names: a renamed photo, "G.JPG" for "g.jpg"); when others do (a folder's boxes file used on
    part of it), a warning, returned for the JSON reports too."""
    missing = unmatched(list(options.boxes), inputs)
    if not missing:
        return []
    lower = {q.name.lower(): q.name for q in inputs}
    near = [lower[m.lower()] for m in missing if m.lower() in lower]
    hint = f" (names must match exactly: this run has {near[0]})" if near else ""
    said = f"boxes file {args.boxes}: no input of this run is named {', '.join(missing[:3])}" + \
        (", ..." if len(missing) > 3 else "") + hint
    if len(missing) == len({s.image for s in options.boxes if s.image is not None}):
        p.refuse(f"{said}: its regions would cover nothing")
    if not args.quiet:
        err(None, f"warning: {said}: those regions are not used")
    return [f"{said}: those regions are not used"]


def _engine(args: argparse.Namespace, jobs: list[Job], options: Options,
            frames_bar: local.ProgressFor) -> Iterator[tuple[Job, Report]]:
    """The engine the user chose; Ray is imported only for ``--engine ray``."""
    if args.engine == "ray":
        from ..engine import cluster

        notice = None if args.quiet else (lambda line: say("unseen: note: " + line))
        return cluster.run(jobs, options, notice=notice)
    return local.run(jobs, options, frames_bar)


def _warnings(report: Report) -> list[str]:
    """A file's warnings the user must read without ``--json``: what its output leaves out (a TIFF's other
    pages, face tracks a second look turned down). Before, they were only in ``--json``'s notes, and a scan of
    two pages came out as one with the line saying "1 face(s) covered". A reversible style's warning is left
    out: the command gives it once for the run."""
    return [w for w in report.warnings if not w.startswith("style ")]


def _covered(report: Report) -> str:
    """What the summary line says was covered: regions per kind, then what the self-check found on the
    masked result (a photo whose faces only the self-check found read "nothing found to cover")."""
    from ..kinds import KINDS

    parts = [f"{n} {KINDS[k].label}(s)" for k, n in report.regions.items() if n and k in KINDS]
    extra = f"{report.self_check_extra} region(s) found by the self-check"
    if not parts:
        return f"{extra} covered" if report.self_check_extra else "nothing found to cover"
    return ", ".join(parts) + " covered" + (f", and {extra}" if report.self_check_extra else "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
