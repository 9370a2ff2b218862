"""``unseen inspect FILE...``: what each file would give away if it were shared as is."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..errors import UnseenError, as_read, os_cause
from ..inspect import inspect_file
from ..options import Options, parse_cover
from .common import Parser, err, printable


def main(argv: list[str]) -> int:
    p = Parser(prog="unseen inspect", description="Show what a photo or video gives away: "
               "GPS, dates, device, names, software, embedded previews, faces, licence plates and text "
               "(where they are, never what they say).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--no-faces", action="store_true", help="skip detection in the picture (faster)")
    p.add_argument("--max-pixels", type=float, default=None,
                   help="refuse larger images when counting faces (default 200e6) and video frames (default 8K, "
                   "35.4e6)")
    p.add_argument("--cover", default="faces,plates,text", metavar="KINDS",
                   help="what to look for in the picture: a comma list of faces, plates, text (default all)")
    args = p.parse_args(argv)
    if args.max_pixels is not None and not (args.max_pixels >= 1 and math.isfinite(args.max_pixels)):
        p.error("--max-pixels must be a number of pixels, 1 or more")
    try:
        cover = parse_cover(args.cover)
    except ValueError as exc:
        p.error(str(exc))
    detector = None
    if not args.no_faces:
        detector = Options(cover=cover).make_detector()
    failed = 0
    for path in args.files:
        try:
            found = inspect_file(path, detector, int(args.max_pixels) if args.max_pixels else None)
        except UnseenError as exc:
            err(path, as_read(str(exc)))
            failed += 1
            continue
        except OSError as exc:  # a name too long for the file system, asked before any reading
            err(path, os_cause(exc))
            failed += 1
            continue
        if args.json:
            print(json.dumps(found.to_json()), flush=True)
        else:
            print("\n".join(printable(line) for line in found.lines()), flush=True)  # tag values too
    return 1 if failed else 0
