"""Video benchmark: frames where a face slips through (unseen vs deface), speed, and memory.

Slips, tool-agnostic (only pixels are compared, as in bench/protection.py):

* **markers**: a slow high-recall pass over every frame of the *original* clip marks the faces:
  unseen's CenterFace backend at 2x scale (tiled, plus a whole-frame overview pass), score
  >= MARKER_THRESHOLD, kept when the marker itself sees the face in at least MARKER_PERSIST of the
  frames within +-2 of it (a one-frame blob on a texture is not a face; a face the *tools* see in
  one frame only is exactly what we want to count, and the marker is a different, stronger pass).
  Markers are cached in bench/out/video/markers/NAME.json (the 1x heads in markers_1x/), the
  schedule simulation's per-pass boxes in passes/. A cache is checked before it is used: its first,
  middle and last frame are detected again and compared (``video_common.stale``); a cache that other
  code or model files made is made again. ``slips --reuse`` scores an earlier output only when the
  record beside it (NAME.made.json: the options, and unseen's source hash or deface's version)
  matches what would run now; otherwise the tool runs again.
* each tool is run on each clip as a user would (its CLI); the output is decoded frame by frame in
  lockstep with the original (same frame count required: a tool that drops frames is an error);
* a pixel is *changed* when the largest absolute RGB difference exceeds TOL (24, as for photos);
  a marked face counts as **covered** in a frame when >= COVER_FRACTION (70%) of its box changed;
  every (frame, marked face) below that is a **slip**. Pixels of the original within TOL of the
  tool's fill colour (deface: black, unseen: grey) cannot change visibly under it, so they are left
  out of that tool's fraction.

Speed on the facenet clip (1080p, 105 frames): unseen, deface and the ceiling (one decode + the
same RGB round trip + unseen's encoder, no detection) are run side by side in rounds; each run is a
fresh process, timed wall clock and CPU (user+sys of the child). Medians and per-round ratios.

Memory: peak RSS of ``unseen`` on the facenet clip re-encoded at 1x and looped to 4x its length,
each measured by a fresh parent process (ru_maxrss of RUSAGE_CHILDREN).

Usage::

    python bench/video_bench.py markers            # slow, cached
    python bench/video_bench.py slips [--tools unseen,deface] [--clips NAME,...]
    python bench/video_bench.py speed [--repeat 3]
    python bench/video_bench.py rss
    python bench/video_bench.py all --write-md     # everything, then docs/BENCHMARKS.md "## Video ..."
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import tool_env  # noqa: E402
from video_common import (  # noqa: E402
    CLIPS,
    COVER_FRACTION,
    MAX_FRAMES,
    OUT,
    REPO,
    SPEED_CLIP,
    SPEED_TOOLS,
    TOL,
    changed_pixels,
    clip_path,
    frames,
    load_markers,
    marked_faces,
    marker_mask,
    provenance,
)
from video_report import write_report  # noqa: E402
from video_tune import TUNE_CLIPS, pass_file, passes_ready, tune  # noqa: E402

DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"
UNSEEN_BIN = Path(sys.executable).parent / "unseen"

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------

def tool_output(tool: str, name: str) -> Path:
    return OUT / tool / f"{name}.mp4"


@functools.cache
def source_stamp() -> str:
    """SHA-256 of every file of the package as it is now (code and models, not bytecode): an output
    made by other code must not be scored as this code's (``slips --reuse``)."""
    import hashlib

    h = hashlib.sha256()
    root = REPO / "src" / "unseen"
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def made_by(tool: str) -> dict:
    """What made a tool's output: the argv after the paths and unseen's source, or deface's version."""
    who = {"tool": tool, "argv": tool_argv(tool, Path("SRC"), Path("DST"))[1:]}
    if tool.startswith("unseen"):
        who["source"] = source_stamp()
    elif tool == "deface":
        who["version"] = subprocess.run([str(DEFACE_BIN), "--version"], capture_output=True, text=True).stdout.strip()
    return who


