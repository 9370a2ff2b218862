"""The cluster engine (``--engine ray``): the files of a run spread over a Ray cluster.

Same interface as ``local.run``: ``(job, report)`` pairs, here in the order files finish. Every file
still goes through ``file.anonymize_file`` (so the same pixels, the same atomic writes, the same
reports), only in Ray worker processes, which write their outputs straight to OUT: OUT and the
inputs must be on a filesystem every node sees under the same path. Why Ray tasks rather than Ray
Data or an actor pool, and how it scales: docs/SCALE.md.

* **Work**: one streaming task per video (longest first) and one per batch of ``PHOTO_BATCH``
  photos; each task yields one report per file as it finishes. Each worker process builds the
  detector once and keeps it for every later task (``_detector``). At most ``WINDOW_PER_CPU`` tasks
  per cluster CPU are in flight, so a million-photo run never queues a million task specs.
* **Faults**: a bad file fails alone (its report says why). A worker process that dies (killed,
  out of memory, node lost) leaves at most a hidden temporary file; the driver retries the file it
  was on, up to ``MAX_ATTEMPTS`` times, and the rest of its batch, so the run still ends with every
  output written. Retries are made here rather than by Ray's ``max_retries`` because the retried
  file must know it is one: the lost attempt may have finished writing its output just before it
  died, so a retry counts an existing output as skipped instead of failing on it.
* **Interrupt** (Ctrl-C, SIGTERM, or the caller closing the iterator): every task in flight is
  cancelled (Ray raises KeyboardInterrupt in it, so its temporary file is removed, as locally), the
  driver waits for them to stop, then shuts down the cluster if it started it.
* **Nothing leaves the machine**: a cluster this engine starts listens on loopback only, with usage
  stats off, no dashboard, token authentication with a token of its own (not ``~/.ray/auth_token``),
  and a dead HTTP proxy for Ray's own processes (Ray's API server asks cloud metadata addresses which
  cloud it runs on even with usage stats off); its session folder (logs, sockets, the token) is
  private to the run and deleted afterwards. A cluster named
  by ``RAY_ADDRESS`` is the user's: docs/SCALE.md says how to start one that stays quiet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, heap
from ..errors import UnseenError, first_line
from ..media import is_video
from ..options import Options
from ..report import Report
from .file import anonymize_file, new_report, skipped_report
from .plan import Job
from .watchdog import Watchdog

PHOTO_BATCH = 8  # photos per task: ~8 s of work, so a lost worker redoes little and the end of a run stays balanced
MAX_ATTEMPTS = 3  # a file whose worker is lost this many times fails (one line) instead of being retried again
WINDOW_PER_CPU = 2  # tasks in flight per cluster CPU: enough that no CPU waits for the driver
CANCEL_WAIT = 30.0  # seconds to wait for cancelled tasks to remove their temporary files
# Environment of a cluster this engine starts (its processes inherit it); see the module docstring.
DEAD_PROXY = "http://127.0.0.1:9"
# Ray reads some of it when it is imported, so ``ray`` is imported only after it is set (``_Session``).
LOCAL_CLUSTER_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # on Linux too: the node's address is 127.0.0.1
    "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY, "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY,
    "no_proxy": "", "NO_PROXY": "",
}
# Joining a cluster (RAY_ADDRESS): only the driver's own settings are ours to make.
CONNECT_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}
# Ray's C++ core logs its warnings (retries while connecting...) on the driver's stderr; this engine
# says what matters in one line. A user who sets RAY_BACKEND_LOG_LEVEL keeps their choice.
QUIET_ENV = {"RAY_BACKEND_LOG_LEVEL": "error"}
# Lost workers: what the user is told (the exception's own text is a page of Ray internals).
LOST = {
    "WorkerCrashedError": "its Ray worker process died (killed, out of memory or crashed)",
    "OutOfMemoryError": "Ray stopped its worker: the node was out of memory",
    "NodeDiedError": "the Ray node running it was lost",
    "ObjectLostError": "its result was lost with a Ray node",
    "OwnerDiedError": "its result was lost with a Ray node",
    "TaskCancelledError": "its Ray task was cancelled from outside this run",
    "RaySystemError": "Ray failed while running it",
}

Notice = Callable[[str], None]

# --------------------------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------------------------

_DETECTORS: dict[tuple[str, float, tuple[str, ...]], Any] = {}


def _detector(options: Options) -> Any:
    """The detector for these options, built once per worker process (its models load on first use)."""
    key = (options.preset, options.threshold, options.cover)  # what make_detector depends on
    if key not in _DETECTORS:
        _DETECTORS[key] = options.make_detector()
    return _DETECTORS[key]


def _anonymize(jobs: list[Job], options: Options, retried: list[bool], version: str) -> Iterator[Report]:
    """One report per job, yielded as each file is done (the driver sees progress and, if this
    worker dies, exactly which files are left). Runs as a Ray task (``_Run``: ``_remote``)."""
    if version != __version__:
        for job in jobs:
            yield new_report(job, options, status="error",
                             error=f"this Ray node runs unseen {__version__}, the driver {version}: install the "
                             "same version on every node")
        return
    heap.fewer_arenas()  # as the command does; a worker's threads already started keep their arenas
    detector = _detector(options)
    for job, again in zip(jobs, retried, strict=True):
        # A retried file may have been written by the lost attempt just before it died.
        opts = dataclasses.replace(options, skip_existing=True) if again and not options.force else options
        yield anonymize_file(job, opts, detector)


# --------------------------------------------------------------------------------------------
# driver side
# --------------------------------------------------------------------------------------------

@dataclass
class _Item:
    job: Job  # as planned, paths as the user gave them (what reports show)
    shipped: Job  # absolute paths: Ray workers do not run in the driver's folder
    attempt: int = 0  # attempts lost so far


@dataclass
class _Task:
    items: list[_Item]
    done: int = 0  # reports received


def _absolute(job: Job) -> Job:
    """The job with paths a worker in another folder opens as this one would: joined to the driver's
    folder, not normalised (``os.path.abspath`` takes ``link/..`` for the link's own folder)."""
    return dataclasses.replace(job, src=Path.cwd() / job.src, out_dir=Path.cwd() / job.out_dir)


def _as_given(report: Report, item: _Item) -> Report:
    """The worker's report with the paths written as the user gave them, like the local engine's."""
    report.input = str(item.job.src)
    shipped, given = str(item.shipped.out_dir), str(item.job.out_dir)
    if shipped != given:
        def back(text: str) -> str:
            return text.replace(shipped, given)

        report.output = back(report.output) if report.output else report.output
        report.error = back(report.error) if report.error else report.error
        report.notes = [back(n) for n in report.notes]
        report.warnings = [back(w) for w in report.warnings]
    return report


def _visible(report: Report) -> Report:
    """An output a worker wrote must be where the driver expects it: a node writing to a local disk
    instead of the shared one would leave the published folder silently incomplete."""
    if report.status != "ok" or not report.output:
        return report
    out = Path(report.output)
    if out.exists():
        return report
    for _ in range(3):  # NFS may cache "no such file" from an earlier look-up: list the folder afresh
        with contextlib.suppress(OSError):
            if out.name in os.listdir(out.parent):
                return report
        time.sleep(0.5)
    report.status, report.output = "error", None
    report.error = (f"a Ray worker wrote {out} but it is not visible here: inputs and OUT must be on a filesystem "
                    "every node shares under the same path")
    return report


def _lost_cause(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None) or exc
    for name in {type(exc).__name__, type(cause).__name__}:
        if name in LOST:
            return LOST[name]
    return "its Ray task failed: " + first_line(cause)


class _Run:
    """The dispatch loop: tasks in a bounded window, reports out as they come, lost files retried."""

    def __init__(self, ray: Any, jobs: list[Job], options: Options, notice: Notice | None):
        self.ray, self.options, self.notice = ray, options, notice
        # Ray's own retries are off: a retried file must know it is one (``_lost``).
        self.remote = ray.remote(num_returns="streaming", max_retries=0, num_cpus=1)(_anonymize)
        self.queue: deque[list[_Item]] = deque()  # retries and the rest of lost batches: first
        self.ready: deque[tuple[Job, Report]] = deque()  # reports made on the driver (skips, give-ups)
        # Videos first, longest first (a shorter run); photos are batched as the window needs them,
        # so a million-file run holds no second copy of its jobs and resumes without a long pause.
        self.videos = deque(sorted((j for j in jobs if is_video(j.src)), key=lambda j: _size(j.src), reverse=True))
        self.photos = (j for j in jobs if not is_video(j.src))
        self.inflight: dict[Any, _Task] = {}
        self.options_ref = ray.put(options)  # once, not once per task
        self.window, self.window_at = 2, 0.0
        self.more = True  # files left to send (``_lost`` sets it again when it queues a retry)

    def _next_batch(self) -> list[_Item] | None:
        """The next files to send: one video, or up to PHOTO_BATCH photos (videos all come first, so
        a batch never mixes them); [] when reports made here should be yielded first, None when
        nothing is left. Finished files (``--skip-existing``) are reported here and never sent."""
        if self.queue:
            return self.queue.popleft()
        batch: list[_Item] = []
        while len(self.ready) < 1000:
            job = self.videos.popleft() if self.videos else next(self.photos, None)
            if job is None:
                return batch or None
            skipped = skipped_report(job, self.options)
            if skipped is not None:
                self.ready.append((job, skipped))
                continue
            batch.append(_Item(job, _absolute(job)))
            if is_video(job.src) or len(batch) == PHOTO_BATCH:
                break
        return batch

    def __iter__(self) -> Iterator[tuple[Job, Report]]:
        try:
            while self.queue or self.inflight or self.ready or self.more:
                while self.ready:
                    yield self.ready.popleft()
                self._fill()
                if not self.inflight:
                    continue
                done, _ = self.ray.wait(list(self.inflight), num_returns=1, timeout=0.5, fetch_local=False)
                for gen in done:
                    yield from self._collect(gen)
        finally:
            if self.inflight:
                self._cancel()

    def _fill(self) -> None:
        now = time.monotonic()
        if now - self.window_at > 10:  # the cluster may grow or shrink during a long run
            cpus = self.ray.cluster_resources().get("CPU", 1)
            self.window, self.window_at = max(2, int(WINDOW_PER_CPU * cpus)), now
        while self.more and len(self.inflight) < self.window:
            items = self._next_batch()
            if items is None:
                self.more = False
            if not items:
                break
            gen = self.remote.remote([it.shipped for it in items], self.options_ref,
                                    [it.attempt > 0 for it in items], __version__)
            self.inflight[gen] = _Task(items)

    def _collect(self, gen: Any) -> Iterator[tuple[Job, Report]]:
        task = self.inflight[gen]
        try:
            report = self.ray.get(next(gen))
        except StopIteration:
            del self.inflight[gen]
            if task.done < len(task.items):  # cannot happen: the task yields one report per job
                self._lost(task, "its Ray task ended early")
            return
        except self.ray.exceptions.RayError as exc:
            del self.inflight[gen]
            self._lost(task, _lost_cause(exc))
            return
        item = task.items[task.done]
        task.done += 1
        if item.attempt and report.status == "skipped" and not self.options.skip_existing:
            report.notes = [n for n in report.notes if "--skip-existing" not in n]
            report.notes.append("output exists: written by the attempt whose Ray worker was lost, or before this run")
        yield item.job, _visible(_as_given(report, item))

    def _lost(self, task: _Task, cause: str) -> None:
        """The worker is gone: retry the file it was on, queue the files it had not started."""
        rest = task.items[task.done:]
        if not rest:
            return
        current, untouched = rest[0], rest[1:]
        self.more = True
        if untouched:
            self.queue.appendleft(untouched)
        current.attempt += 1
        if current.attempt >= MAX_ATTEMPTS:
            self.ready.append((current.job, new_report(current.job, self.options, status="error",
                                                       error=f"gave up after {current.attempt} attempts: {cause}")))
            return
        if self.notice is not None:
            self.notice(f"{current.job.src}: {cause}; retrying (attempt {current.attempt + 1} of {MAX_ATTEMPTS})")
        self.queue.appendleft([current])

    def _cancel(self) -> None:
        """Stop every task in flight and wait until they have removed their temporary files."""
        for gen in self.inflight:
            with contextlib.suppress(Exception):
                self.ray.cancel(gen)
        deadline = time.monotonic() + CANCEL_WAIT
        pending = list(self.inflight)
        while pending and time.monotonic() < deadline:
            done, pending = self.ray.wait(pending, num_returns=1, timeout=max(0.0, deadline - time.monotonic()),
                                          fetch_local=False)
            for gen in done:
                try:
                    self.ray.get(next(gen))
                    pending.append(gen)  # a report that raced the cancel: drain to the end
                except StopIteration:
                    pass
                except Exception:  # noqa: BLE001 - cancelled, as asked
                    pass
        self.inflight.clear()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------------------------
# the cluster: connect to one, or start one that stays on this machine
# --------------------------------------------------------------------------------------------

class _Session:
    """Ray for the length of one run: joined if this process is already connected, connected to
    ``RAY_ADDRESS``, or started on this machine (then shut down, its session folder deleted)."""

    def __init__(self, num_cpus: int | None, notice: Notice | None):
        self.owned = False  # we called ray.init (so we call ray.shutdown)
        self.temp_dir: str | None = None
        self.saved_env: dict[str, str | None] = {}
        self.saved: list[tuple[Any, str, Any]] = []  # (module, attribute, value) to put back
        self.why = ""  # what Ray logged when it could not start or connect
        address = os.environ.get("RAY_ADDRESS")
        already = _ray_running()
        if not already:
            env = dict(CONNECT_ENV) if address else dict(LOCAL_CLUSTER_ENV)
            if address and _loopback(address):  # a cluster on this machine's loopback (one started
                env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # as above): Ray would rewrite 127.0.0.1
            env.update({k: v for k, v in QUIET_ENV.items() if k not in os.environ})
            if not address:
                # Ray makes its session folder readable and writable by every user: it goes inside one
                # that is this user's alone (mkdtemp's mode), so no one else reads its logs or plants files.
                self.temp_dir = tempfile.mkdtemp(prefix="unseen-ray-")
                if "RAY_AUTH_TOKEN" not in os.environ:
                    env.update(_run_token(self.temp_dir))
            self._set_env(env)
        try:
            import ray
            import ray.exceptions
        except BaseException:
            self.close()
            raise

        self.ray = ray
        if already:  # a program that already uses Ray (and the tests)
            return
        if "RAY_AUTH_TOKEN_PATH" in self.saved_env:  # the run's own token: Ray, if imported before us,
            _reload_token_settings()  # has read the settings it had then
        sigterm = signal.getsignal(signal.SIGTERM)
        try:
            if address:
                if _loopback(address):
                    self._patch("ray._private.ray_constants", "ENABLE_RAY_CLUSTER", False)  # if imported before us
                self._init(address=address)
                what = f"connected to the Ray cluster at {address}"
            else:
                _loopback_works()
                self._patch("ray._private.ray_constants", "ENABLE_RAY_CLUSTER", False)  # if imported before us
                assert self.temp_dir is not None
                self._init(address="local", num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False,
                           _temp_dir=os.path.join(self.temp_dir, "ray"))
                what = "started a Ray cluster on this machine (loopback only, usage stats off, no dashboard)"
        except BaseException as exc:
            self.close()
            if isinstance(exc, Exception):
                hint = ("; Ray's socket paths live under TMPDIR, whose path is too long for them: set TMPDIR to a "
                        "shorter folder, such as /tmp") if "AF_UNIX path length" in str(exc) else ""  # a hunt
                raise UnseenError(f"cannot start or reach the Ray cluster: {first_line(exc)}{self.why}{hint}") from None
            raise
        finally:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, sigterm)  # ray.init replaced it with sys.exit
        if notice is not None:
            cpus = int(ray.cluster_resources().get("CPU", 0))
            nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
            notice(f"{what}: {cpus} CPU(s) on {nodes} node(s)")

    def _set_env(self, env: dict[str, str]) -> None:
        self.saved_env = {k: os.environ.get(k) for k in env}
        os.environ.update(env)

    def _patch(self, module: str, name: str, value: Any) -> None:
        mod = sys.modules.get(module)
        if mod is not None and hasattr(mod, name):
            self.saved.append((mod, name, getattr(mod, name)))
            setattr(mod, name, value)

    def _init(self, **kwargs: Any) -> None:
        self.owned = True
        # Ray's C++ core logs to the process's stderr while it connects (a retry a second, before its
        # own log settings apply): keep those lines for the one-line error instead of printing them.
        with tempfile.TemporaryFile() as log:
            saved = os.dup(2)
            os.dup2(log.fileno(), 2)
            try:
                self.ray.init(log_to_driver=False, logging_level=logging.ERROR, **kwargs)
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                log.seek(0)
                lines = [ln.split("] ", 1)[-1] for ln in log.read().decode("utf-8", "replace").splitlines()
                         if ln.strip()]
                self.why = f" ({lines[-1][:300]})" if lines else ""
                if any("InvalidAuthToken" in ln for ln in lines):
                    self.why += "; for a cluster with token authentication set RAY_AUTH_MODE=token (Ray's convention)"
        # Ray prints a page to stderr when a worker dies; this engine says it in one line instead.
        self._patch("ray._private.worker", "print_to_stdstream",
                    lambda data, **kw: logging.getLogger("ray").debug("%s", data))

    def close(self) -> None:
        if self.owned:
            with contextlib.suppress(Exception):
                self.ray.shutdown()
            self.owned = False
        for mod, name, value in reversed(self.saved):
            setattr(mod, name, value)
        self.saved = []
        for key, value in self.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self.saved_env = {}
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None


