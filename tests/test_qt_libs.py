"""`make run` on a machine without Qt's X11 libraries prints the command that installs them
instead of Qt's abort (issue 13, item 18). ``ldd`` is faked so the test does not depend on what
this machine has installed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fake_ldd(folder: Path, *missing: str) -> dict:
    """An environment whose ``ldd`` reports ``missing`` (and one library found) for any file."""
    lines = ["\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f0000000000)"]
    lines += [f"\t{lib} => not found" for lib in missing]
    script = folder / "ldd"
    script.write_text("#!/bin/sh\ncat <<'EOF'\n" + "\n".join(lines) + "\nEOF\n")
    script.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "MAKEFLAGS", "MFLAGS")
    }
    env["PATH"] = f"{folder}{os.pathsep}{env['PATH']}"
    env["DISPLAY"] = ":99"
    return env


def check(env):
    return subprocess.run(
        [sys.executable, "-m", "physlab.gui.qt_libs"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_missing_libraries_are_named_with_the_command_that_installs_them(tmp_path):
    result = check(
        fake_ldd(
            tmp_path,
            "libxcb-cursor.so.0",
            "libxcb-icccm.so.4",
            "libxcb-icccm.so.4",
            "libnot-in-the-table.so.3",
        )
    )
    assert result.returncode == 1 and result.stdout == ""
    err = result.stderr
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libnot-in-the-table.so.3" in err
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4\n" in err
    assert "sudo dnf install -y xcb-util-cursor xcb-util-wm\n" in err
    assert "libnot-in-the-table.so.3 (apt-file search" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_nothing_is_said_when_nothing_is_missing_or_qt_uses_another_platform(tmp_path):
    result = check(fake_ldd(tmp_path))
    assert (result.returncode, result.stderr) == (0, "")
    env = fake_ldd(tmp_path, "libxcb-cursor.so.0")
    result = check({**env, "QT_QPA_PLATFORM": "offscreen"})
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_no_display_is_explained(tmp_path):
    env = fake_ldd(tmp_path)
    del env["DISPLAY"]
    result = check(env)
    assert result.returncode == 1 and "DISPLAY is not set" in result.stderr
    assert "xvfb-run -a make run" in result.stderr


@pytest.mark.skipif(
    not (ROOT / ".venv/.installed").is_file() or shutil.which("make") is None,
    reason="needs make, and `make` run once",
)
def test_make_run_stops_with_the_install_command_before_qt_starts(tmp_path):
    result = subprocess.run(
        ["make", "-s", "run"],
        env=fake_ldd(tmp_path, "libxcb-cursor.so.0"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "sudo apt-get install -y libxcb-cursor0" in result.stderr
    assert "qt.qpa" not in result.stderr  # Qt never started