def stamp_file(tool: str, name: str) -> Path:
    return tool_output(tool, name).with_suffix(".made.json")


def reusable(tool: str, name: str) -> str | None:
    """Why the tool's output of the clip cannot be scored again as this code's, or None when it can."""
    if not tool_output(tool, name).exists():
        return "no output yet"
    if not stamp_file(tool, name).exists():
        return "the output carries no record of what made it"
    if json.loads(stamp_file(tool, name).read_text()) != made_by(tool):
        return "the output was made by other code, models or options"
    return None


def tool_argv(tool: str, src: Path, dst: Path) -> list[str]:
    if tool == "unseen":
        return [str(UNSEEN_BIN), str(src), "-o", str(dst.parent / "_tmp"), "--force", "-q", "--json"]
    if tool == "unseen-faces":  # faces only, like deface (no plate/text row)
        return [*tool_argv("unseen", src, dst), "--cover", "faces"]
    if tool == "deface":
        return [str(DEFACE_BIN), "--replacewith", "solid", str(src), "-o", str(dst)]
    if tool == "ceiling":
        return [sys.executable, str(Path(__file__).resolve()), "ceiling-run", str(src), str(dst)]
    raise SystemExit(f"unknown tool {tool}")


@dataclass
class Timed:
    wall: float
    cpu: float
    rc: int
    stdout: str
    stderr: str


def run_timed(argv: list[str]) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=tool_env())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, p.returncode, p.stdout, p.stderr)


