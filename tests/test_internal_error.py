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
