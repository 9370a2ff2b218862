"""The cluster engine's watchdog: the files a run never reported on, said when Ray ends the run.

Why: when the raylet of this machine dies (killed, out of memory), Ray's core ends the driver at once
(``QuickExit``: no ``finally``, no ``atexit``). In a hunt (2026-12-05) 10 of 19 files were left
without a word: exit 1, no line, nothing in ``--json``, and the cluster's folder was left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal

from ..errors import fsname
from .plan import Job

# What a file the driver never reported on is told, when Ray ended the driver.
DRIVER_LOST = ("the run stopped before this file was done: its process was ended (killed, out of memory, or "
               "by Ray when this machine's raylet died); an output under its name is complete if there is one; "
               "run again with --skip-existing")
_DONE, _TEMP = 2**64 - 1, 2**64 - 2  # the watchdog's two messages besides a job's index


class Watchdog:
    """A forked process that outlives this one to say which files got no report.

    Forked before Ray starts (the jobs are its copy of this process's memory). This process sends it
    the index of each file reported, the cluster folder the run made, and "done" on every way out it
    controls. A pipe closed without "done" means this process was ended: the watchdog writes
    ``unseen: PATH: DRIVER_LOST`` for each file left, deletes that folder, and exits. It writes with
    ``os.write`` only and ignores the terminal's signals, which the run handles itself."""

    def __init__(self, jobs: list[Job]):
        self.index = {id(job): i for i, job in enumerate(jobs)}
        read, self.fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the watchdog
            os.close(self.fd)
            with contextlib.suppress(OSError):  # a session of its own: a SIGKILL sent to the whole process group
                os.setsid()  # (`kill -KILL -- -PGID`) ended it too, and the cluster's folder stayed (a cgroup's kill
                # still ends it: it is in the run's cgroup)
            code = 0
            try:
                _watch(read, jobs)
            except BaseException:  # noqa: BLE001 - never a traceback from here, never back into the run
                code = 1
            os._exit(code)
        os.close(read)
        self.pid = pid

    def send(self, what: int, data: bytes = b"") -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, what.to_bytes(8, "little") + (len(data).to_bytes(8, "little") + data if data else b""))

    def deletes(self, folder: str) -> None:
        """Have the watchdog delete ``folder`` (the cluster's) if this process is ended."""
        self.send(_TEMP, os.fsencode(folder))

    def reported(self, job: Job) -> None:
        i = self.index.get(id(job))
        if i is not None:
            self.send(i)

    def close(self) -> None:
        self.send(_DONE)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(OSError, ChildProcessError):
            os.waitpid(self.pid, 0)


def _watch(fd: int, jobs: list[Job]) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    left = bytearray(b"\1") * len(jobs)
    temp_dir: bytes | None = None
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
        while len(data) >= 8:
            what = int.from_bytes(data[:8], "little")
            if what == _DONE:
                return
            if what == _TEMP:
                if len(data) < 16 or len(data) < 16 + int.from_bytes(data[8:16], "little"):
                    break  # the rest of the path is still on its way
                n = int.from_bytes(data[8:16], "little")
                temp_dir, data = data[16:16 + n], data[16 + n:]
                continue
            left[what] = 0
            data = data[8:]
    for i, job in enumerate(jobs):
        if left[i]:
            line = f"unseen: {fsname(job.src)}: {DRIVER_LOST}\n".encode("utf-8", "backslashreplace")
            with contextlib.suppress(OSError):
                os.write(2, line)
    if temp_dir is not None:
        shutil.rmtree(temp_dir, ignore_errors=True)