def run_tool(tool: str, name: str, src: Path | None = None) -> Timed:
    src = src or clip_path(name)
    dst = tool_output(tool, name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    who = made_by(tool) if tool != "ceiling" and name in CLIPS else None  # before the run: what it runs
    if who is not None:
        stamp_file(tool, name).unlink(missing_ok=True)  # an interrupted run leaves no stamp to trust
    res = run_timed(tool_argv(tool, src, dst))
    if res.rc != 0:
        raise SystemExit(f"{tool} failed on {name}: {res.stderr.strip()[-500:]}")
    if tool.startswith("unseen"):  # -o DIR keeps the input's name; move it to the shared naming scheme
        made = dst.parent / "_tmp" / (src.stem + ".mp4")
        os.replace(made, dst)
    if who is not None:
        stamp_file(tool, name).write_text(json.dumps(who))  # what ``slips --reuse`` checks
    return res


def ceiling_run(src: Path, dst: Path) -> None:
    """One decode + unseen's encoder and muxer, exactly as unseen writes a frame with no face
    (decoded planes copied into a new frame): everything but detection, masks and the 2nd decode."""
    import unseen.media.video_read as _video_read
    import unseen.media.video_write as _video_write
    from unseen.media.video_read import Reader, open_input
    from unseen.media.video_read import video_stream as _video_stream
    from unseen.media.video_write import open_writer as _open_writer

    # The fastest decode and encode, on frame threads: unseen decodes on one thread to save memory and
    # encodes on one to save CPU beside detection; alone, either would slow the ceiling down and
    # flatter unseen's share of it.
    _video_read.THREAD_TYPE = "AUTO"
    _video_write.ENCODER_THREADS = 0

    with open_input(src) as c:
        v = _video_stream(c)
        reader = Reader(c, v)
        writer = None
        first = None
        for f in reader.video_frames():
            if writer is None:
                writer = _open_writer(dst, "h264", f.size, v.time_base, v.average_rate, reader.color, None, None)
                first = f.pts
            planes = f.yuv420p()
            if planes is None or not writer.write_yuv420p(planes, f.pts - first, f.duration):
                writer.write_video(f.rgb, f.pts - first, f.duration)
        writer.finish()


# ---------------------------------------------------------------------------------------------
# Slips
# ---------------------------------------------------------------------------------------------

# Solid fill colour of each tool at the settings used: a pixel of the original already within TOL
# of it cannot visibly change under that tool's fill, so it is left out of that tool's fraction
# (black fill over black hair, grey fill over a grey wall). Without this, deface's black would lose
# dark pixels and unseen's grey mid-tones: the rule keeps the comparison even.
FILL = {"unseen": (128, 128, 128), "unseen-faces": (128, 128, 128), "deface": (0, 0, 0), "ceiling": (128, 128, 128)}


def covered_fraction(orig: np.ndarray, out: np.ndarray, box: np.ndarray, fill=(0, 0, 0)) -> float:
    h, w = orig.shape[:2]
    x1, y1 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
    x2, y2 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    if x2 <= x1 or y2 <= y1:
        return 1.0
    a = orig[y1:y2, x1:x2].astype(np.int16)
    b = out[y1:y2, x1:x2].astype(np.int16)
    visible = np.abs(a - np.array(fill, np.int16)).max(2) > TOL
    if not visible.any():
        return 1.0
    changed = np.abs(a - b).max(2) > TOL
    return float((changed & visible).sum() / visible.sum())


class Matcher:
    """Output frame shown at each input frame's timestamp (nearest presentation time).

    unseen keeps every frame and timestamp, so this is frame i for frame i. deface re-times its
    output to a constant rate (imageio), so a variable-rate input gets duplicated or dropped frames
    there; comparing what a viewer *sees* at each input timestamp keeps both tools comparable.
    """

    def __init__(self, path: Path):
        self.it = frames(path)
        self.cur = next(self.it, None)
        self.nxt = next(self.it, None)
        self.count = (self.cur is not None) + (self.nxt is not None)

    def at(self, t: float):
        while self.nxt is not None and abs(self.nxt.time - t) <= abs(self.cur.time - t):
            self.cur, self.nxt = self.nxt, next(self.it, None)
            self.count += self.nxt is not None
        return self.cur

    def drain(self) -> int:
        self.count += sum(1 for _ in self.it)
        return self.count


def at_input_size(out: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    """An output frame at its input's size. deface (imageio-ffmpeg) scales frames to multiples of 16
    (1080 -> 1088 lines): scaled back. Anything larger than that rounding is an error, not something
    to paper over."""
    if out.shape == shape:
        return out
    dh, dw = out.shape[0] - shape[0], out.shape[1] - shape[1]
    if not (0 <= dh < 16 and 0 <= dw < 16):
        raise SystemExit(f"{what} is {out.shape}, input {shape}")
    from PIL import Image

    return np.asarray(Image.fromarray(out).resize((shape[1], shape[0]), Image.BOX))


def score_slips(name: str, tool: str, marks: dict[int, np.ndarray]) -> dict:
    slips, faces, frames_with_slip = 0, 0, set()
    worst = []
    out = Matcher(tool_output(tool, name))
    n = 0
    resized = False
    area, outside, scored = 0.0, 0.0, 0
    for f in frames(clip_path(name)):
        n += 1
        if f.index >= MAX_FRAMES:
            continue
        g = out.at(f.time)
        if g is None:
            raise SystemExit(f"{tool} output of {name} has no frames")
        shown = g.rgb
        out_rgb = at_input_size(shown, f.rgb.shape, f"{tool} output of {name}")
        resized = resized or out_rgb is not shown
        changed = changed_pixels(f.rgb, out_rgb)
        area += float(changed.mean())
        outside += float((changed & ~marker_mask(marks.get(f.index, ()), changed.shape)).mean())
        scored += 1
        for box in marks.get(f.index, ()):
            faces += 1
            frac = covered_fraction(f.rgb, out_rgb, box, FILL.get(tool, (0, 0, 0)))
            if frac < COVER_FRACTION:
                slips += 1
                frames_with_slip.add(f.index)
                worst.append((round(frac, 2), f.index, [round(float(x)) for x in box]))
    worst.sort()
    return {"frames": n, "frames_out": out.drain(), "marked": faces, "slips": slips,
            "slip_frames": len(frames_with_slip), "examples": worst[:5], "resized": resized,
            "changed_area": round(area / max(scored, 1), 4), "outside_area": round(outside / max(scored, 1), 4)}


def slips(args) -> dict:
    names = args.clips.split(",") if args.clips else list(CLIPS)
    tools = args.tools.split(",")
    results: dict[str, dict] = {}
    for name in names:
        if not clip_path(name).exists():
            print(f"skip {name}: {clip_path(name)} missing", file=sys.stderr)
            continue
        doc = load_markers(name)
        marks = marked_faces(doc)
        results[name] = {"frames": doc["frames"], "size": doc["size"],
                         "marked": sum(len(b) for b in marks.values())}
        for tool in tools:
            why = reusable(tool, name) if args.reuse else "made anew"
            if why:
                if args.reuse:
                    print(f"{name} {tool}: {why}; made again", file=sys.stderr, flush=True)
                t = run_tool(tool, name)
                results[name][f"{tool}_seconds"] = round(t.wall, 1)
            results[name][tool] = score_slips(name, tool, marks)
            r = results[name][tool]
            print(f"{name:18s} {tool:7s} frames {r['frames']:5d} marked {r['marked']:5d} slips {r['slips']:4d} "
                  f"in {r['slip_frames']} frames {r['examples'][:2]}", flush=True)
    old = json.loads((OUT / "slips.json").read_text()).get("clips", {}) if (OUT / "slips.json").exists() else {}
    doc = {"provenance": provenance(), "clips": {**old, **results} if args.clips else results}
    (OUT / "slips.json").write_text(json.dumps(doc, indent=1))
    return doc


# ---------------------------------------------------------------------------------------------
# Speed and memory
# ---------------------------------------------------------------------------------------------



def speed(args) -> dict:
    src = clip_path(SPEED_CLIP)
    n = sum(1 for _ in frames(src))
    rounds = []
    for r in range(args.repeat):
        row = {}
        for tool in SPEED_TOOLS:
            t = run_tool(tool, f"speed-{SPEED_CLIP}", src)
            row[tool] = {"wall": t.wall, "cpu": t.cpu}
            print(f"round {r + 1} {tool:7s} wall {t.wall:6.1f} s  cpu {t.cpu:6.1f} s  {n / t.wall:5.2f} fps",
                  flush=True)
        rounds.append(row)
    med = {tool: {k: statistics.median(r[tool][k] for r in rounds) for k in ("wall", "cpu")}
           for tool in SPEED_TOOLS}
    ratio = {
        "faces_vs_deface_wall": statistics.median(r["deface"]["wall"] / r["unseen-faces"]["wall"] for r in rounds),
        "faces_vs_deface_cpu": statistics.median(r["deface"]["cpu"] / r["unseen-faces"]["cpu"] for r in rounds),
        "unseen_vs_deface_wall": statistics.median(r["deface"]["wall"] / r["unseen"]["wall"] for r in rounds),
        "unseen_vs_deface_cpu": statistics.median(r["deface"]["cpu"] / r["unseen"]["cpu"] for r in rounds),
        "unseen_of_ceiling_wall": statistics.median(r["ceiling"]["wall"] / r["unseen"]["wall"] for r in rounds),
        "unseen_of_ceiling_cpu": statistics.median(r["ceiling"]["cpu"] / r["unseen"]["cpu"] for r in rounds),
    }
    res = {"clip": CLIPS[SPEED_CLIP], "frames": n, "rounds": rounds, "median": med, "ratios": ratio,
           "provenance": provenance()}
    (OUT / "speed.json").write_text(json.dumps(res, indent=1))
    return res


def loop_clip(src: Path, dst: Path, times: int) -> None:
    """Re-encode ``src`` ``times`` times back to back (near-lossless x264, crf 12), video only."""
    import av

    with av.open(str(src)) as c:
        v = c.streams.video[0]
        rate = v.average_rate or Fraction(25)
        arrs = [f.to_ndarray(format="yuv420p") for f in c.decode(v)]
        w, h = v.codec_context.width, v.codec_context.height
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=rate)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.options = {"crf": "12", "preset": "veryfast"}
        i = 0
        for _ in range(times):
            for a in arrs:
                fr = av.VideoFrame.from_ndarray(a, format="yuv420p")
                fr.pts = i
                fr.time_base = 1 / rate
                out.mux(s.encode(fr))
                i += 1
        out.mux(s.encode(None))


def peak_rss(argv: list[str], with_cpu: bool = False):
    """Peak RSS (KiB) of a command and its wall seconds (and CPU seconds with ``with_cpu``), measured
    by a fresh parent so earlier children don't count."""
    probe = ("import resource, subprocess, sys, time; t=time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True); r = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(r.ru_maxrss, time.perf_counter()-t, r.ru_utime + r.ru_stime, p.returncode)")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True,
                         env=tool_env())
    kib, secs, cpu, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"command failed: {argv}")
    return (int(kib), float(secs), float(cpu)) if with_cpu else (int(kib), float(secs))


