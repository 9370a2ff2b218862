"""A bug met while one file is made fails that file closed, in one line, and the run goes on."""

from __future__ import annotations

from conftest import FIXTURES

from unseen.cli import main
from unseen.detect import ensemble

BROKEN = FIXTURES / "2008_002470.jpg"  # 500 x 332
FINE = FIXTURES / "2008_007676.jpg"  # 500 x 334


def test_an_unexpected_error_fails_its_file_in_one_line_and_the_others_are_written(tmp_path, monkeypatch, capsys):
    real = ensemble.Detector.detect

    def detect(self, rgb):
        if rgb.shape[0] == 332:
            raise RuntimeError("simulated bug")
        return real(self, rgb)

    monkeypatch.setattr(ensemble.Detector, "detect", detect)
    out = tmp_path / "out"
    assert main([str(BROKEN), str(FINE), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "internal error" in line]
    assert len(lines) == 1 and BROKEN.name in lines[0] and "RuntimeError: simulated bug" in lines[0], err
    assert sorted(p.name for p in out.iterdir()) == [FINE.name]  # nothing at all for the broken file


def test_a_limit_of_the_system_is_said_in_its_words_not_as_a_bug(tmp_path, monkeypatch, capsys):
    """Under ``ulimit -n 5`` a run's files failed as "internal error ... please report it" (hunt of
    2026-12-05): a limit of the system is the system's to name."""
    import errno

    def detect(self, rgb):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(ensemble.Detector, "detect", detect)
    assert main([str(FINE), "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err == f"unseen: {FINE}: too many open files; nothing written\n", err
