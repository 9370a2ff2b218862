"""Whether the run has been interrupted (Ctrl-C, SIGTERM, SIGHUP), for every layer to ask.

The command line sets the flag in its signal handler (``cli.common``); writing an output refuses to
give a file its name once it is set (``engine.output.atomic_output``), and the long loops (a video's
frames, a photo's detector tiles) end at their next step (``check``): after the first Ctrl-C a
9000 x 6000 photo went on with its detection for ~20 s, and a video the review page was saving went on
encoding past the page's 10 s wait, so the quick exit left its hidden temporary file behind (hunts,
2026-12-05). The flag lives here, below the engine and the detectors, so both can read it without
importing each other. Nothing here installs handlers: a library caller that never sets the flag is
never stopped by it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from .errors import UnseenError

# Set when the run is interrupted (the command's signal handler): a file still being finished by
# another thread is then removed, not given its name.
STOP_WRITING = threading.Event()
STOP_SIGNALS = {int(getattr(signal, n)) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
_signals: int | None = None  # read end of the pipe the interpreter writes each caught signal to
_pipe: tuple[int, int, int] | None = None  # its read and write ends, and the wakeup fd it replaced
_read_lock = threading.Lock()


def watch_signals() -> None:
    """Have the interpreter note each signal it catches at once, not only when its handler runs.

    Python runs a signal's handler in the main thread between two steps of its own; while that thread
    is inside a long call (a detector's pass, ~0.4 s) the handler waits, and another thread finishing a
    photo gave it its name 0.4 s after SIGTERM (tests/test_kill_safety.py, under load). The wakeup fd is
    written by the C-level handler as the signal arrives, so ``stopped`` sees it before the handler
    runs. The main thread only (``signal.set_wakeup_fd``); elsewhere this does nothing."""
    global _signals, _pipe
    if threading.current_thread() is not threading.main_thread() or _signals is not None:
        return
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    _pipe = read, write, signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    _signals = read


def unwatch_signals() -> None:
    """Undo ``watch_signals`` (the wakeup fd it replaced is put back) and forget the run's interrupt: a
    library caller of ``cli.main`` that caught its own Ctrl-C later (a notebook) had the signal read from
    the pipe left behind, and every ``anonymize_image`` after it failed "interrupted" (a review, 2026-12-06).
    The main thread only."""
    global _signals, _pipe
    if threading.current_thread() is not threading.main_thread() or _pipe is None:
        return
    read, write, previous = _pipe
    with _read_lock:
        signal.set_wakeup_fd(previous)
        _signals, _pipe = None, None
        os.close(read)
        os.close(write)
    STOP_WRITING.clear()


def stopped() -> bool:
    """Has the run been interrupted (``STOP_WRITING``), or has one of the signals that interrupt it
    (``STOP_SIGNALS``) arrived (``watch_signals``) whose handler has not run yet? The pipe carries
    every signal Python handles (a library's own too), so each byte is the signal's number."""
    if STOP_WRITING.is_set():
        return True
    if _signals is not None:
        with _read_lock, contextlib.suppress(BlockingIOError):
            if set(os.read(_signals, 256)) & STOP_SIGNALS:
                STOP_WRITING.set()
    return STOP_WRITING.is_set()


def check() -> None:
    """Raise "interrupted" once the run is (``stopped``): a long loop's next step is not taken. An error,
    never an empty answer: a detector that found nothing because it was stopped must not read as a
    picture with no faces (``unseen verify`` would pass it)."""
    if stopped():
        raise UnseenError("interrupted")


def start_writing() -> None:
    """A new run may name its outputs: forget an earlier run's interrupt, and the signals it caught that
    ``stopped`` has not read (they would stop this run as it names its first output)."""
    if _signals is not None:
        with _read_lock, contextlib.suppress(BlockingIOError):
            while os.read(_signals, 256):
                pass
    STOP_WRITING.clear()