# Memory levers measured beside the default (rss --levers): detector px per video tile, one detection
# thread instead of two, and the settings the default replaced. Each runs unseen's own code with one
# module constant changed.
CF1M = "import unseen.detect.schedule as s; s.VIDEO_TILE_PIXELS_WITH_TEXT.clear()"
CF2 = "import unseen.detect.schedule as s; s.INT8_UNCAPPED = True"
PLATE1 = ("import unseen.detect.schedule as s; [s.VIDEO_TILE_PIXELS.pop(k) for k in ('plate', 'text', 'plate+text')]")
FRAME_THREADS = "import unseen.media.video_read as r; r.THREAD_TYPE = 'AUTO'"
RSS_LEVERS = {
    "default (CenterFace in 4 tiles of 1056 x 636 beside the plate pass, in 3 strips of 768 x 1080 when"
    " faces are all it looks for; the plate pass in 2 strips of 1280 x 416; other passes in tiles of 1536 px;"
    " 2 detection threads; slice-threaded decoding)": "",
    "CenterFace in 3 strips of 768 x 1080 beside the plate pass too": CF1M,
    "the plate pass in one 1280 x 720 piece": PLATE1,
    "both of the two rows above (as before 2026-11-30 16:30)": f"{CF1M}\n{PLATE1}",
    "CenterFace's int8 file in 2 tiles of 1056 x 1080 (`schedule.INT8_UNCAPPED`)": CF2,
    "CenterFace in 2 tiles of 1056 x 1080 (as before 2026-11-30 14:00), the plate pass in one piece":
        f"{CF2}\n{PLATE1}",
    "frame-threaded decoding (as before 2026-11-30 14:00)": FRAME_THREADS,
    "tile 1024 px": "import unseen.detect.schedule as s; s.VIDEO_TILE = 1024",
    "1 detection thread": ("import functools, unseen.detect.schedule as s; s.VideoDetector.detect_all = "
                           "functools.partialmethod(s.VideoDetector.detect_all, workers=1)"),
    "`--cover faces` (deface's job)": "",
    "`--cover faces`, CenterFace in 2 tiles": CF2,
    "`--cover faces`, CenterFace in 2 tiles and frame-threaded decoding": f"{CF2}\n{FRAME_THREADS}",
}


