"""What every subcommand shares: one-line errors, usage errors (exit 2), signals, printing through
a progress bar. Only the command line imports this package; the library never does."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

from ..errors import fsname, os_cause, printable  # noqa: F401 - the commands print through these
from ..interrupt import STOP_SIGNALS, STOP_WRITING, start_writing, unwatch_signals, watch_signals

_bar: Any = None  # the progress bar being drawn, if any: lines are printed through it


def say(line: str, stream: Any = None) -> None:
    """Print one line on stderr (or ``stream``), starting on a line of its own even while a
    progress bar is drawn."""
    stream = stream or sys.stderr
    if stream is None:  # started with stderr closed (``guard_streams``): print() would take stdout
        return
    if _bar is not None and stream is sys.stderr:
        _bar.write(line, file=stream)
    else:
        print(line, file=stream, flush=True)


def left_alone(passed: list[Path], skipped: list[Path], out_dir: Path | None) -> list[str]:
    """The note lines of what a run's (or a review's) folder walk left alone: photos and videos it did not take
    (hidden, linked, named as outputs), the sidecars that can tell where, when or who (``media.is_sidecar``),
    the other files. ``unseen review`` said none of them, and the run named three of each (a hunt, 2026-12-06)."""
    from ..media import is_sidecar

    def names(paths: list[Path]) -> str:
        more = f", and {len(paths) - NOTE_NAMES} more" if len(paths) > NOTE_NAMES else ""
        return ", ".join(fsname(p) for p in paths[:NOTE_NAMES]) + more

    where = f" (none copied into {fsname(out_dir)})" if out_dir is not None else ""
    lines = []
    if passed:
        lines.append(f"unseen: note: left {len(passed)} photo(s), video(s) or folder(s) alone, hidden, linked or "
                     f"named as unseen names its outputs (name one alone to run it again): {names(passed)}")
    sidecars = [p for p in skipped if is_sidecar(p)]
    if sidecars:
        lines.append(f"unseen: note: left {len(sidecars)} sidecar file(s) alone that can tell where, when or who "
                     f"(GPS, dates, thumbnails; never publish them beside the outputs): {names(sidecars)}{where}")
    others = [p for p in skipped if not is_sidecar(p)]
    if others:
        lines.append(f"unseen: note: left {len(others)} file(s) alone that are not photos or videos: "
                     f"{names(others)}{where}")
    return lines


NOTE_NAMES = 8  # files a note names before "and N more"


def err(path: str | Path | None, message: str) -> None:
    """``unseen: PATH: message`` on one line (the contract for every per-file failure). The message
    names paths too (an output that exists, a folder that cannot be written), so it is made
    ``printable`` as the path is, after its own line breaks (a decoder's words) are joined by spaces."""
    prefix = f"unseen: {fsname(path)}: " if path else "unseen: "
    say(prefix + printable(" ".join(message.strip("\n").split("\n"))))


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2: argparse's usage, then the error itself on one line."""

    def error(self, message: str):  # noqa: D102
        if sys.stderr is not None:  # closed: argparse would print the usage on stdout, where --json goes
            self.print_usage(sys.stderr)
        self.refuse(message)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # noqa: D102
        # A file named like a short option glued to its value: `unseen *.jpg` in a folder holding "-o.jpg"
        # read it as `-o .jpg`, left that photo uncovered and wrote the rest into a hidden folder ".jpg",
        # exit 0 (a hunt, 2026-12-06). Refused, as GNU tools do, before anything is read or written.
        for a in sys.argv[1:] if args is None else args:
            if a == "--":
                break
            if isinstance(a, str) and len(a) > 2 and a[0] == "-" and a[1] != "-" and os.path.lexists(a):
                self.refuse(f"{a}: a file named like an option (read as {a[:2]} {a[2:]}); name it ./{a}, "
                            "or after --")
        return super().parse_known_args(args, namespace)

    def refuse(self, message: str) -> NoReturn:
        """A usage error about a file the run was given (a ``--boxes`` file): that file's one line, exit 2,
        without the usage above it: the options were typed right, the file is what is wrong."""
        err(None, message)
        raise SystemExit(2)


def _interrupt(signum: int, _frame: Any) -> None:
    """The first signal stops the run (KeyboardInterrupt in the main thread) and has the later ones
    ignored: raised again, one landed in the interpreter's own shutdown, which waits for the threads
    removing their temporary files, and three SIGTERMs 0.1 s apart ended in an abort (exit 134) with a
    traceback, and a core file holding the photos' uncovered pixels (a hunt, 2026-12-05); only ignored
    does one not kill the process on its way out (Python puts back the default action of the signals it
    handles as it ends, not of those ignored). The run is ending: nothing is left for them to stop.
    ``cli.main`` puts its caller's handlers back as it returns (``restore_signals``)."""
    STOP_WRITING.set()  # files other threads are finishing are not put in place after "interrupted"
    ignore_signals()
    raise KeyboardInterrupt


def ignore_signals() -> None:
    """SIGINT, SIGTERM and SIGHUP ignored from now on (the main thread only)."""
    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)


