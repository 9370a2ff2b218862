"""A private temporary folder removed when this process ends, however it ends.

Why: the review page keeps the files dropped on it (originals: faces unmasked, metadata and all) in a
private temporary folder that the server removes when it stops. A server ended by SIGKILL, the OOM killer
or a crash could not: the originals stayed on disk until the next ``unseen review`` started (a hunt,
2026-12-06), which an ordinary run never did. The reaper is a small process of its own, in a session of
its own (a kill of the whole process group, or of the terminal, does not reach it), that waits on a pipe
only this process holds open; when the pipe closes, this process has ended or let the folder go, and the
reaper removes the folder. Power loss still leaves it: ``web.server.sweep_stale`` removes it at the next start.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

# Run with ``-I -S``: no site packages, no user paths; only the standard library. It ignores the terminal's
# signals (its own session has no terminal; a SIGTERM sent to it by name still ends it, leaving the folder
# to ``sweep_stale``).
_CODE = """import shutil, signal, sys
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
while sys.stdin.buffer.read(65536):
    pass
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class Reaper:
    """Removes ``folder`` once this process ends or calls ``close`` (after removing it itself)."""

    def __init__(self, folder: Path):
        self.proc: subprocess.Popen | None = None
        with contextlib.suppress(OSError):  # no reaper (no process left to start): the sweep still runs
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _CODE, str(folder)], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)

    def close(self) -> None:
        """Called once this process has removed the folder itself: the reaper is ended. Not left to see its pipe
        close: a child forked meanwhile holds the pipe open too, and the stop waited on it (a review, 2026-12-06)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