def rss_levers(src: Path, repeat: int) -> dict:
    """Each lever ``repeat`` times, interleaved; medians and ranges (a single run's peak moves by
    100 MiB and more with which passes happen to overlap)."""
    runs: dict[str, list[tuple[int, float, float]]] = {label: [] for label in RSS_LEVERS}
    for r in range(repeat):
        for label, patch in RSS_LEVERS.items():
            code = f"{patch}\nimport sys\nfrom unseen.cli import main\nsys.exit(main(sys.argv[1:]))"
            extra = ["--cover", "faces"] if label.startswith("`--cover faces`") else []
            got = peak_rss([sys.executable, "-c", code, str(src), "-o", str(OUT / "rss" / "out"), "--force", "-q",
                            *extra], with_cpu=True)
            runs[label].append(got)
            print(f"round {r + 1} {label}: peak RSS {got[0] / 1024:.1f} MiB, {got[1]:.1f} s wall, {got[2]:.1f} s CPU",
                  flush=True)
    res = {}
    for label, got in runs.items():
        mib = [k / 1024 for k, _, _ in got]
        res[label] = {"peak_rss_mib": round(statistics.median(mib), 1), "min_mib": round(min(mib), 1),
                      "max_mib": round(max(mib), 1), "seconds": round(statistics.median(g[1] for g in got), 1),
                      "cpu": round(statistics.median(g[2] for g in got), 1), "runs": len(got)}
    return res


