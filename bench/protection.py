"""Protection and speed benchmark on WIDER FACE: how many real faces each tool covers, and how fast.

Why this shape: the benchmark must judge every tool the same way without trusting what the tool
says it found, so it looks only at pixels. Each tool is run as a user would run it (its own CLI, one
subprocess for the whole folder), and a ground-truth face counts as covered when its box is
visibly changed in the output. Detection boxes, scores or JSON reports play no part, which is what
makes the numbers comparable between unseen and a peer such as deface.

Metric, identical for every tool:
  * input and output are decoded with Pillow, converted to RGB, and must have the same size (a
    tool that rotates or resizes is an error here, not a silent mismatch);
  * a pixel is *changed* when the largest absolute difference over its three channels exceeds TOL;
  * a ground-truth face (WIDER FACE ``x y w h``, faces flagged ``invalid`` skipped) is *covered*
    when at least COVER_FRACTION of the pixels in its box are changed.

Why TOL = 24: both tools re-encode JPEG (deface through imageio at Pillow's default quality 75 and
4:2:0 chroma; unseen at quality 95, 4:4:4), so untouched pixels drift a little. Re-encoding each of
the 8 images with no mask at all leaves, on the worst image, 0.0097 % of the pixels above 24 at q75
4:2:0, 0.006 % at q92-95 4:2:0 and 0 % at q95 4:4:4, against ~0.2-0.4 % above 16 and 1.4-6.5 %
above 8 (every run re-measures this and prints it). A higher TOL is not free either: a solid fill
only counts where it differs from the original by more than TOL. Ceiling check: filling every GT box
of the 153 faces with h >= 16 exactly counts all of them as covered for unseen's grey (128, 128, 128)
(lowest box 83 % changed) but only 151 for black (dark hair and skin: lowest 60 %). So 24 keeps
re-encode noise four orders of magnitude below the 70 % cover threshold without penalising a fill
colour much. The 70 % leaves room for ellipse masks (an ellipse inscribed in the box covers 78.5 %
of it) and for such pixels.

Reported per tool: recall by face-height bucket, for h >= 16, overall, and "visible" (h >= 16 and
occlusion label != 2, heavy occlusion), each as covered/total; the mean fraction of image area
changed (over images: over-masking costs the photo); the median wall time of --repeat runs and
images/s; the median CPU time (user + sys of the tool's process: steadier than wall on a shared machine,
and it shows what a tool spends, not only how fast two cores finish it); and unseen/deface ratios where
both tools ran, the wall ratio also paired round by round (each round runs every tool once, in the
reverse order every other round; the median of the per-round ratios).

Usage: ``python bench/protection.py [--data DIR] [--out DIR] [--tools unseen,deface] [--repeat N]
[--write-md] [--list-missed TOOL]``. Peer venv: ``bash bench/setup_peers.sh``.
Only numpy, Pillow and the standard library are used here, so the benchmark shares no code with
the tool under test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from anonymisers import DEFACE_BIN, UNSEEN_VARIANTS, Tool, make_tool, tool_version
from benchlib import BENCHMARKS_MD, command_line, machine, tool_env, write_md  # noqa: E402
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path("/work/shared/data/widerface")
DEFAULT_OUT = REPO / "bench" / "out" / "protection"
GT_FILE = "wider_face_val_bbx_gt.txt"
SECTION = "## Protection: WIDER FACE (bench/protection.py)"

TOL = 24  # per-pixel change threshold (max abs diff over RGB); see module docstring
COVER_FRACTION = 0.70  # share of a GT box that must change for the face to count as covered
HEAVY_OCCLUSION = 2  # WIDER FACE occlusion label: 0 none, 1 partial, 2 heavy
# (label, min height inclusive, max height exclusive)
BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("h < 10", 0, 10),
    ("10 <= h < 16", 10, 16),
    ("16 <= h < 32", 16, 32),
    ("32 <= h < 64", 32, 64),
    ("h >= 64", 64, float("inf")),
)
# Re-encodes used to measure how much JPEG noise alone exceeds TOL: (label, quality, subsampling).
NOISE_SETTINGS: tuple[tuple[str, int, int], ...] = (
    ("q75 4:2:0 (deface/imageio default)", 75, 2),
    ("q95 4:2:0", 95, 2),
    ("q95 4:4:4 (unseen)", 95, 0),
)


# -- ground truth ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Face:
    """One ground-truth face; integer pixel box as WIDER FACE gives it."""

    image: str  # path relative to images/, as in the GT file
    x: int
    y: int
    w: int
    h: int
    occlusion: int

    @property
    def visible(self) -> bool:
        """Big enough to recognise and not heavily occluded: the faces a tool must never miss."""
        return self.h >= 16 and self.occlusion != HEAVY_OCCLUSION


def parse_gt(path: Path) -> dict[str, list[Face]]:
    """Parse the official ``wider_face_val_bbx_gt.txt`` layout, skipping invalid faces.

    A count of 0 is followed by one dummy all-zero line, which must be consumed but not kept.
    Degenerate boxes (w or h <= 0) are dropped: they have no pixels to check.
    """
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    faces: dict[str, list[Face]] = {}
    i = 0
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        image, count = lines[i], int(lines[i + 1])
        rows = lines[i + 2 : i + 2 + max(count, 1)]
        i += 2 + max(count, 1)
        kept = []
        for row in rows[:count]:
            x, y, w, h, _blur, _expr, _illum, invalid, occlusion, _pose = (int(v) for v in row.split()[:10])
            if invalid != 1 and w > 0 and h > 0:
                kept.append(Face(image, x, y, w, h, occlusion))
        faces[image] = kept
    return faces


def available_images(data_dir: Path) -> dict[str, list[Face]]:
    """Ground truth restricted to the images present under ``data_dir/images``."""
    gt = parse_gt(data_dir / GT_FILE)
    present = {p.relative_to(data_dir / "images").as_posix() for p in (data_dir / "images").rglob("*.jpg")}
    missing_gt = present - gt.keys()
    if missing_gt:
        raise SystemExit(f"images without ground truth: {sorted(missing_gt)}")
    return {rel: gt[rel] for rel in sorted(present)}


# -- running -------------------------------------------------------------------------------------
@dataclass
class Run:
    """Wall and CPU times of every repeat and the outputs kept from the last one."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + sys of the tool's process, seconds
    outputs: dict[str, Path] = field(default_factory=dict)  # image rel path -> kept output

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def stage(sources: dict[str, Path], in_dir: Path) -> dict[str, Path]:
    """Copy inputs into one flat folder (names are unique in WIDER FACE); key -> staged path.

    Fresh copies for every run because deface writes beside its inputs and an input must never
    be confused with an earlier output.
    """
    in_dir.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    for key, src in sources.items():
        dst = in_dir / src.name
        if dst.exists():
            raise SystemExit(f"duplicate file name when flattening inputs: {src.name}")
        shutil.copyfile(src, dst)
        staged[key] = dst
    return staged


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_call(argv: list[str]) -> tuple[float, float]:
    """Run one CLI call to completion and return its wall and CPU time (user + sys of the process and
    any it waited for); fail loudly with its stderr."""
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=tool_env())
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"{shlex.join(argv)} exited {proc.returncode}:\n{tail}")
    return elapsed, cpu


