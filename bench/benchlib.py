"""What every benchmark script shares: provenance lines and writing one section of docs/BENCHMARKS.md.

bench/ is a folder of scripts, not a package; each script puts bench/ on ``sys.path`` (running it
does that already) and imports from here rather than keeping its own copy.
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "docs" / "BENCHMARKS.md"
# The shared corpus (../shared/data, or $UNSEEN_SHARED as the tests read it).
SHARED = Path(os.environ.get("UNSEEN_SHARED", REPO.parent / "shared" / "data"))


def tool_env() -> dict[str, str]:
    """The environment a timed tool runs in: this one without ``PYTHONDONTWRITEBYTECODE``.

    A sandbox may set it; then an editable install (``make demo``'s, ours) compiles every module of
    unseen on every run (~20 ms a run measured here), while a peer installed from a wheel got its
    bytecode at install time. Without it both run as on a user's machine: the first run writes the
    cache, the others read it.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def git_revision() -> str:
    """Short commit of the repo plus '-dirty' when tracked files have changes (read before a run)."""
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "none"


def machine() -> str:
    """nproc, CPU model, Python and load: enough to tell whether two timing runs are comparable."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    # The 1-minute load average at start shows whether other work competed for the cores.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}, load avg {load:.2f} at start"


def command_line() -> str:
    """The exact invocation, with the script path relative to the repo when it is inside it."""
    script = Path(sys.argv[0]).resolve()
    shown = script.relative_to(REPO).as_posix() if script.is_relative_to(REPO) else str(script)
    return shlex.join(["python", shown, *sys.argv[1:]])


def run_child(argv: list[str], stdout: IO[bytes] | int = subprocess.DEVNULL) -> tuple[float, float, float, int]:
    """Wall s, CPU s (user + sys), peak RSS MiB and exit code of one child process, read with ``os.wait4``
    so only that run counts; its stderr's tail is printed when it fails."""
    t0 = time.perf_counter()
    # Forked, not vforked: a vforked child runs on this process's memory map until its exec, and Linux
    # starts the child's peak RSS from that map's own peak, so every child measured after this process
    # had built an 8K animation reported this process's 1721 MiB (2026-12-05, "Animations: memory").
    subprocess._USE_VFORK = False  # type: ignore[attr-defined]  # CPython's switch (a module global since 3.11)
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=tool_env())
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code != 0:
        print(f"  exit {code}: {err.strip()[-300:]}", file=sys.stderr)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, code


def run_into(argv: list[str], out: Path) -> tuple[tuple[float, float, float, int], bytes | None]:
    """``run_child(argv)`` for a tool that writes into ``out`` (emptied first): its figures, and the bytes
    of the first file it wrote, or None when it failed or wrote nothing (to compare two versions' outputs)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    r = run_child(argv)
    files = sorted(q for q in out.rglob("*") if q.is_file())
    return r, (files[0].read_bytes() if r[3] == 0 and files else None)


def say_run(label: str, who: str, r: tuple[float, float, float, int]) -> None:
    """One progress line on stderr for a ``run_child`` result."""
    print(f"{label[:34]:34s} {who:6s} wall {r[0]:7.1f} s cpu {r[1]:7.1f} s rss {r[2]:6.0f} MiB rc {r[3]}",
          file=sys.stderr, flush=True)


def cost_cell(runs: list[tuple[float, float, float, int]]) -> str:
    """"wall s / CPU s / peak RSS MiB", medians of ``run_child`` figures, marked when a run failed."""
    med = [statistics.median(r[i] for r in runs) for i in range(3)]
    return f"{med[0]:.1f} / {med[1]:.1f} / {med[2]:.0f}" + ("" if all(r[3] == 0 for r in runs) else " (failed)")


def run_header(machine_info: str) -> list[str]:
    """A section's first two lines: the command that made it, then when, on what and at which revision."""
    import datetime as dt

    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    return [f"Command: `{command_line()}`  ", f"Date: {when}; machine: {machine_info}; unseen git {git_revision()}  "]


HAND_WRITTEN = "Hand-written after the run"  # how a person's note under a benchmark's table begins
KEPT_NOTE = ("Kept from the section as it stood before this run (its run: {date}); the figures above are "
             "newer, so check each figure below against them before quoting it.")


