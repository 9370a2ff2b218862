"""The anonymisers the face benchmarks run as a user would, from their command line: unseen (with its
defaults or other options) and the peer deface; for each, how it is called, where it leaves each output,
and which version it is.

Why a module of its own: bench/protection.py runs and scores these tools, and bench/startup.py and
bench/rotated_faces.py call them the same way. Kept apart from protection.py's running and scoring, the
definitions can be imported without the rest of that benchmark (and protection.py stays under 600 lines).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchlib import REPO, git_revision

DEFACE_BIN = REPO / "bench" / ".venv-deface" / "bin" / "deface"


# -- tools ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tool:
    """How to call one anonymiser from its CLI and where it leaves each output.

    ``targets`` turns (staged input folder, staged files) into what goes on the command line, so a
    tool that takes a folder gets the folder and one that takes files gets the files.
    """

    name: str
    exe: Path
    argv: Callable[[Path, Sequence[Path], Path], list[str]]  # (exe, targets, out_dir) -> argv
    targets: Callable[[Path, Sequence[Path]], list[Path]]
    output_for: Callable[[Path, Path, Path], Path]  # (staged file, in_dir, out_dir) -> output
    version_argv: Callable[[Path], list[str]]
    settings: str  # how it was called, for the report


def _unseen_exe() -> Path:
    """The ``unseen`` console script of the venv that runs this script, else the one on PATH."""
    local = Path(sys.executable).parent / "unseen"
    if local.exists():
        return local
    found = shutil.which("unseen")
    return Path(found) if found else local


def _unseen_output(staged: Path, in_dir: Path, out_dir: Path) -> Path:
    """``-o DIR`` keeps paths relative to each input folder; a file argument lands as DIR/name."""
    return out_dir / (staged.relative_to(in_dir) if staged.is_relative_to(in_dir) else staged.name)


# unseen with other options: name -> (extra arguments, how the table describes them)
UNSEEN_VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "unseen-fast": (("--fast",), "`--fast` (RetinaFace-only passes), otherwise defaults"),
    "unseen-faces": (("--cover", "faces"), "`--cover faces` (no plate pass), otherwise defaults"),
    "unseen-fast-faces": (("--fast", "--cover", "faces"), "`--fast --cover faces`: the cheapest face-only setting"),
    # For a machine with an NVIDIA GPU and unseen[gpu]: fails (no output) if CUDA cannot start.
    "unseen-cuda": (("--device", "cuda"), "`--device cuda`, otherwise defaults"),
    "unseen-cuda-faces": (("--device", "cuda", "--cover", "faces"), "`--device cuda --cover faces`"),
}


def make_tool(name: str, exe: Path | None = None) -> Tool:
    """Build the Tool for ``name`` ('unseen' or 'deface'); ``exe`` overrides the executable."""
    if name == "unseen":
        return Tool(
            name="unseen",
            exe=exe or _unseen_exe(),
            argv=lambda e, t, o: [str(e), *map(str, t), "-o", str(o), "--force", "-q"],
            targets=lambda in_dir, files: [in_dir],
            output_for=_unseen_output,
            version_argv=lambda e: [str(e), "--version"],
            settings="defaults (`-o DIR --force -q`)",
        )
    if name in UNSEEN_VARIANTS:
        base = make_tool("unseen", exe)
        extra, settings = UNSEEN_VARIANTS[name]
        return Tool(
            name=name,
            exe=base.exe,
            argv=lambda e, t, o: [*base.argv(e, t, o), *extra],
            targets=base.targets,
            output_for=base.output_for,
            version_argv=base.version_argv,
            settings=settings,
        )
    if name == "deface":
        return Tool(
            name="deface",
            exe=exe or DEFACE_BIN,
            argv=lambda e, t, o: [str(e), "--replacewith", "solid", *map(str, t)],
            targets=lambda in_dir, files: list(files),
            # deface/deface.py main(): opath = f'{root}_anonymized{ext}' beside each input.
            output_for=lambda f, in_dir, o: f.with_name(f"{f.stem}_anonymized{f.suffix}"),
            version_argv=lambda e: [str(e), "--version"],
            settings="`--replacewith solid` (a black box), other defaults (thresh 0.2, mask-scale 1.3)",
        )
    raise SystemExit(f"unknown tool {name!r}: choose unseen, {', '.join(UNSEEN_VARIANTS)} or deface")


def tool_version(tool: Tool) -> str:
    """Version string as the tool reports it; for unseen also the git commit it was run from."""
    version = _first_output(tool.version_argv(tool.exe)).removeprefix(tool.name.split("-")[0] + " ")
    if tool.name.startswith("unseen") and not version:
        # Without --version, ask the package metadata of the venv the console script belongs to.
        probe = "import importlib.metadata as m; print(m.version('unseen'))"
        version = _first_output([str(tool.exe.parent / "python"), "-c", probe])
    version = version or "unknown"
    if tool.name.startswith("unseen"):
        version = f"{version} (git {git_revision()})"
    return version


def _first_output(argv: list[str]) -> str:
    """Last line a successful command printed, or '' when it failed or could not start."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[-1].strip() if proc.returncode == 0 and lines else ""