def _run_token(folder: str) -> dict[str, str]:
    """The settings that give a cluster started here a token of its own, in ``folder`` (this user's
    alone, deleted after the run). Left to itself Ray writes one to ``~/.ray/auth_token``, readable
    by every user, kept after the run and used again by every later one: anyone who can read it can
    run code in the cluster of a later run while it reads someone's originals."""
    path = os.path.join(folder, "auth_token")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": path}


def _reload_token_settings() -> None:
    """Make Ray read the authentication settings again (what its own ``ray.init`` does after turning
    token authentication on): a process that imported Ray before this run has cached the old ones."""
    with contextlib.suppress(Exception):  # Ray's internals: a later version may differ
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()


def _loopback_works() -> None:
    """A cluster started here talks over 127.0.0.1; without it (a network namespace with the loopback
    interface down) Ray retries for minutes without a word: say so at once."""
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            socket.create_connection(server.getsockname(), timeout=5).close()
    except OSError as exc:
        why = exc.strerror or exc
        raise UnseenError(f"this machine's loopback network (127.0.0.1) does not work ({why})") from None


def _loopback(address: str) -> bool:
    """``RAY_ADDRESS`` names this machine's loopback (``127.0.0.1:6379``, ``localhost:6379``)."""
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host == "localhost" or host == "::1" or host.startswith("127.")


def run(jobs: list[Job], options: Options, progress_for: Any = None, *, notice: Notice | None = None,
        num_cpus: int | None = None) -> Iterator[tuple[Job, Report]]:
    """Yield ``(job, report)`` for every job as its file finishes somewhere on the cluster.

    ``progress_for`` is accepted for the local engine's interface and not used: a file's frames are
    counted in a worker process, so progress is per file. ``notice`` gets one-line notes (which
    cluster, lost workers). ``num_cpus``: CPUs of a cluster started here (default: this machine's).
    """
    # Forked before Ray starts a thread here; a program that already runs Ray keeps its own process.
    watch = None if _ray_running() else Watchdog(jobs)
    try:
        session = _Session(num_cpus, notice)
    except BaseException:
        if watch is not None:
            watch.close()
        raise
    try:
        if watch is not None and session.temp_dir is not None:
            watch.deletes(session.temp_dir)
        for job, report in _Run(session.ray, jobs, options, notice):
            if watch is not None:
                watch.reported(job)
            yield job, report
    finally:
        if watch is not None:
            watch.close()
        session.close()


def _ray_running() -> bool:
    return "ray" in sys.modules and sys.modules["ray"].is_initialized()
