"""``unseen inspect FILE...``: what each file would give away if it were shared as is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .errors import UnseenError
from .files import is_video
from .metadata import Findings, inspect_image


def main(argv: list[str]) -> int:
    from .cli import _Parser, err

    p = _Parser(prog="unseen inspect", description="Show what a photo or video gives away: "
                "GPS, dates, device, names, software, embedded previews, faces.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--no-faces", action="store_true", help="skip face detection (faster)")
    args = p.parse_args(argv)
    detector = None
    if not args.no_faces:
        from .detect import Detector

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


def inspect_file(path: Path, detector=None) -> Findings:
    """Inspect one image or video; raise UnseenError with a one-line cause on unreadable files."""
    if not path.is_file():
        raise UnseenError("no such file" if not path.exists() else "not a regular file")
    if is_video(path):
        from .media.video import inspect_video

        try:
            return inspect_video(path, detector)
        except UnseenError:
            raise
        except Exception as exc:  # any demuxer oddity: one line, no traceback
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UnseenError(f"cannot read video: {reason}") from None
    from .media import image as image_io

    def count(im) -> int:
        return len(detector.detect(np.asarray(im.convert("RGB")))) if detector else 0

    try:
        found = inspect_image(path, count if detector else None)
    except Exception as exc:  # any parser failure: one line, no traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnseenError(f"cannot read image: {reason}") from None
    if detector is not None:
        img = image_io.read(path)
        found.faces = len(detector.detect(img.frames[0]))
    return found


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
