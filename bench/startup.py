"""What the command costs after its work: the quick exit of ``unseen.cli.end`` (issue 11).

Every run of ``unseen`` pays a fixed cost on one core: the interpreter starting and importing
numpy, onnxruntime and Pillow before the first photo, and tearing all that down after the last
one. ``cli.end`` skips the teardown once ``main`` has returned 0 or 1 (every output written and
renamed, the threads that write them joined): it runs the exit handlers, flushes stdout and stderr
and ends the process. This benchmark runs the same work both ways, interleaved, with deface (the
peer) beside them: the 8 WIDER FACE photos in one call and one of them alone, ``--cover faces``
(deface's job), each tool once per round, the order of the tools turned round every other round.

- "unseen": ``main`` then ``cli.end`` (what the ``unseen`` command runs);
- "unseen, ordinary exit": ``main`` then ``sys.exit``, which tears the interpreter down before the
  process ends, as the command did before;
- "deface": ``deface --replacewith solid`` on fresh copies of the same photos (it writes beside them).

Both unseen variants start the same way (``python -c``) and write the time at which ``main``
returned to a file; "exit ms" is from then until this script sees the process gone (its wait
included), the part of the wall time the quick exit is about. Single runs of a photo vary by tens of
milliseconds here, more than the exit, so the exit is timed on its own as well as in the totals.

    python bench/startup.py [--repeat 12] [--write-md]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, command_line, emit, git_revision, machine, tool_env  # noqa: E402
from protection import make_tool  # noqa: E402

HEADING = "## Start-up and exit: the command's fixed cost (bench/startup.py)"
WIDER = REPO.parent / "shared" / "data" / "widerface"
DEFACE = make_tool("deface")  # deface as the protection benchmark runs it (--replacewith solid)
# the child: ``main``, the time it returned written to argv[1], then the exit under test
CHILD = ("import sys, time\nfrom unseen.cli import end, main\nstamp = sys.argv.pop(1)\ncode = main()\n"
         "with open(stamp, 'w') as f:\n    f.write(repr(time.time()))\n{exit}(code)\n")
UNSEEN = {"unseen": CHILD.format(exit="end"), "unseen, ordinary exit": CHILD.format(exit="sys.exit")}
TOOLS = (*UNSEEN, "deface")


def argv(tool: str, photos: list[Path], out: Path, stamp: Path) -> list[str]:
    """The command line of ``tool`` on ``photos`` (deface's are copies in ``out``: it writes beside them)."""
    if tool == "deface":
        return DEFACE.argv(DEFACE.exe, DEFACE.targets(out, photos), out)
    return [sys.executable, "-c", UNSEEN[tool], str(stamp), *map(str, photos), "-o", str(out), "--force", "-q",
            "--cover", "faces"]


def timed(tool: str, photos: list[Path], work: Path) -> tuple[float, float]:
    """Wall seconds of one run of ``tool`` on ``photos`` (a fresh output folder or fresh copies), and
    the seconds from ``main``'s return to the process's end (NaN for deface)."""
    out = work / tool.replace(" ", "_").replace(",", "")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    stamp = work / "main-returned"
    stamp.unlink(missing_ok=True)
    if tool == "deface":
        photos = [Path(shutil.copy2(p, out / p.name)) for p in photos]
    cmd = argv(tool, photos, out, stamp)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=tool_env())
    took, ended = time.perf_counter() - start, time.time()
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
    return took, (ended - float(stamp.read_text())) if tool in UNSEEN else float("nan")


def rows_for(label: str, photos: list[Path], repeat: int, work: Path) -> list[str]:
    """Medians of ``repeat`` interleaved rounds, and the ratios paired round by round."""
    times: dict[str, list[float]] = {t: [] for t in TOOLS}
    exits: dict[str, list[float]] = {t: [] for t in UNSEEN}
    for r in range(repeat):
        for tool in TOOLS if r % 2 == 0 else reversed(TOOLS):
            took, exit_s = timed(tool, photos, work)
            times[tool].append(took)
            if tool in UNSEEN:
                exits[tool].append(exit_s)
    med = {t: statistics.median(v) for t, v in times.items()}
    ex = {t: statistics.median(v) * 1000 for t, v in exits.items()}

    def paired(a: str, b: str) -> str:
        ratios = [x / y for x, y in zip(times[a], times[b], strict=True)]
        return f"{statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f})"

    row = (f"| {label} | {med['unseen']:.3f} | {med['unseen, ordinary exit']:.3f} | {med['deface']:.3f} | "
           f"{ex['unseen']:.0f} | {ex['unseen, ordinary exit']:.0f} | {paired('unseen', 'unseen, ordinary exit')} | "
           f"{paired('unseen', 'deface')} | {paired('unseen, ordinary exit', 'deface')} |")
    print(row, flush=True)
    return [row]


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
             "| work | unseen s | unseen, ordinary exit s | deface s | unseen exit ms | ordinary exit ms | "
             "unseen / ordinary exit, paired (range) | unseen / deface, paired | ordinary exit / deface, paired |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|", *rows]
    emit(HEADING, lines, args.write_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