def run_tool(tool: Tool, sources: dict[str, Path], repeat: int, keep_dir: Path) -> Run:
    """Run ``tool`` once per repeat over all ``sources``; keep the last run's outputs in keep_dir."""
    result = Run()
    if keep_dir.exists():
        shutil.rmtree(keep_dir)
    keep_dir.mkdir(parents=True)
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix=f"bench-{tool.name}-") as tmp:
            in_dir, out_dir = Path(tmp) / "in", Path(tmp) / "out"
            staged = stage(sources, in_dir)
            argv = tool.argv(tool.exe, tool.targets(in_dir, list(staged.values())), out_dir)
            wall, cpu = timed_call(argv)
            result.times.append(wall)
            result.cpu.append(cpu)
            if i == repeat - 1:
                result.outputs = keep_outputs(tool, staged, in_dir, out_dir, keep_dir)
    return result


def keep_outputs(tool: Tool, staged: dict[str, Path], in_dir: Path, out_dir: Path,
                 keep_dir: Path) -> dict[str, Path]:
    """Copy each output out of the temporary folder; a missing output is an error, not a miss."""
    kept: dict[str, Path] = {}
    for key, src in staged.items():
        produced = tool.output_for(src, in_dir, out_dir)
        if not produced.exists():
            raise SystemExit(f"{tool.name} wrote no output for {key} (expected {produced})")
        kept[key] = keep_dir / produced.name
        shutil.copyfile(produced, kept[key])
    return kept


