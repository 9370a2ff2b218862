"""Benchmark sections in docs/BENCHMARKS.md keep the notes people wrote under them (bench/benchlib.py).

A benchmark run with ``--write-md`` replaces its section; the paragraph a person wrote after an earlier
run (why a figure moved, what was looked at by eye) used to go with it, to be restored from git by hand.
"""

from __future__ import annotations

import importlib

import pytest
from conftest import ROOT


@pytest.fixture
def benchlib(monkeypatch):
    """bench/benchlib.py, imported from the bench folder (not a package)."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("benchlib")


SECTION = "## Speed (bench/x.py)"
DOC = """# Benchmarks

## Speed (bench/x.py)

Date: 2026-12-01 21:59 UTC; machine: nproc 2

| run | s |
|---|---:|
| a | 1.0 |

Hand-written after the run. Row a moved because of the new cache (looked at by eye on frame 3).

Second paragraph of the note.

## Other (bench/y.py)

Untouched.
"""


def test_a_rerun_keeps_the_hand_written_note_and_says_which_run_it_was_written_for(benchlib):
    once = benchlib.replace_section(DOC, SECTION, "Date: 2026-12-02 08:00 UTC; machine: nproc 2\n\n| a | 0.9 |")
    section = once.split(SECTION)[1].split("## Other")[0]
    assert "| a | 0.9 |" in section and "| a | 1.0 |" not in section
    assert "its run: 2026-12-01 21:59 UTC" in section
    assert section.index("| a | 0.9 |") < section.index("Kept from") < section.index("Hand-written after the run.")
    assert "Second paragraph of the note." in section
    assert once.endswith("## Other (bench/y.py)\n\nUntouched.\n")
    # A second re-run keeps the note with the run it was written for, not the one it last stood under.
    twice = benchlib.replace_section(once, SECTION, "Date: 2026-12-03 08:00 UTC\n\n| a | 0.8 |")
    section = twice.split(SECTION)[1].split("## Other")[0]
    assert section.count("Kept from") == 1 and "its run: 2026-12-01 21:59 UTC" in section
    assert "| a | 0.9 |" not in section and section.count("Hand-written after the run.") == 1


def test_a_run_that_writes_its_own_note_replaces_the_old_one(benchlib):
    out = benchlib.replace_section(DOC, SECTION, "| a | 0.7 |\n\nHand-written after the run. New words.")
    assert "New words." in out and "looked at by eye" not in out and "Kept from" not in out


def test_a_kept_note_names_the_run_nearest_above_it(benchlib):
    """A section of subsections (the corpus sweep's) holds several runs: the note follows the last."""
    doc = DOC.replace("| a | 1.0 |\n", "| a | 1.0 |\n\n### Second\n\n- Run: 2026-11-30, unseen 0.1.0\n")
    out = benchlib.replace_section(doc, SECTION, "| a | 0.7 |")
    assert "its run: 2026-11-30)" in out and "21:59" not in out


def test_a_section_without_a_note_is_replaced_whole(benchlib):
    doc = DOC.replace("Hand-written after the run.", "Generated:")
    out = benchlib.replace_section(doc, SECTION, "| a | 0.7 |")
    assert "Generated:" not in out and "Kept from" not in out


def test_every_line_under_the_marker_is_kept_even_without_the_usual_first_words(benchlib):
    """The slip table lost 55 lines a person had written above the first "Hand-written" line (2026-12-04)."""
    once = benchlib.replace_section(DOC, SECTION, "Date: 2026-12-02 08:00 UTC\n\n| a | 0.9 |")
    assert once.count(benchlib.GENERATED_END) == 1
    mine = "A paragraph written straight under the table, in words of its own."
    edited = once.replace(benchlib.GENERATED_END + "\n", benchlib.GENERATED_END + "\n\n" + mine + "\n")
    twice = benchlib.replace_section(edited, SECTION, "Date: 2026-12-03 08:00 UTC\n\n| a | 0.8 |")
    section = twice.split(SECTION)[1].split("## Other")[0]
    assert mine in section and "its run: 2026-12-02 08:00 UTC" in section
    assert section.index("| a | 0.8 |") < section.index(benchlib.GENERATED_END) < section.index(mine)
    assert section.count("Hand-written after the run.") == 1 and "| a | 0.9 |" not in section
    assert twice.endswith("## Other (bench/y.py)\n\nUntouched.\n")


def test_a_note_between_generated_subsections_is_kept_without_the_old_subsections(benchlib):
    """A note under the first of two subsections used to carry the second's old table along as a note."""
    body = "### One\n\nDate: 2026-12-02 08:00 UTC\n\n| one | {} |\n\n### Two\n\n| two | {} |"
    note = "Hand-written after the run. Subsection one's row looked at by eye."
    for doc in (DOC.split(SECTION)[0] + SECTION + "\n\n" + body.format(1, 1) + "\n\n" + note
                + "\n\n### Two\n\n| two | 1 |\n\n## Other (bench/y.py)\n\nUntouched.\n",  # before the marker
                benchlib.replace_section(DOC, SECTION, body.format(1, 1)).replace("\n### Two", note + "\n\n### Two")):
        out = benchlib.replace_section(doc, SECTION, body.format(2, 2))
        section = out.split(SECTION)[1].split("## Other")[0]
        assert note in section and "| two | 1 |" not in section and "| one | 1 |" not in section, section
        assert section.count("### Two") == 1 and section.index("| two | 2 |") < section.index(note)
