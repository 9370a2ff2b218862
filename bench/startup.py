"""What the command costs besides its work: start-up and exit (issue 11).

Every run of ``unseen`` pays a fixed cost: the interpreter starting and importing numpy, onnxruntime
and Pillow before the first photo, and tearing all that down after the last one. Two things cut it:

- ``cli.end`` skips the teardown once ``main`` has returned 0 or 1 (every output written and renamed,
  the threads that write them joined): it runs the exit handlers, flushes stdout and stderr and ends
  the process;
- ``cli.choose_threads`` asks numpy's OpenBLAS for one thread before numpy loads (it starts one per
  core otherwise, and unseen does no linear algebra worth a thread).

This benchmark runs the same work with and without each, interleaved, with deface (the peer) beside
them: the 8 WIDER FACE photos in one call and one of them alone, ``--cover faces`` (deface's job), each
run once per round, the order turned round every other round.

- "unseen": ``choose_threads``, ``main``, then ``cli.end``: what the ``unseen`` command runs;
- "unseen, numpy's own BLAS threads": the same without ``choose_threads``;
- "unseen, ordinary exit": ``choose_threads``, ``main``, then ``sys.exit``, which tears the interpreter
  down before the process ends;
- "deface": ``deface --replacewith solid`` on fresh copies of the same photos (it writes beside them).

The unseen variants start the same way (``python -c``) and write the time at which ``main`` returned
to a file; "exit ms" is from then until this script sees the process gone (its wait included). CPU is
the user + system time of the run's process. Single runs of a photo vary by tens of milliseconds
here, more than the exit, so the exit is timed on its own as well as in the totals.

    python bench/startup.py [--repeat 12] [--write-md]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from anonymisers import make_tool  # noqa: E402
from benchlib import REPO, command_line, emit, git_revision, machine, tool_env  # noqa: E402

HEADING = "## Start-up and exit: the command's fixed cost (bench/startup.py)"
WIDER = REPO.parent / "shared" / "data" / "widerface"
DEFACE = make_tool("deface")  # deface as the protection benchmark runs it (--replacewith solid)
# the child: the threads chosen (or not), ``main``, the time it returned written to argv[1], the exit under test
CHILD = ("import sys, time\nfrom unseen.cli import choose_threads, end, main\n{threads}stamp = sys.argv.pop(1)\n"
         "code = main()\nwith open(stamp, 'w') as f:\n    f.write(repr(time.time()))\n{exit}(code)\n")
UNSEEN = {"unseen": CHILD.format(threads="choose_threads()\n", exit="end"),
          "unseen, numpy's own BLAS threads": CHILD.format(threads="", exit="end"),
          "unseen, ordinary exit": CHILD.format(threads="choose_threads()\n", exit="sys.exit")}
TOOLS = (*UNSEEN, "deface")


def argv(tool: str, photos: list[Path], out: Path, stamp: Path) -> list[str]:
    """The command line of ``tool`` on ``photos`` (deface's are copies in ``out``: it writes beside them)."""
    if tool == "deface":
        return DEFACE.argv(DEFACE.exe, DEFACE.targets(out, photos), out)
    return [sys.executable, "-c", UNSEEN[tool], str(stamp), *map(str, photos), "-o", str(out), "--force", "-q",
            "--cover", "faces"]


def child_env() -> dict[str, str]:
    """The tools' environment without a BLAS thread setting of this shell's (the variants choose)."""
    return {k: v for k, v in tool_env().items() if not k.startswith("OPENBLAS")}


def timed(tool: str, photos: list[Path], work: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds of one run of ``tool`` on ``photos`` (a fresh output folder or fresh copies),
    and the seconds from ``main``'s return to the process's end (NaN for deface)."""
    out = work / "".join(c if c.isalnum() else "_" for c in tool)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    stamp = work / "main-returned"
    stamp.unlink(missing_ok=True)
    if tool == "deface":
        photos = [Path(shutil.copy2(p, out / p.name)) for p in photos]
    cmd = argv(tool, photos, out, stamp)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=child_env())
    took, ended = time.perf_counter() - start, time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
    return took, cpu, (ended - float(stamp.read_text())) if tool in UNSEEN else float("nan")


def rows_for(label: str, photos: list[Path], repeat: int, work: Path) -> list[str]:
    """Medians of ``repeat`` interleaved rounds, and the ratios paired round by round."""
    runs: dict[str, list[tuple[float, float, float]]] = {t: [] for t in TOOLS}
    for r in range(repeat):
        for tool in TOOLS if r % 2 == 0 else reversed(TOOLS):
            runs[tool].append(timed(tool, photos, work))

    def med(tool: str, i: int) -> float:
        return statistics.median(x[i] for x in runs[tool])

    def paired(a: str, b: str, i: int) -> str:
        ratios = [x[i] / y[i] for x, y in zip(runs[a], runs[b], strict=True)]
        return f"{statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f})"

    rows = []
    for tool in TOOLS:
        exit_ms = f"{med(tool, 2) * 1000:.0f}" if tool in UNSEEN else ""
        against = "" if tool == "unseen" else f"{paired(tool, 'unseen', 0)} | {paired(tool, 'unseen', 1)}"
        rows.append(f"| {label} | {tool} | {med(tool, 0):.3f} | {med(tool, 1):.3f} | {exit_ms} | "
                    f"{paired(tool, 'deface', 0) if tool != 'deface' else ''} | "
                    f"{paired(tool, 'deface', 1) if tool != 'deface' else ''} | {against or ' | '} |")
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=12)
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args()
    photos = sorted((WIDER / "images").rglob("*.jpg"))
    if not photos:
        raise SystemExit(f"needs the shared data: {WIDER}")
    if not Path(DEFACE.exe).exists():
        raise SystemExit(f"missing {DEFACE.exe} (bench/setup_peers.sh installs it)")
    prov = (f"Command: `{command_line()}`  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"machine: {machine()}; unseen git {git_revision()}; medians of {args.repeat} interleaved rounds (wall "
            "seconds, start-up and model loading included).")
    with tempfile.TemporaryDirectory(prefix="unseen-startup-") as tmp:
        rows = rows_for(f"{len(photos)} WIDER photos, one call", photos, args.repeat, Path(tmp))
        rows += rows_for(f"one photo ({photos[0].name})", photos[:1], args.repeat, Path(tmp))
    lines = [prov, "", __doc__.split("\n\n", 1)[1].split("\n\n    python")[0].strip(), "",
             "| work | run | wall s | CPU s | exit ms | wall / deface's, paired (range) | CPU / deface's, paired | "
             "wall / unseen's, paired | CPU / unseen's, paired |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|", *rows]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