# -- scoring -------------------------------------------------------------------------------------
def load_rgb(path: Path) -> np.ndarray:
    """Decode to an int16 RGB array so differences cannot wrap around."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def changed_mask(before: np.ndarray, after: np.ndarray, tol: int = TOL) -> np.ndarray:
    """Boolean (H, W): pixels whose largest channel difference exceeds ``tol``."""
    if before.shape != after.shape:
        raise ValueError(f"output size {after.shape[1::-1]} differs from input {before.shape[1::-1]}")
    return np.abs(before - after).max(axis=2) > tol


def box_changed_fraction(mask: np.ndarray, face: Face) -> float:
    """Share of the face box's pixels (clipped to the image) that changed."""
    h, w = mask.shape
    x0, y0 = max(face.x, 0), max(face.y, 0)
    x1, y1 = min(face.x + face.w, w), min(face.y + face.h, h)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float(mask[y0:y1, x0:x1].mean())


@dataclass
class Score:
    """Per-face changed fractions and per-image changed area for one tool."""

    face_fractions: list[tuple[Face, float]] = field(default_factory=list)
    image_areas: dict[str, float] = field(default_factory=dict)
    outside_areas: dict[str, float] = field(default_factory=dict)  # changed, outside every padded GT face

    def recall(self, keep: Callable[[Face], bool]) -> tuple[int, int]:
        """(covered, total) over the faces selected by ``keep``."""
        sel = [frac for face, frac in self.face_fractions if keep(face)]
        return sum(frac >= COVER_FRACTION for frac in sel), len(sel)

    @property
    def mean_area(self) -> float:
        return float(np.mean(list(self.image_areas.values())))

    @property
    def mean_outside(self) -> float:
        return float(np.mean(list(self.outside_areas.values())))


OUTSIDE_PAD = 0.5  # a ground-truth face box grown by half its size on each side holds the whole head


def outside_faces(mask: np.ndarray, faces: list[Face]) -> float:
    """Share of the image changed outside every ground-truth face grown by OUTSIDE_PAD per side:
    what a tool covers that is not a head (false positives, oversized masks)."""
    keep = mask.copy()
    h, w = mask.shape
    for f in faces:
        px, py = OUTSIDE_PAD * f.w, OUTSIDE_PAD * f.h
        x0, y0 = max(0, int(f.x - px)), max(0, int(f.y - py))
        x1, y1 = min(w, int(f.x + f.w + px + 1)), min(h, int(f.y + f.h + py + 1))
        keep[y0:y1, x0:x1] = False
    return float(keep.mean())


def score(gt: dict[str, list[Face]], sources: dict[str, Path], outputs: dict[str, Path]) -> Score:
    """Compare every output with its input and measure each ground-truth face."""
    result = Score()
    for key, faces in gt.items():
        try:
            mask = changed_mask(load_rgb(sources[key]), load_rgb(outputs[key]))
        except ValueError as exc:
            raise SystemExit(f"{key}: {exc}") from exc
        result.image_areas[key] = float(mask.mean())
        result.outside_areas[key] = outside_faces(mask, faces)
        result.face_fractions.extend((face, box_changed_fraction(mask, face)) for face in faces)
    return result


def jpeg_noise(paths: Iterable[Path], tol: int = TOL) -> dict[str, float]:
    """Largest fraction of pixels above ``tol`` after a plain JPEG re-encode, per setting.

    This is the false "change" a tool produces by merely re-saving, so it must stay negligible.
    """
    worst = {label: 0.0 for label, _, _ in NOISE_SETTINGS}
    for path in paths:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
        before = np.asarray(rgb, dtype=np.int16)
        for label, quality, subsampling in NOISE_SETTINGS:
            buf = io.BytesIO()
            rgb.save(buf, "JPEG", quality=quality, subsampling=subsampling)
            buf.seek(0)
            after = np.asarray(Image.open(buf).convert("RGB"), dtype=np.int16)
            worst[label] = max(worst[label], float(changed_mask(before, after, tol).mean()))
    return worst


def fill_ceiling(gt: dict[str, list[Face]], sources: dict[str, Path], colour: tuple[int, int, int]) -> Score:
    """Score of a perfect tool that fills every GT box exactly with ``colour``.

    Shows how much the pixel test itself under-counts a fill colour (dark faces under black fill),
    so a tool's misses can be told apart from the metric's blind spot.
    """
    result = Score()
    for key, faces in gt.items():
        before = load_rgb(sources[key])
        mask = changed_mask(before, np.broadcast_to(np.array(colour, np.int16), before.shape))
        result.face_fractions.extend((face, box_changed_fraction(mask, face)) for face in faces)
    return result


