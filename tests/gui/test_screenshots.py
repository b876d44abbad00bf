"""The screenshot script, run as a user runs it: every stage of a tab in both themes."""

import os
import subprocess
import sys

from PySide6 import QtGui


def test_the_script_renders_start_mid_and_end_in_both_themes(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "physlab.gui.screenshots",
            "--out",
            str(tmp_path),
            "--only",
            "collapse",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        f"collapse-{stage}-{theme}.png"
        for stage in ("start", "mid", "end")
        for theme in ("light", "dark")
    )
    for stage in ("start", "mid", "end"):
        light, dark = (
            QtGui.QImage(str(tmp_path / f"collapse-{stage}-{t}.png")) for t in ("light", "dark")
        )
        assert light.width() >= 1200 and light.height() >= 800
        corner = (light.width() // 2, light.height() // 2)
        assert light.pixelColor(*corner).lightness() > dark.pixelColor(*corner).lightness()
