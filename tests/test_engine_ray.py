"""``--engine ray`` on a local Ray cluster (2 CPUs), started once for this module.

* the same pixels as the local engine, real detector (photos, and a clip in H.264 and VP9);
* a bad file fails alone, through the command line (one line, exit 1, the others written);
* a worker killed mid-file leaves no partial output and its file is retried;
* resume with ``--skip-existing``: finished files are counted and never reach the cluster;
* Ctrl-C cancels the work, removes temporary files, and shuts down a cluster the run started.

The module's cluster is started like the engine starts one (``cluster.LOCAL_CLUSTER_ENV``: loopback
only, usage stats off, no dashboard); the command line joins it through ``RAY_ADDRESS``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, system_tool
from kill_helpers import TMP_PREFIX, finals, make_clip, temps, wait_for
from PIL import Image

ray = pytest.importorskip("ray", reason="needs unseen[ray]")

from unseen.engine import cluster, local  # noqa: E402
from unseen.engine.plan import plan  # noqa: E402
from unseen.options import Options  # noqa: E402
from unseen.report import Report  # noqa: E402

pytestmark = pytest.mark.slow
PHOTOS = [FIXTURES / "2008_002470.jpg", FIXTURES / "2008_007676.jpg", FIXTURES / "hopper"]
CLIP = FIXTURES / "video" / "head_pose.mp4"


@pytest.fixture(scope="module")
def ray_cluster():
    """One local cluster for the module, started as the engine starts one; yields its address for
    command-line runs (engine runs in this process join it)."""
    saved = os.environ.pop("RAY_ADDRESS", None)
    session = cluster._Session(num_cpus=2, notice=None)
    try:
        address = ray.get_runtime_context().gcs_address
        assert address.startswith("127.0.0.1:")  # loopback only
        yield address
    finally:
        session.close()
        if saved is not None:
            os.environ["RAY_ADDRESS"] = saved


def _run(engine, paths: list[Path], out: Path, options: Options) -> dict[str, Report]:
    jobs, errors = plan(paths, out, video_ext=".webm" if options.codec == "vp9" else ".mp4")
    assert not errors
    return {Path(job.src).name: report for job, report in engine.run(jobs, options)}


def _pixels(path: Path) -> list[np.ndarray]:
    if path.suffix in (".mp4", ".webm"):
        import av

        with av.open(str(path)) as c:
            return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with Image.open(path) as im:
        return [np.asarray(im.convert("RGB"))]


def _comparable(report: Report) -> dict:
    d = report.to_json()
    d.pop("seconds")
    d.pop("output", None)
    d["notes"] = [n for n in d.get("notes", []) if " frames in " not in n]  # wall-clock speed
    return d


def test_same_pixels_as_the_local_engine(ray_cluster, tmp_path):
    """Photos byte for byte; the clip frame for frame, in VP9 and in the default H.264 (x264 runs
    without its macroblock-tree rate control, which made even two local runs differ)."""
    options = Options(style="fill", codec="vp9")
    mine = _run(local, [*PHOTOS, CLIP], tmp_path / "local", options)
    theirs = _run(cluster, [*PHOTOS, CLIP], tmp_path / "ray", options)
    assert sorted(mine) == sorted(theirs) and len(mine) == 11  # 2 photos, 8 hopper files, 1 clip
    for name, a in mine.items():
        b = theirs[name]
        assert a.status == b.status == "ok", (name, a.error, b.error)
        assert _comparable(a) == _comparable(b), name
        pa, pb = _pixels(Path(a.output)), _pixels(Path(b.output))
        assert len(pa) == len(pb) and all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True)), name
    assert theirs["head_pose.mp4"].frames == 56 and theirs["2008_002470.jpg"].faces > 0
    h264 = Options(style="fill")
    a = _run(local, [CLIP], tmp_path / "local264", h264)["head_pose.mp4"]
    b = _run(cluster, [CLIP], tmp_path / "ray264", h264)["head_pose.mp4"]
    assert _comparable(a) == _comparable(b)
    pa, pb = _pixels(Path(a.output)), _pixels(Path(b.output))
    assert len(pa) == len(pb) == 56 and all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))


@pytest.fixture
def mixed(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"p{i}.jpg").write_bytes(PHOTOS[0].read_bytes())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "empty.png").write_bytes(b"")
    return folder


def _user_env(address: str | None) -> dict[str, str]:
    """A user's shell: none of the settings this process's cluster put in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_") and not k.lower().endswith("_proxy")}
    env["PYTHONUNBUFFERED"] = "1"
    if address:  # the module's cluster has token authentication, with a token of its own (``_Session``)
        env["RAY_ADDRESS"], env["RAY_AUTH_MODE"] = address, "token"
        env["RAY_AUTH_TOKEN_PATH"] = os.environ["RAY_AUTH_TOKEN_PATH"]
    return env


