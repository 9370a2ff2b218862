"""Throughput of the local and Ray engines side by side, for docs/SCALE.md ("Measured here").

    python bench/scale.py [--rounds 3] [--no-write]

Workloads (shared corpus, ../shared/data or $UNSEEN_SHARED): a folder of photos (WIDER FACE sample +
Ultra-Light's test images), the 1080p facenet clip (105 frames) and the small head_pose fixture. Each
round runs every workload with the local engine, then with the Ray engine on a 2-CPU local cluster
started once (start-up is measured on its own: start + connect + shut down, several times). Round 1
is cold (models load); the table gives medians of the later, warm rounds and the ratio Ray/local of
each round's wall time. Both engines run in this process's machine: 2 cores shared with other work,
so the load average is printed with each round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, git_revision, machine, replace_section  # noqa: E402

from unseen.engine import cluster, local  # noqa: E402
from unseen.engine.plan import plan  # noqa: E402
from unseen.options import Options  # noqa: E402

SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))
SCALE_MD = REPO / "docs" / "SCALE.md"
HEADING = "## Measured here (bench/scale.py)"


def photos() -> list[Path]:
    found = sorted((SHARED / "widerface" / "images").rglob("*.jpg"))
    found += sorted((SHARED / "ultralight_face_linzaer" / "imgs").glob("*.jpg"))
    return found


def megapixels(paths: list[Path]) -> float:
    from PIL import Image

    total = 0
    for p in paths:
        with Image.open(p) as im:
            total += im.size[0] * im.size[1]
    return total / 1e6


def workloads() -> dict[str, tuple[list[Path], int]]:
    """name -> (inputs, units: photos or frames)."""
    folder = Path(tempfile.mkdtemp(prefix="scale-in-"))
    ps = photos()
    for i, p in enumerate(ps):  # one flat folder: distinct names
        shutil.copy(p, folder / f"{i:03d}_{p.name}")
    return {
        "photos": ([folder], len(ps)),
        "video 1080p": ([SHARED / "facenet_pytorch_timesler" / "examples" / "video.mp4"], 105),
        "video 480x270": ([REPO / "tests" / "fixtures" / "video" / "head_pose.mp4"], 56),
    }


def timed_run(engine, inputs: list[Path], options: Options) -> float:
    out = Path(tempfile.mkdtemp(prefix="scale-out-"))
    try:
        jobs, errors = plan(inputs, out)
        assert not errors, errors
        t0 = time.perf_counter()
        bad = [r for _, r in engine.run(jobs, options) if r.status != "ok"]
        seconds = time.perf_counter() - t0
        assert not bad, [(r.input, r.error) for r in bad]
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def startup(times: int) -> list[float]:
    """Start a 2-CPU local cluster the way ``--engine ray`` does, then shut it down."""
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        session = cluster._Session(num_cpus=2, notice=None)
        session.ray.get(session.ray.remote(lambda: 1).remote())  # a worker is up
        session.close()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker-niceness", type=int, default=0,
                    help="Ray starts its workers at nice 15 by default; on a machine shared with other work that "
                    "measures the scheduler's priorities, not the engine: run them at this process's priority")
    args = ap.parse_args()
    os.environ["RAY_worker_niceness"] = str(args.worker_niceness)  # noqa: SIM112 - Ray config names are case-sensitive
    header = f"Command: `{command_line()}`  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; " \
             f"machine: {machine()}; unseen git {git_revision()}."
    work = workloads()
    mp = megapixels(photos())
    options = Options()
    starts = startup(3)
    print("start-up", [f"{s:.1f}" for s in starts], flush=True)
    times: dict[tuple[str, str], list[float]] = {}
    loads = []
    session = cluster._Session(num_cpus=2, notice=None)
    try:
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for name, (inputs, _) in work.items():
                for label, engine in (("local", local), ("ray", cluster)):
                    s = timed_run(engine, inputs, options)
                    times.setdefault((name, label), []).append(s)
                    print(f"round {r + 1} {name:14s} {label:5s} {s:6.1f} s  (load {os.getloadavg()[0]:.2f})",
                          flush=True)
    finally:
        session.close()
        shutil.rmtree(work["photos"][0][0], ignore_errors=True)

    warm = slice(1, None) if args.rounds > 1 else slice(0, None)
    rows = ["| workload | units | engine | cold s (round 1) | median warm s | per second | Ray/local wall |",
            "|---|---:|---|---:|---:|---:|---:|"]
    for name, (_, units) in work.items():
        unit = "photos" if name == "photos" else "frames"
        ratios = [r / loc for r, loc in zip(times[(name, "ray")][warm], times[(name, "local")][warm], strict=True)]
        for label in ("local", "ray"):
            ts = times[(name, label)]
            med = statistics.median(ts[warm])
            ratio = f"{statistics.median(ratios):.2f}x" if label == "ray" else ""
            rows.append(f"| {name} | {units} {unit} | {label} | {ts[0]:.1f} | {med:.1f} | "
                        f"{units / med:.2f} {unit}/s | {ratio} |")
    body = "\n".join([
        header, "",
        f"Photos: {work['photos'][1]} JPEGs, {mp:.1f} MP in all ({mp / work['photos'][1]:.2f} MP each on average): "
        "../shared/data/widerface/images and ultralight_face_linzaer/imgs. Clips: facenet video.mp4 (1920x1080, "
        "105 frames) and tests/fixtures/video/head_pose.mp4 (480x270, 56 frames). Defaults (fill, thorough).",
        f"Ray: a local cluster of 2 CPUs (this machine's), started once for the rounds, workers at nice "
        f"{args.worker_niceness}; load average at the start of each round: {', '.join(f'{x:.2f}' for x in loads)}.",
        "",
        *rows, "",
        f"Ray start-up (start a 2-CPU local cluster, run one task, shut down), {len(starts)} times: median "
        f"{statistics.median(starts):.1f} s (runs: {', '.join(f'{s:.1f}' for s in starts)}). The first task on "
        "each worker also loads the detector models (the cold column).",
        "",
        per_unit(work, times, warm, mp),
    ])
    print(body)
    if not args.no_write:
        old = SCALE_MD.read_text() if SCALE_MD.exists() else "# Scale\n"
        SCALE_MD.write_text(replace_section(old, HEADING, body))


def per_unit(work: dict, times: dict, warm: slice, mp: float) -> str:
    """The costs docs/SCALE.md's plan uses: vCPU-seconds per unit with both CPUs busy (local engine)."""
    photos = statistics.median(times[("photos", "local")][warm])
    frames = work["video 1080p"][1]
    video = statistics.median(times[("video 1080p", "local")][warm])
    return (f"Per unit, with both CPUs busy (local engine): 2 x {photos:.1f} / {mp:.1f} = **{2 * photos / mp:.2f} "
            f"vCPU-s per MP** of these small photos (faces and plates, the default) and 2 x {video:.1f} / {frames} = "
            f"**{2 * video / frames:.2f} vCPU-s per 1080p frame**: the costs the plan below starts from.")


if __name__ == "__main__":
    main()
