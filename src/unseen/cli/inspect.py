"""``unseen inspect FILE...``: what each file would give away if it were shared as is."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import UnseenError
from ..inspect import inspect_file
from .common import Parser, err


def main(argv: list[str]) -> int:
    p = Parser(prog="unseen inspect", description="Show what a photo or video gives away: "
               "GPS, dates, device, names, software, embedded previews, faces.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--no-faces", action="store_true", help="skip face detection (faster)")
    args = p.parse_args(argv)
    detector = None
    if not args.no_faces:
        from ..detect import Detector

        detector = Detector()
    failed = 0
    for path in args.files:
        try:
            found = inspect_file(path, detector)
        except UnseenError as exc:
            err(path, str(exc))
            failed += 1
            continue
        if args.json:
            print(json.dumps(found.to_json()), flush=True)
        else:
            print("\n".join(found.lines()), flush=True)
    return 1 if failed else 0
