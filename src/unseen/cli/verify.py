"""``unseen verify ORIGINAL OUTPUT``: the recognizer adversary and the metadata check on two files."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from ..errors import UnseenError, as_read, os_cause
from ..media import is_video
from ..options import VIDEO_MAX_PIXELS, parse_cover
from ..verify import MATCH_THRESHOLD, MISSING, VerifyInputError, verify_files
from ..verify_video import EVERY_SECONDS, verify_video
from .common import LazyBar, Parser, err, fsname


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="unseen verify",
        description="Check that OUTPUT (made from ORIGINAL) leaves no detectable face, no face a recognizer "
        "still matches to the original, no plate or text a reader can still read where the original showed "
        "it, and no metadata. Exit 0 only when every check passes.",
    )
    p.add_argument("original", type=Path, metavar="ORIGINAL", help="the photo or video before anonymisation")
    p.add_argument("output", type=Path, metavar="OUTPUT", help="the anonymised photo or video made from it")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on stdout")
    p.add_argument("--max-pixels", type=float, default=None,
                   help="refuse larger images (default 200e6) and video frames (default 8K, 35.4e6)")
    p.add_argument("--every", type=float, default=EVERY_SECONDS, metavar="SECONDS",
                   help=f"videos: check one frame every SECONDS of the original, the first and last included "
                   f"(default {EVERY_SECONDS:g}; 0 checks every frame, at 10-15 s of CPU per 1080p frame)")
    p.add_argument("--cover", default="faces,plates", metavar="KINDS",
                   help="what OUTPUT was meant to cover (as given to unseen; default faces,plates): with plates, "
                   "text that reads like a plate must be unreadable; with text, any text")
    return p


def _lines(result: dict[str, Any]) -> list[str]:
    out = [f"{fsname(result['original'])} -> {fsname(result['output'])}: {result['verdict'].upper()}"]
    if "frames_checked" in result:
        every = result["every_seconds"]
        how = "every frame" if every == 0 else f"one every {every:g} s, the first and last included"
        out.append(f"  frames: {result['frames_checked']} of {result['frames']} checked ({how})")
    for f in result["faces"]:
        x, y, w, h = f["box"]
        where = f"frame {f['frame']} " if "frame" in f else ""
        state = "not matchable" if f["verdict"] == "pass" else "STILL MATCHABLE"
        cmp = ">=" if f["distance"] >= MATCH_THRESHOLD else "<"
        blank = f" (blanked box {f['blank_distance']:.2f})" if "blank_distance" in f else ""
        own = "; covered with its own pixels (blur or pixelation: partly reversible)" if f.get("reversible") else ""
        out.append(f"  face {f['index']} {where}at {x:.0f},{y:.0f} {w:.0f}x{h:.0f}: "
                   f"distance {f['distance']:.2f} {cmp} {MATCH_THRESHOLD}{blank}: {state}{own}")
    if not result["faces"]:
        # A PASS with nothing found read as clearance: a face behind a fence or under a balaclava, which no detector
        # finds, was still there (a hunt, 2026-12-06)
        out.append("  no face found in the original: nothing for the recognizer to match, so this PASS says nothing of "
                   "faces the detectors miss; look at the output yourself")
    for f in result["faces_left"]:
        x, y, w, h = f["box"]
        where = f"frame {f['frame']} " if "frame" in f else ""
        out.append(f"  FACE DETECTED in the output {where}at {x:.0f},{y:.0f} {w:.0f}x{h:.0f} (score {f['score']:.2f})")
    if not result["faces_left"]:
        out.append("  output: no face detected")
    if "text" in result:
        t = result["text"]
        out.append(f"  text: {t['checked']} box(es) checked in the original, "
                   f"{len(t['still_readable'])} still readable in the output")
        for r in t["still_readable"]:
            x, y, w, h = r["box"]
            where = f"frame {r['frame']} " if "frame" in r else ""
            why = ("a line the reader cannot read (another script?) left uncovered" if r.get("unread")
                   else f"similarity {r['similarity']:.2f}")
            out.append(f"  TEXT STILL READABLE {where}at {x:.0f},{y:.0f} {w:.0f}x{h:.0f} ({why})")
    out.append("  metadata: " + ("; ".join(result["metadata"]) if result["metadata"] else "none"))
    return out


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.max_pixels is not None and not (args.max_pixels >= 1 and math.isfinite(args.max_pixels)):
        _parser().error("--max-pixels must be a number of pixels, 1 or more")
    if not (args.every >= 0 and math.isfinite(args.every)):
        _parser().error("--every must be 0 (every frame) or a positive number of seconds")
    try:
        cover = parse_cover(args.cover)
    except ValueError as exc:
        _parser().error(str(exc))
    try:
        limit = int(args.max_pixels) if args.max_pixels else None
        if is_video(args.original) or is_video(args.output):
            # a long check is not silent (no bar piped, nor with stderr closed)
            bar = LazyBar(args.output.name) if sys.stderr and sys.stderr.isatty() else None
            try:
                result = verify_video(args.original, args.output, cover, args.every, limit or VIDEO_MAX_PIXELS,
                                      bar.verifying if bar else None)
            finally:
                if bar:
                    bar.close()
        else:
            result = verify_files(args.original, args.output, limit, cover)
    except VerifyInputError as exc:
        return _error(args, exc.path, str(exc))
    except UnseenError as exc:
        msg = str(exc).replace("--verify ", "unseen verify ", 1) if MISSING in str(exc) else str(exc)
        return _error(args, None, as_read(msg))
    except MemoryError:
        return _error(args, args.original, "out of memory")
    except OSError as exc:  # a name too long for the file system, asked before any reading
        return _error(args, Path(exc.filename) if exc.filename else None, os_cause(exc))
    if args.json:
        print(json.dumps(result), flush=True)
    else:
        print("\n".join(_lines(result)), flush=True)
    return 0 if result["verdict"] == "pass" else 1


def _error(args: argparse.Namespace, path: Path | None, message: str) -> int:
    err(path, message)
    if args.json:
        print(json.dumps({"original": str(args.original), "output": str(args.output), "verdict": "error",
                          "error": message}), flush=True)
    return 1
