"""Command line: parse arguments, show progress, print one line per failure, set the exit code.

Thin on purpose: every decision is made in the library (``unseen.files``, ``unseen.pipeline``).
Exit codes: 0 all files done, 1 some files failed (the others are still written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import UnseenError
from .mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, SHAPES, STYLES
from .options import DEFAULT_PAD, DEFAULT_THRESHOLD, Options

SUBCOMMANDS = ("inspect", "review", "verify")


def _fsname(path: str | Path) -> str:
    """Print any file name, even one that is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def err(path: str | Path | None, message: str) -> None:
    prefix = f"unseen: {_fsname(path)}: " if path else "unseen: "
    print(prefix + message.replace("\n", " "), file=sys.stderr, flush=True)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        err(None, message)
        raise SystemExit(2)


def _anonymize_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="unseen",
        description="Cover every face in photos and videos and strip identifying metadata. "
        "Other commands: unseen inspect FILE..., unseen review [PATH...], unseen verify ORIGINAL OUTPUT.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="photos, videos or folders")
    p.add_argument("-o", "--output", type=Path, help="write outputs into this folder, same relative paths and names")
    p.add_argument("--force", action="store_true", help="replace existing outputs")
    p.add_argument("--rename", action="store_true",
                   help="name outputs unseen-0001, unseen-0002, ... (input names often carry a date, time or "
                   "device); with -o, all go straight into that folder")
    p.add_argument("--style", choices=STYLES, default="fill",
                   help="fill (default) or noise: irreversible; pixelate and blur can be partly reversed")
    p.add_argument("--shape", choices=SHAPES, default="ellipse")
    p.add_argument("--pad", type=float, default=DEFAULT_PAD,
                   help=f"grow each face box by this fraction per side to cover the head (default {DEFAULT_PAD})")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"detector score threshold; lower finds more (default {DEFAULT_THRESHOLD})")
    p.add_argument("--fast", action="store_true",
                   help="photos: one detector model instead of two, about 2x faster, slightly lower recall "
                   "(videos always use their own schedule of both models, docs/BENCHMARKS.md)")
    p.add_argument("--boxes", type=Path, help="extra regions to cover, JSON (docs/BOXES.md)")
    p.add_argument("--max-pixels", type=float, default=200e6, help="refuse larger images (default 200e6)")
    p.add_argument("--no-self-check", action="store_true", help="skip re-detecting on the masked result")
    p.add_argument("--verify", action="store_true",
                   help="check each output with a face recognizer; fail the file if still matchable")
    p.add_argument("--audio", choices=("drop", "keep"), default="drop", help="video: keep re-encodes audio (AAC)")
    p.add_argument("--codec", default="h264", help="video codec: h264 (MP4, default), h265, vp9 (WebM)")
    p.add_argument("--hold", type=float, default=0.5,
                   help="video: seconds a mask stays before a face first appears and after it is lost")
    p.add_argument("--json", action="store_true", help="print one JSON report per file on stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no warnings")
    p.add_argument("--version", action="version", version=f"unseen {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # SIGTERM (kill, a closing laptop session) cleans up like Ctrl-C: temp files are removed.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return _subcommand(argv[0], argv[1:])
        return _anonymize(_anonymize_parser().parse_args(argv))
    except KeyboardInterrupt:
        err(None, "interrupted; no partial outputs were left")
        return 130
    except UnseenError as exc:
        err(None, str(exc))
        return 1


def _interrupt(signum: int, _frame) -> None:
    raise KeyboardInterrupt


def _subcommand(name: str, argv: list[str]) -> int:
    if name == "inspect":
        from .inspect_cli import main as run
    elif name == "review":
        from .web.server import main as run
    else:
        from .verify import main as run
    return run(argv)


def _anonymize(args: argparse.Namespace) -> int:
    from .boxes import load as load_boxes
    from .files import anonymize_file, plan

    if not 0 < args.threshold < 1:
        _anonymize_parser().error("--threshold must be between 0 and 1")
    if not 0 <= args.pad <= 3:
        _anonymize_parser().error("--pad must be between 0 and 3")
    boxes = tuple(load_boxes(args.boxes)) if args.boxes else ()
    options = Options(style=args.style, shape=args.shape, pad=args.pad, threshold=args.threshold,
                      self_check=not args.no_self_check, max_pixels=int(args.max_pixels), force=args.force,
                      boxes=boxes, verify=args.verify, audio=args.audio, codec=args.codec, hold=args.hold,
                      preset="fast" if args.fast else "thorough")
    if args.style in REVERSIBLE_STYLES and not args.quiet:
        err(None, "warning: " + REVERSIBLE_WARNING.format(style=args.style))
    skipped: list[Path] = []
    jobs, failed = plan(args.paths, args.output, skipped, rename=args.rename)
    if skipped and not args.quiet:
        shown = ", ".join(_fsname(p) for p in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        print(f"unseen: note: left {len(skipped)} file(s) alone that are not photos or videos: {shown}",
              file=sys.stderr)
    for r in failed:
        err(r.input, r.error or "failed")
        if args.json:
            print(json.dumps(r.to_json()), flush=True)
    if not jobs and not failed:
        err(None, "no photos or videos found in the given paths")
        return 1
    detector = options.make_detector()
    bar = None
    if len(jobs) > 1 and not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="file", file=sys.stderr, dynamic_ncols=True)
    n_failed = len(failed)
    for job in jobs:
        progress = None if args.quiet or bar is not None else _video_progress(job.src)
        report = anonymize_file(job, options, detector, progress)
        if progress is not None:
            progress.close()
        if report.status != "ok":
            n_failed += 1
            err(job.src, report.error or "failed")
        elif not args.quiet and not args.json and bar is None:
            print(f"{_fsname(job.src)} -> {_fsname(report.output or '')}: {report.faces} face(s) covered",
                  file=sys.stderr)
        if args.json:
            print(json.dumps(report.to_json()), flush=True)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return 1 if n_failed else 0


class _video_progress:
    """Frame progress bar for a single video (created lazily, only when frames are reported)."""

    def __init__(self, src: Path):
        self.src, self.bar = src, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total or None, unit="frame", file=sys.stderr, desc=self.src.name,
                            dynamic_ncols=True)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
