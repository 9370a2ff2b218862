"""Command line: ``unseen PATH...`` and the subcommands ``inspect``, ``review``, ``verify``.

Thin on purpose: every decision is made in the library (``unseen.engine``, ``unseen.web``...).
One module per subcommand; nothing outside this package imports it.
Exit codes: 0 all files done, 1 some files failed (the others are still written), 2 usage error.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import heap
from ..errors import UnseenError
from .common import err, guard_streams, handle_signals, restore_signals, stdout_failure

SUBCOMMANDS = ("inspect", "review", "verify")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line as a call (tests, scripts): its exit code. The caller's handlers of SIGINT, SIGTERM
    and SIGHUP are in place again when it returns (``common.restore_signals``)."""
    previous = handle_signals()
    try:
        return _dispatch(argv)
    finally:
        restore_signals(previous)


def _dispatch(argv: Sequence[str] | None) -> int:
    """Run the subcommand ``argv`` names (the anonymiser by default) under ``handle_signals``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "inspect":
            from .inspect import main as run
        elif argv and argv[0] == "review":
            from .review import main as run
        elif argv and argv[0] == "verify":
            from .verify import main as run
        else:
            from .anonymize import main as run

            return run(argv)
        return run(argv[1:])
    except KeyboardInterrupt:
        err(None, "interrupted; no partial outputs were left")
        return 130
    except UnseenError as exc:
        err(None, str(exc))
        return 1


# Exit codes after which the process ends without tearing the interpreter down (``end``).
QUICK_EXIT = (0, 1)


# numpy's OpenBLAS starts one thread per core when numpy loads, at ~0.1 s of CPU, and unseen does no
# linear algebra worth a thread: its networks run on onnxruntime, on the detector's own pool. The
# command asks for one (a user's own setting wins): numpy's own threads cost 1.17x the CPU of a
# one-photo run and 1.03-1.06x of the 8 WIDER photos (docs/BENCHMARKS.md, "Start-up and exit").
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}


def run() -> NoReturn:
    """The ``unseen`` command (and ``python -m unseen``). A run whose reports could not be printed on
    stdout (``--json``) ends with one line saying so and exit 1, its files made (``Guarded``)."""
    choose_threads()
    no_core_dumps()
    heap.fewer_arenas()  # before any thread starts (docs/BENCHMARKS.md, "The C heap: arenas")
    guard_streams()
    handle_signals()  # not put back: after an interrupt the process ends deaf to more (``common._interrupt``)
    code = _dispatch(None)
    lost = stdout_failure()
    if lost and code in QUICK_EXIT:
        err(None, f"standard output failed ({lost}): reports after that were not printed")
        code = 1
    end(code)


def choose_threads() -> None:
    """Ask for BLAS_THREADS unless the user set them. Works only before numpy loads: nothing in this
    package has loaded it yet (``unseen/__init__.py`` imports lazily)."""
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)


def no_core_dumps() -> None:
    """A crash of this process leaves no core file: one holds the decoded, uncovered pixels of every
    photo in progress (a hunt, 2026-12-05, carved a face back out of one). The limit covers a core
    written to a file; the process is also made non-dumpable (Linux), which keeps the kernel from
    handing its memory to a core handler such as systemd-coredump, and other processes of the same user
    from reading it through ptrace or /proc/PID/mem."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no prctl (macOS), no CDLL(None) (Windows)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0


def end(code: int) -> NoReturn:
    """End the process with ``main``'s exit code, skipping the interpreter's teardown after a run.

    Why: when ``main`` returns 0 or 1, every file is finished: each output written and renamed into
    place or removed (``engine/output.py``), and the threads that write them joined. What would be
    left is the interpreter freeing numpy, onnxruntime, PyAV and the models object by object
    (docs/BENCHMARKS.md, "Start-up and exit", measures it). Exit handlers still run (a review page's
    or a Ray cluster's clean-up) and stdout and stderr are flushed. After an interrupt (130) or a
    usage error the process ends the ordinary way: a file's thread may still be running after the
    interrupt, and the ordinary exit waits for it to remove its temporary file (further signals are
    ignored meanwhile, ``common._interrupt``).
    """
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if code not in QUICK_EXIT or run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (``unseen ... --json | head``): nothing more can be said; None: started closed
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
