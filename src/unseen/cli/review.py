"""``unseen review [PATH...]``: serve the review page on 127.0.0.1 until Ctrl-C (or SIGTERM, SIGHUP)."""

from __future__ import annotations

import contextlib
import os
import sys
import webbrowser
from pathlib import Path

from ..mask import STYLES
from ..web.server import DEFAULT_MAX_UPLOAD_MB, HOST, ReviewServer
from .common import Parser, err, handle_signals, left_alone, say


def main(argv: list[str]) -> int:
    p = Parser(
        prog="unseen review",
        description="Open a local page to check and correct every detection before publishing. "
        "Saving writes NAME.unseen.EXT and the reviewed regions as NAME.unseen.json beside each input. "
        "With -o DIR, the output keeps the input's own name (NAME.EXT, in DIR under the same sub-folders) "
        "and the regions go beside it as DIR/NAME.unseen.json. The page shows the name before saving.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="photos, videos or folders (more can be dropped onto the page)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("-o", "--output", type=Path,
                   help="write outputs into this folder, under the input's own name")
    p.add_argument("--style", choices=STYLES, default="fill", help="initial masking style (default fill)")
    p.add_argument("--max-upload", type=float, default=DEFAULT_MAX_UPLOAD_MB,
                   help=f"largest file that can be dropped onto the page, in MB (default {DEFAULT_MAX_UPLOAD_MB})")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("--port must be between 0 and 65535")
    if args.max_upload <= 0:
        p.error("--max-upload must be positive")
    try:
        server = ReviewServer(args.paths, output=args.output, style=args.style, port=args.port,
                              max_upload=int(args.max_upload * 1024 * 1024), verbose=args.verbose)
    except OSError as exc:
        err(None, f"cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
        return 1
    for problem in server.errors:
        err(None, problem)
    for line in left_alone(server.passed, server.skipped, args.output):
        say(line)
    if args.paths and not server.items:
        err(None, "no photos or videos found in the given paths")
        server.stop()
        return 1
    print(f"unseen review: {server.url}", flush=True)
    say("Open that address in a browser on this computer. Press Ctrl+C to stop; temporary files are then removed.")
    handle_signals()  # SIGTERM and SIGHUP (terminal closed) stop the server and remove temp files
    try:
        server.start()
        if not args.no_browser:
            _open_browser(server.browser_file().as_uri())
        while server.running:
            server.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    for src in server.unsaved:
        err(src, "stopped while it was being saved: no output written for it")
    return 1 if server.unsaved else 0


def _open_browser(url: str) -> None:
    """Open a graphical browser on a local redirect file (the token stays off its command line);
    never a console browser, which would take over this terminal."""
    headless = (sys.platform.startswith("linux") and not os.environ.get("BROWSER")
                and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))
    opened = False
    if not headless:
        with contextlib.suppress(Exception):
            opened = webbrowser.open(url)
    if not opened:
        say("unseen: no browser opened; open the address above yourself")