def _cli(*args: str | Path, address: str | None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = _user_env(address)
    return subprocess.run([sys.executable, "-m", "unseen.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_a_bad_file_fails_alone(ray_cluster, mixed, tmp_path):
    out = tmp_path / "out"
    proc = _cli(mixed, "-o", out, "--engine", "ray", "--json", address=ray_cluster)
    assert proc.returncode == 1, proc.stderr
    reports = {Path(r["input"]).name: r for r in map(json.loads, proc.stdout.splitlines())}
    assert {n: r["status"] for n, r in reports.items()} == {
        "p0.jpg": "ok", "p1.jpg": "ok", "p2.jpg": "ok", "broken.jpg": "error", "empty.png": "error"}
    assert reports["p0.jpg"]["input"] == str(mixed / "p0.jpg")  # paths as given, like the local engine
    assert reports["p0.jpg"]["output"] == str(out / "p0.jpg")
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("unseen: ") and ": note: " not in ln]
    assert len(errors) == 3
    assert sorted(errors)[0].startswith(f"unseen: {mixed / 'broken.jpg'}: ")
    assert sorted(errors)[1] == f"unseen: {mixed / 'empty.png'}: file is empty (0 bytes)"
    assert errors[-1] == "unseen: 3 written, 0 skipped (output exists), 2 failed"
    lines = [ln for ln in proc.stderr.replace("\r", "\n").splitlines() if ln.strip() and "%|" not in ln]  # bar
    assert lines == [f"unseen: note: connected to the Ray cluster at {ray_cluster}: 2 CPU(s) on 1 node(s)", *errors]
    assert sorted(p.name for p in out.iterdir()) == ["p0.jpg", "p1.jpg", "p2.jpg"]


def test_resume_skips_finished_files(ray_cluster, mixed, tmp_path):
    out = tmp_path / "out"
    (mixed / "broken.jpg").unlink()
    (mixed / "empty.png").unlink()
    first = _run(cluster, [mixed], out, Options())
    assert {r.status for r in first.values()} == {"ok"}
    (out / "p1.jpg").unlink()
    again = _run(cluster, [mixed], out, Options(skip_existing=True))
    assert {n: r.status for n, r in again.items()} == {"p0.jpg": "skipped", "p1.jpg": "ok", "p2.jpg": "skipped"}
    assert again["p0.jpg"].output == str(out / "p0.jpg")
    assert sorted(p.name for p in out.iterdir()) == ["p0.jpg", "p1.jpg", "p2.jpg"]


def _holders(path_prefix: Path) -> set[int]:
    """Processes with a file open whose path starts with ``path_prefix`` (Linux /proc)."""
    pids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(str(path_prefix)):
                    pids.add(int(pid))
        except OSError:
            continue
    return pids


def test_a_killed_worker_leaves_no_partial_file_and_its_file_is_retried(ray_cluster, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    make_clip(src / "walk.mp4", frames=150)
    for i in range(3):
        (src / f"p{i}.jpg").write_bytes(PHOTOS[1].read_bytes())
    out = tmp_path / "out"
    jobs, _ = plan([src], out)
    notes: list[str] = []
    results = cluster.run(jobs, Options(), notice=notes.append)
    killed: list[int] = []
    reports = {}
    deadline = time.monotonic() + 240
    for job, report in results:
        reports[job.src.name] = report
        if killed:
            continue
        # The clip is written into a hidden temporary file: kill the worker holding it open.
        while not killed and time.monotonic() < deadline:
            victims = _holders(out / TMP_PREFIX)
            if victims:
                for pid in victims:
                    os.kill(pid, signal.SIGKILL)
                killed.extend(victims)
            time.sleep(0.05)
    assert killed, "no worker was caught writing"
    assert {n: r.status for n, r in reports.items()} == {n: "ok" for n in ("walk.mp4", "p0.jpg", "p1.jpg", "p2.jpg")}
    assert any("walk.mp4" in n and "retrying (attempt 2 of 3)" in n for n in notes), notes
    assert sorted(p.name for p in finals(out)) == ["p0.jpg", "p1.jpg", "p2.jpg", "walk.mp4"]
    assert len(_pixels(out / "walk.mp4")) == 150  # complete
    assert all(p.name.startswith(TMP_PREFIX) for p in out.iterdir() if p not in finals(out))  # at most hidden


def test_lost_worker_bookkeeping(ray_cluster):
    """Which files a lost task's retry covers, and the give-up after MAX_ATTEMPTS (no worker needed)."""
    jobs, _ = plan([FIXTURES / "hopper"], Path("/nonexistent-out"))
    run = cluster._Run(ray, jobs[:4], Options(), None)
    batch = run._next_batch()
    assert [it.job for it in batch] == jobs[:4]  # one batch of photos (PHOTO_BATCH is 8)
    task = cluster._Task(batch, done=1)  # the first file reported, then the worker died on the second
    run._lost(task, "its Ray worker process died")
    assert [it.job.src.name for it in run.queue[0]] == [jobs[1].src.name]  # retried alone, first
    assert [it.job.src.name for it in run.queue[1]] == [jobs[2].src.name, jobs[3].src.name]
    retry = run.queue.popleft()
    for _ in range(cluster.MAX_ATTEMPTS - 1):
        run._lost(cluster._Task(retry), "its Ray worker process died")
        if run.queue and run.queue[0] == retry:
            run.queue.popleft()
    job, report = run.ready.pop()
    assert job == jobs[1] and report.status == "error"
    assert report.error == f"gave up after {cluster.MAX_ATTEMPTS} attempts: its Ray worker process died"


def _interrupt(args: list, address: str | None, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    env = _user_env(address)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "unseen.cli", *map(str, args), "-o", str(out), "--engine", "ray"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wait_for(lambda: any(p.stat().st_size > 0 for p in temps(out) if p.exists()), proc, timeout=180)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc, err.decode("utf-8", "replace")


@pytest.fixture
def long_clip(tmp_path) -> Path:
    path = tmp_path / "walk.mp4"
    make_clip(path, frames=300)
    return path


def test_ctrl_c_cancels_the_work_and_removes_temporary_files(ray_cluster, long_clip, tmp_path):
    proc, err = _interrupt([long_clip], ray_cluster, tmp_path)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "unseen: interrupted; no partial outputs were left"
    assert "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []  # no output, no temporary file
    assert ray.is_initialized() and ray.cluster_resources().get("CPU") == 2  # not our cluster: still up


def test_ctrl_c_shuts_down_a_cluster_the_run_started(long_clip, tmp_path, request):
    """Without RAY_ADDRESS the run starts its own cluster, loopback only, quiet, and removes it.

    The run gets a temporary folder of its own (TMPDIR, short: Ray's socket paths are limited to
    107 bytes), so other runs' clusters on the machine (another test session) are never counted."""
    private = Path(tempfile.mkdtemp(prefix="ur-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(private, ignore_errors=True))
    seen: dict[str, str] = {}

    def cluster_env() -> bool:  # what the started cluster's processes were given
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if f"{private}/unseen-ray-" in cmd and "raylet" in cmd:
                    seen["cmd"] = cmd
                    seen["env"] = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")
                    return True
            except OSError:
                continue
        return False

    env = _user_env(None)
    env["TMPDIR"] = str(private)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "unseen.cli", str(long_clip), "-o", str(out), "--engine", "ray"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wait_for(cluster_env, proc, timeout=180)
    (session,) = private.glob("unseen-ray-*")
    assert session.stat().st_mode & 0o077 == 0, oct(session.stat().st_mode)  # Ray's own folders are 0777
    wait_for(lambda: any(p.stat().st_size > 0 for p in temps(out) if p.exists()), proc, timeout=180)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err
    assert "unseen: note: started a Ray cluster on this machine (loopback only, usage stats off, no dashboard)" in err
    assert list(out.iterdir()) == []
    assert "--node-ip-address=127.0.0.1" in seen["cmd"]
    assert "RAY_USAGE_STATS_ENABLED=0" in seen["env"].split("\0")
    assert f"http_proxy={cluster.DEAD_PROXY}" in seen["env"].split("\0")
    assert list(private.glob("unseen-ray-*")) == []  # its session folder is gone
    time.sleep(2)
    assert not cluster_env(), "the cluster the run started is still running"


def test_a_started_cluster_talks_to_loopback_only(tmp_path):
    """Every connect/send/bind of the whole process tree (driver, Ray's processes, workers) goes to
    127.0.0.1, ::1 or a Unix socket; Ray's cloud-metadata probes end at the engine's dead proxy.
    Nothing is left in the user's home: Ray wrote its token to ~/.ray/auth_token (mode 644), kept it
    and used it again in every later run."""
    strace = system_tool("strace", "strace")
    log = tmp_path / "strace.txt"
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run([strace, "-f", "-e", "trace=connect,sendto,sendmsg,bind", "-o", str(log),
                           sys.executable, "-m", "unseen.cli", str(PHOTOS[0]), "-o", str(tmp_path / "out"),
                           "--engine", "ray", "-q"], capture_output=True, text=True,
                          env={**_user_env(None), "HOME": str(home)}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert list(home.iterdir()) == []
    text = log.read_text()
    addresses = set(re.findall(r'inet_addr\("([^"]+)"\)', text))
    addresses |= set(re.findall(r'inet_pton\(AF_INET6, "([^"]+)"', text))
    assert addresses and addresses <= {"127.0.0.1", "::1", "::ffff:127.0.0.1"}, addresses
    assert "htons(9)" in text  # Ray's API server did try the cloud metadata addresses: through the dead proxy


def test_no_loopback_network_is_one_line_at_once(tmp_path):
    """In a network namespace with the loopback interface down, Ray retried for minutes without a word
    (a run under `unshare -n` was stopped after 90 s, another sat for 5 minutes)."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not allowed here (needs root or user namespaces)")
    proc = subprocess.run(["unshare", "-n", sys.executable, "-m", "unseen.cli", str(PHOTOS[0]), "-o",
                           str(tmp_path / "out"), "--engine", "ray"], capture_output=True, text=True,
                          env=_user_env(None), timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "unseen: cannot start or reach the Ray cluster: this machine's loopback network (127.0.0.1) does not work "
        "(Network is unreachable)"], proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_temporary_folder_too_deep_for_ray_s_sockets_says_what_to_do(tmp_path):
    """Ray's socket paths live under TMPDIR; under a deep one (a hunter's working folder) the run said only
    "AF_UNIX path length cannot exceed 107 bytes" (a hunt, 2026-12-06)."""
    deep = tmp_path / ("t" * 90)
    deep.mkdir()
    env = _user_env(None) | {"TMPDIR": str(deep)}
    proc = subprocess.run([sys.executable, "-m", "unseen.cli", str(PHOTOS[0]), "-o", str(tmp_path / "out"),
                           "--engine", "ray"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "cannot start or reach the Ray cluster" in line and "set TMPDIR to a shorter folder" in line, line
    assert not (tmp_path / "out").exists() and list(deep.iterdir()) == []


def test_a_run_whose_raylet_dies_names_every_file_it_did_not_finish(tmp_path, request):
    """Killed (or out of memory), this machine's raylet takes the driver with it at once (Ray's
    QuickExit): 10 of 19 files were left without a word (exit 1, no line), and the cluster's folder
    was left behind. The watchdog the run forks says each one."""
    from unseen.engine.watchdog import DRIVER_LOST

    private = Path(tempfile.mkdtemp(prefix="ur-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(private, ignore_errors=True))
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for i in range(40):
        shutil.copy(PHOTOS[i % 2], folder / f"p{i:02}.jpg")
    env = {**_user_env(None), "TMPDIR": str(private)}
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "unseen.cli", str(folder), "-o", str(out), "--engine", "ray"],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
    raylet: list[int] = []

    def started() -> bool:
        if b"started a Ray cluster" not in log.read_bytes():
            return False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if f"{private}/unseen-ray-" in cmd and "raylet/raylet" in cmd:
                raylet.append(int(pid))
                return True
        return False

    wait_for(started, proc, timeout=180)
    os.kill(raylet[0], signal.SIGKILL)
    assert proc.wait(timeout=180) != 0
    time.sleep(1)  # the watchdog writes as the driver ends
    lines = log.read_text(errors="replace").splitlines()
    named = {line.split(": ")[1] for line in lines if line.endswith(DRIVER_LOST)}
    written = {p.name for p in out.iterdir()} if out.exists() else set()
    assert named, lines[-5:]
    assert {Path(n).name for n in named} | written == {f"p{i:02}.jpg" for i in range(40)}, lines[-5:]
    assert list(private.glob("unseen-ray-*")) == []