GENERATED_END = "<!-- generated by the command above; a re-run keeps every line below this one as notes -->"
"""Written under each section's generated text, so that a re-run knows exactly where a person's notes begin:
before it, notes were found by their first words only, and a paragraph written above the first "Hand-written"
line was dropped on the next run (55 lines of the slip table's notes on 2026-12-04, restored from git)."""


def _is_note_start(line: str) -> bool:
    return line.startswith((HAND_WRITTEN, KEPT_NOTE[:30]))


def _generated_break(line: str) -> bool:
    """A line that starts generated text again after a note put between two generated subsections."""
    return line.startswith(("### ", "|", "Command:", "Date:", "- Run:", GENERATED_END))


def _notes(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """(the lines above the notes, the notes): what of the old section a re-run keeps, and what it replaces."""
    if GENERATED_END in old:
        cut = old.index(GENERATED_END)
        generated, notes, i = old[:cut], [], 0
        while i < cut:  # a note put between generated subsections is kept too, ahead of those under the marker
            if old[i].startswith(HAND_WRITTEN):
                j = next((k for k in range(i + 1, cut) if _generated_break(old[k])), cut)
                notes += [*old[i:j], ""]
                i = j
            else:
                i += 1
        return generated, notes + old[cut + 1 :]
    # A section written before the marker: its notes begin at the first hand-written or kept line, and a
    # generated subsection the new body writes again is dropped from them (a note between two subsections
    # used to carry the old copy of every later subsection along as if it were a note).
    first = next((i for i, line in enumerate(old) if _is_note_start(line)), len(old))
    redone = {line for line in new if line.startswith("### ")}
    notes, skipping = [], False
    for line in old[first:]:
        if line.startswith("### ") or _is_note_start(line) or line.startswith("## "):
            skipping = line in redone
        if not skipping:
            notes.append(line)
    return old[:first], notes


def replace_section(text: str, heading: str, body: str) -> str:
    """Replace the section under ``heading`` (up to the next ``## ``) or append it.

    A note a person wrote under the old text (every line below its GENERATED_END marker; in a section
    older than the marker, from a line beginning HAND_WRITTEN) is kept under the new body, headed by
    KEPT_NOTE: the notes hold what a table cannot (why a figure moved, what was looked at by eye), and a
    re-run used to drop them silently, to be restored by hand from git. Kept notes are marked, not
    trusted: they were written against the earlier figures. A body that brings its own note replaces
    the old ones."""
    lines = text.splitlines() or ["# Benchmarks"]
    new = [heading, "", *body.strip("\n").splitlines(), "", GENERATED_END, ""]
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        above, notes = _notes(lines[start + 1 : end], new)
        while notes and not notes[0].strip():
            notes.pop(0)
        while notes and not notes[-1].strip():
            notes.pop()
        if notes and not any(line.startswith(HAND_WRITTEN) for line in new):
            if not notes[0].startswith(KEPT_NOTE[:30]):  # written after the run being replaced: say which
                runs = [line.split(":", 1)[1] for line in above if line.startswith(("Date:", "- Run:"))]
                date = runs[-1] if runs else "not recorded"  # the nearest above the note (subsections)
                notes = [KEPT_NOTE.format(date=date.split(";")[0].split(",")[0].strip()), "", *notes]
            new += [*notes, ""]
        lines[start:end] = new
    else:
        if lines[-1].strip():
            lines.append("")
        lines += new
    return "\n".join(lines).rstrip("\n") + "\n"


def write_md(heading: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Write ``body`` as the ``heading`` section of docs/BENCHMARKS.md, leaving other sections alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(old, heading, body))


def emit(heading: str, lines: list[str], write: bool) -> None:
    """Print a section and, with ``--write-md``, write it to docs/BENCHMARKS.md under ``heading``."""
    print("\n".join(lines))
    if write:
        write_md(heading, "\n".join(lines))


def faces_cpu(rgb):
    """``anonymize_image`` covering faces only (the self-check included) and the CPU seconds it took, in
    process: how the benches that switch one pass on and off (halftone, equirect) time each setting."""
    from unseen import Options, anonymize_image

    t = time.process_time()
    shown, _ = anonymize_image(rgb, Options(cover=("face",)))
    return shown, time.process_time() - t
