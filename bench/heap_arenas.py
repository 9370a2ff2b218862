"""The C heap: peak memory and cost of unseen with glibc's default malloc arenas and with its own two.

Why: freed memory that stays in a thread's malloc arena counts in the peak RSS as much as memory in
use; since ``unseen.heap.fewer_arenas`` the command caps glibc's arenas at ``heap.ARENAS`` (glibc's
default is 8 per core). The command keeps a user's own ``MALLOC_ARENA_MAX``, so one checkout runs
both ways: ``MALLOC_ARENA_MAX=<8 x nproc>`` (what glibc does unasked) against no setting (unseen's).

Inputs: the real 12 MP photo and its enlargement to 8K (as ``big_photos.py`` makes them), and two 8K
frames of that photo as an APNG with ``--verify`` (as ``animation_memory.py`` makes it; the case over
the 1.5 GiB bar). Each: ``python -m unseen FILE -o DIR -q --force`` at its defaults, both ways
interleaved; wall, CPU and peak RSS (``ru_maxrss``) of each run and whether both wrote the same bytes.

Usage: ``python bench/heap_arenas.py [--repeat N] [--only 12 MP,8K,8K APNG --verify] [--write-md]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import animation_memory  # noqa: E402
import big_photos  # noqa: E402
from benchlib import cost_cell, emit, machine, run_header, run_into, say_run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## The C heap: arenas (bench/heap_arenas.py)"
OUT = REPO / "bench" / "out" / "heap_arenas"
PYTHON = REPO / ".venv" / "bin" / "python"
GLIBC_DEFAULT = 8 * (os.cpu_count() or 1)  # glibc's arena limit on 64-bit when nobody sets one


def inputs() -> list[tuple[str, Path, bool]]:
    """(label, path, with --verify)."""
    photos = {label: path for label, path, _ in big_photos.inputs(big_photos.OUT / "input")}
    anims = dict(animation_memory.inputs(animation_memory.OUT / "input"))
    rows = [("12 MP", photos["12 MP"], False), ("8K", photos["8K"], False)]
    if "two 8K photo frames, APNG" in anims:
        rows.append(("8K APNG --verify", anims["two 8K photo frames, APNG"], True))
    return rows


def argv_for(src: Path, out: Path, verify: bool, arenas: int | None) -> list[str]:
    pin = ["env", f"MALLOC_ARENA_MAX={arenas}"] if arenas else []
    return [*pin, str(PYTHON), "-m", "unseen", str(src), "-o", str(out), "--force", "-q",
            *(["--verify"] if verify else [])]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--only", help="comma-separated labels: 12 MP,8K,8K APNG --verify")
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    machine_info = machine()
    rows = inputs()
    if args.only:
        rows = [r for r in rows if r[0] in args.only.split(",")]
    ways = {"glibc": GLIBC_DEFAULT, "unseen": None}
    runs: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    outputs: dict[tuple[str, str], set[bytes | None]] = {}
    for label, src, verify in rows:
        for i in range(args.repeat):
            for way in (list(ways) if i % 2 == 0 else list(ways)[::-1]):
                r, data = run_into(argv_for(src, OUT / way, verify, ways[way]), OUT / way)
                runs.setdefault((label, way), []).append(r)
                outputs.setdefault((label, way), set()).add(data)
                say_run(label, way, r)

    def med(label: str, way: str, i: int) -> float:
        return statistics.median(r[i] for r in runs[(label, way)])

    lines = ["| input | glibc's arenas: wall s / CPU s / peak RSS MiB | unseen's: wall s / CPU s / peak RSS MiB "
             "| unseen / glibc: RSS, CPU | same bytes |", "|---|---|---|---|---|"]
    for label, src, verify in rows:
        same = len(outputs[(label, "glibc")] | outputs[(label, "unseen")]) == 1
        lines.append(f"| {label}: `{src.name}`{' with `--verify`' if verify else ''} "
                     f"| {cost_cell(runs[(label, 'glibc')])} | {cost_cell(runs[(label, 'unseen')])} "
                     f"| {med(label, 'unseen', 2) / med(label, 'glibc', 2):.2f}x, "
                     f"{med(label, 'unseen', 1) / med(label, 'glibc', 1):.2f}x | {'yes' if same else 'no'} |")
    body = [*run_header(machine_info),
            f"Medians of {args.repeat} interleaved rounds; `python -m unseen FILE -o DIR -q --force` (defaults: faces "
            f"and plates), glibc's way with `MALLOC_ARENA_MAX={GLIBC_DEFAULT}` (8 per core, glibc's own limit), "
            "unseen's with none set (the command sets `unseen.heap.ARENAS`).", "", *lines]
    emit(SECTION, body, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