def rss(args) -> dict:
    src = clip_path(SPEED_CLIP)
    res = {}
    for k in (1, 4):
        looped = OUT / "rss" / f"{SPEED_CLIP}-x{k}.mp4"
        looped.parent.mkdir(parents=True, exist_ok=True)
        if not looped.exists():
            loop_clip(src, looped, k)
        n = sum(1 for _ in frames(looped))
        for name, extra in ((f"x{k}", []), (f"x{k} `--cover faces`", ["--cover", "faces"])):
            argv = [str(UNSEEN_BIN), str(looped), "-o", str(OUT / "rss" / "out"), "--force", "-q", *extra]
            kib, secs = peak_rss(argv)
            res[name] = {"frames": n, "peak_rss_mib": round(kib / 1024, 1), "seconds": round(secs, 1)}
            print(f"{name}: {n} frames, peak RSS {kib / 1024:.1f} MiB, {secs:.1f} s", flush=True)
    doc = {"provenance": provenance(), "runs": res}
    if args.levers:
        doc["levers"] = rss_levers(src, args.repeat)
    (OUT / "rss.json").write_text(json.dumps(doc, indent=1))
    return doc




def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("markers", "passes", "tune", "slips", "speed", "rss", "all", "report",
                                    "ceiling-run"))
    p.add_argument("paths", nargs="*")
    p.add_argument("--clips", help="comma-separated clip names (default: all; passes and tune: TUNE_CLIPS)")
    p.add_argument("--tools", default="unseen,deface")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--reuse", action="store_true", help="score existing tool outputs instead of re-running")
    p.add_argument("--levers", action="store_true", help="rss: also measure the memory levers (RSS_LEVERS)")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    if args.what == "ceiling-run":
        ceiling_run(Path(args.paths[0]), Path(args.paths[1]))
        return 0
    if args.what == "markers":
        for name in (args.clips.split(",") if args.clips else CLIPS):
            if clip_path(name).exists():
                doc = load_markers(name)
                print(f"{name}: {doc['frames']} frames, {len(doc['boxes'])} boxes, {doc['seconds']} s", flush=True)
        return 0
    if args.what == "passes":
        for name in (args.clips.split(",") if args.clips else TUNE_CLIPS):
            if passes_ready(name):  # made when missing, made again when stale
                doc = json.loads(pass_file(name).read_text())
                print(f"{name}: cpu {doc['cpu']}", flush=True)
        return 0
    s = sp = rs = tu = None
    if args.what == "tune":
        tu = tune(args)
    if args.what in ("slips", "all"):
        s = slips(args)
    if args.what in ("speed", "all"):
        sp = speed(args)
    if args.what in ("rss", "all"):
        rs = rss(args)
    if args.what == "report":
        s = json.loads((OUT / "slips.json").read_text()) if (OUT / "slips.json").exists() else None
        sp = json.loads((OUT / "speed.json").read_text()) if (OUT / "speed.json").exists() else None
        rs = json.loads((OUT / "rss.json").read_text()) if (OUT / "rss.json").exists() else None
        tu = json.loads((OUT / "tune.json").read_text()) if (OUT / "tune.json").exists() else None
    if args.write_md or args.what == "report":
        write_report(s, sp, rs, tu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
