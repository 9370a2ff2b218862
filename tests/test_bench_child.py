"""A benchmark's child is measured alone (bench/benchlib.py ``run_child``).

Peak RSS is read from the child's own resource usage. When Python started children with vfork, a child
ran on its parent's memory map until its exec, and Linux started the child's peak from that map's:
after the benchmark itself had built an 8K animation (1721 MiB), every child it ran reported 1721 MiB.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from benchlib import run_child
big = bytearray(b"\x01") * (600 * 2**20)  # the parent's own peak, every page written
del big
print(run_child([sys.executable, "-c", "pass"])[2])
"""


def test_a_child_s_peak_rss_does_not_include_its_parent_s():
    out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "bench")], capture_output=True, text=True,
                         check=True)
    child_mib = float(out.stdout.strip())
    assert 0 < child_mib < 200, f"a bare interpreter measured at {child_mib:.0f} MiB after a 600 MiB parent"