# -- reporting -----------------------------------------------------------------------------------
RECALL_ROWS: tuple[tuple[str, Callable[[Face], bool]], ...] = (
    *((f"recall {label}", (lambda f, lo=lo, hi=hi: lo <= f.h < hi)) for label, lo, hi in BUCKETS),
    ("recall h >= 16", lambda f: f.h >= 16),
    ("recall, all faces", lambda f: True),
    ("recall, visible (h >= 16, occlusion != heavy)", lambda f: f.visible),
)


def _pct(covered: int, total: int) -> str:
    return f"{100 * covered / total:.1f}% ({covered}/{total})" if total else "n/a (0/0)"


def _row(label: str, cells: dict[str, tuple[str, float | None]], both: bool) -> list[str]:
    """One table row: each tool's shown text, then each unseen variant / deface of the numbers."""
    row = [label, *(text for text, _ in cells.values())]
    if both:
        d = cells["deface"][1]
        for name, (_, u) in cells.items():
            if name != "deface":
                row.append(f"{u / d:.2f}" if u is not None and d else "")
    return row


def table(scores: dict[str, Score], runs: dict[str, Run], n_images: int, repeat: int) -> str:
    """Markdown table: one column per tool, plus unseen/deface when both ran."""
    names = list(scores)
    both = "deface" in scores and len(scores) > 1
    rows: list[list[str]] = []
    for label, keep in RECALL_ROWS:
        counts = {n: scores[n].recall(keep) for n in names}
        cells = {n: (_pct(c, t), c / t if t else None) for n, (c, t) in counts.items()}
        rows.append(_row(label, cells, both))
    area = {n: scores[n].mean_area for n in names}
    med = {n: runs[n].median for n in names}
    rows.append(_row("changed area, mean over images", {n: (f"{100 * a:.2f}%", a) for n, a in area.items()},
                     both))
    out = {n: scores[n].mean_outside for n in names}
    rows.append(_row(f"changed outside ground-truth faces grown {OUTSIDE_PAD:.0%} per side, mean (worst image)",
                     {n: (f"{100 * a:.2f}% ({100 * max(scores[n].outside_areas.values()):.2f}%)", a)
                      for n, a in out.items()}, both))
    rows.append(_row(f"wall time, median of {repeat} (s)", {n: (f"{m:.2f}", m) for n, m in med.items()},
                     both))
    rows.append(_row("images/s", {n: (f"{n_images / m:.2f}", n_images / m) for n, m in med.items()}, both))
    cpu = {n: statistics.median(runs[n].cpu) for n in names if runs[n].cpu}
    if len(cpu) == len(names):
        rows.append(_row(f"CPU time (user + sys), median of {repeat} (s)", {n: (f"{c:.2f}", c) for n, c in cpu.items()},
                         both))
    if both and repeat > 1:
        # The same ratio paired round by round: each round's tools ran back to back, so a burst of load
        # on this shared machine weighs on both sides of a pair, less on the ratio of two medians.
        paired = {n: [t / d for t, d in zip(runs[n].times, runs["deface"].times, strict=True)]
                  for n in names if n != "deface"}
        row = [f"wall time / deface's in the same round, median of {repeat} (range)"]
        row += [f"{statistics.median(paired[n]):.2f} ({min(paired[n]):.2f}-{max(paired[n]):.2f})"
                if n in paired else "1.00" for n in names]
        row += [f"{statistics.median(paired[n]):.2f}" for n in names if n != "deface"]
        rows.append(row)
    head = ["metric", *names, *([f"{n} / deface" for n in names if n != "deface"] if both else [])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def ceiling_text(gt: dict[str, list[Face]], sources: dict[str, Path]) -> str:
    """One sentence: what a perfect black and a perfect grey box fill would score."""
    parts = []
    for label, colour in (("black", (0, 0, 0)), ("grey 128", (128, 128, 128))):
        ceiling = fill_ceiling(gt, sources, colour)
        parts.append(f"{label}: h >= 16 {_pct(*ceiling.recall(lambda f: f.h >= 16))}, "
                     f"visible {_pct(*ceiling.recall(lambda f: f.visible))}")
    return ("Metric ceiling (a perfect fill of every ground-truth box; dark pixels under a dark fill do not "
            "count as changed): " + "; ".join(parts) + ".")


def report_body(gt: dict[str, list[Face]], tools: list[Tool], versions: dict[str, str], tbl: str,
                noise: dict[str, float], data_dir: Path, machine_info: str) -> str:
    """The markdown section: provenance first, so a reader can rerun it, then the numbers."""
    n_faces = sum(len(f) for f in gt.values())
    sources = {rel: data_dir / "images" / rel for rel in gt}
    noise_text = "; ".join(f"{label}: {100 * frac:.4f}%" for label, frac in noise.items())
    tool_lines = [f"- {t.name} {versions[t.name]}: {t.settings}" for t in tools]
    return "\n".join([
        f"Command: `{command_line()}`  ",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {machine_info}  ",
        f"Data: {len(gt)} WIDER FACE val images from `{data_dir}`, {n_faces} ground-truth faces "
        "(faces flagged invalid skipped).",
        "",
        *tool_lines,
        "",
        "Each tool runs once per repeat as a subprocess over the whole folder (wall clock includes "
        f"start-up and model loading). A face is covered when >= {COVER_FRACTION:.0%} of its ground-truth "
        f"box changed by more than {TOL}/255 in some channel (same pixel test for every tool).",
        "",
        tbl,
        "",
        f"JPEG re-encode noise (share of pixels above TOL={TOL} after re-saving with no mask, worst image): "
        f"{noise_text}.",
        "",
        ceiling_text(gt, sources),
    ])


def list_missed(score_: Score, name: str) -> str:
    """Missed faces, largest first: what to look at when recall drops."""
    missed = [(f, frac) for f, frac in score_.face_fractions if frac < COVER_FRACTION]
    missed.sort(key=lambda item: -item[0].h)
    lines = [f"Missed by {name}: {len(missed)} faces", "image\tx y w h\theight\tocclusion\tchanged"]
    lines += [f"{f.image}\t{f.x} {f.y} {f.w} {f.h}\t{f.h}\t{f.occlusion}\t{frac:.2f}" for f, frac in missed]
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WIDER FACE folder (images/ + GT file)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where each tool's outputs are kept")
    p.add_argument("--tools", default="unseen,unseen-faces,deface",
                   help="comma-separated: unseen, deface, or unseen with options: " + ", ".join(UNSEEN_VARIANTS))
    p.add_argument("--repeat", type=int, default=3, help="runs per tool; the median wall time is reported")
    p.add_argument("--write-md", action="store_true", help=f"write the section into {BENCHMARKS_MD}")
    p.add_argument("--list-missed", metavar="TOOL", help="print the faces TOOL left uncovered")
    p.add_argument("--unseen-bin", type=Path, help="unseen executable (default: the venv's console script)")
    p.add_argument("--deface-bin", type=Path, help=f"deface executable (default: {DEFACE_BIN})")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    if args.list_missed and args.list_missed not in names:
        raise SystemExit(f"--list-missed {args.list_missed}: not among --tools {names}")
    overrides = {"unseen": args.unseen_bin, "deface": args.deface_bin,
                 **dict.fromkeys(UNSEEN_VARIANTS, args.unseen_bin)}
    tools = [make_tool(n, overrides.get(n)) for n in names]
    machine_info = machine()  # before the runs, so the load average is not our own
    gt = available_images(args.data)
    sources = {rel: args.data / "images" / rel for rel in gt}

    runs: dict[str, Run] = {t.name: Run() for t in tools}
    # Interleave the tools (A B A B ...) so a burst of load on this shared machine hits all alike, in
    # the reverse order every other round (A B, B A, ...) so that no tool always runs first after a pause.
    for i in range(args.repeat):
        for tool in (tools if i % 2 == 0 else tools[::-1]):
            print(f"run {i + 1}/{args.repeat}: {tool.name} ...", file=sys.stderr)
            one = run_tool(tool, sources, 1, args.out / tool.name)
            runs[tool.name].times += one.times
            runs[tool.name].cpu += one.cpu
            runs[tool.name].outputs = one.outputs
    scores = {t.name: score(gt, sources, runs[t.name].outputs) for t in tools}

    versions = {t.name: tool_version(t) for t in tools}
    tbl = table(scores, runs, len(gt), args.repeat)
    body = report_body(gt, tools, versions, tbl, jpeg_noise(sources.values()), args.data,
                       machine_info)
    print(body)
    for tool in tools:
        print(f"\n{tool.name} wall times (s): {', '.join(f'{t:.2f}' for t in runs[tool.name].times)}",
              file=sys.stderr)
    if args.list_missed:
        print("\n" + list_missed(scores[args.list_missed], args.list_missed))
    if args.write_md:
        write_md(SECTION, body)
        print(f"\nwrote section to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