def handle_signals() -> dict[int, Any]:
    """Ctrl-C, SIGTERM (kill) and SIGHUP (the terminal closed) clean up alike: temporary files and
    folders are removed, and no output is given its name after the signal (``STOP_WRITING``: the
    photos two threads were finishing were put in place after "interrupted; no partial outputs were
    left", and no report named them). Returns the handlers it replaced (``restore_signals``). A new
    run starts uninterrupted: a library caller's second run after a Ctrl-C failed every file with
    "interrupted". Only the main thread can set handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    start_writing()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    watch_signals()
    return previous


def restore_signals(previous: dict[int, Any]) -> None:
    """Put back the handlers ``handle_signals`` replaced: a library caller of ``cli.main`` was left
    ignoring SIGINT, SIGTERM and SIGHUP after a Ctrl-C (``_interrupt``), and so were the processes it
    started (a hunt, 2026-12-05). One not set from Python (None) is left as it is."""
    for sig, handler in previous.items():
        if handler is not None:
            signal.signal(sig, handler)
    unwatch_signals()


class progress_bar:  # noqa: N801 - used like a function
    """A tqdm bar on stderr that error lines are printed through (``say``)."""

    def __init__(self, total: int | None, unit: str, desc: str | None = None):
        from tqdm import tqdm

        global _bar
        # No stderr (started with it closed): a bar that draws nothing, not one that fails every file.
        self.bar = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True,
                        disable=sys.stderr is None)
        _bar = self.bar

    def update(self, n: int = 1) -> None:
        self.bar.update(n)

    def set(self, done: int, total: int) -> None:
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        global _bar
        self.bar.close()
        if _bar is self.bar:
            _bar = None


class LazyBar:
    """Frame progress for a single video: the bar appears when the first frame is reported; with
    ``--verify`` (or ``unseen verify``) a bar counts the frames checked (``verifying``)."""

    def __init__(self, name: str):
        self.name, self.bar, self.stage = fsname(name), None, ""  # the bar shows the file's name

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        if self.bar is not None and stage != self.stage:
            self.bar.close()
            self.bar = None
        if self.bar is None:
            self.stage = stage
            self.bar = progress_bar(total or None, "frame", f"{self.name} ({stage})" if stage else self.name)
        self.bar.set(done, total)

    def verifying(self, done: int, total: int) -> None:
        self(done, total, "verify")

    def analysing(self, done: int, total: int) -> None:
        """Frames analysed, for a video written only once its analysis is done (frames larger than 4K DCI)."""
        self(done, total, "analyse")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Guarded:
    """A standard stream whose failure (a pipe whose reader went away, a full disk) is noted, not
    raised: a run goes on making its files when its reports can no longer be printed (``--json |
    head`` stopped it with a traceback, and stderr on a full disk stopped it before its first file),
    and ``run`` says so at the end. Everything else is the stream's own."""

    def __init__(self, stream: Any):
        self.stream, self.failure = stream, ""

    def write(self, text: str) -> int:
        if not self.failure:
            try:
                return self.stream.write(text)
            except (OSError, ValueError) as exc:  # ValueError: written after it was closed
                self.failure = os_cause(exc)
        return len(text)

    def flush(self) -> None:
        if not self.failure:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self.failure = os_cause(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def guard_streams() -> None:
    """Put ``Guarded`` around stdout and stderr (None when the process was started with one closed:
    nothing is printed there, which is no failure)."""
    if sys.stdout is not None and not isinstance(sys.stdout, Guarded):
        with contextlib.suppress(AttributeError, ValueError):  # a stream of another kind keeps its own rule
            # a character the terminal's encoding lacks (PYTHONIOENCODING=ascii, an Artist "José") is
            # written escaped, as stderr does: it ended every report after it ("standard output failed")
            sys.stdout.reconfigure(errors="backslashreplace")
        sys.stdout = Guarded(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, Guarded):
        sys.stderr = Guarded(sys.stderr)


def stdout_failure() -> str:
    """Why printing to stdout failed during the run, or ""."""
    return getattr(sys.stdout, "failure", "")
