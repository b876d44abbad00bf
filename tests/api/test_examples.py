"""The example notebooks (jupytext percent scripts in examples/) run as they are and draw their
figure, so they cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

pytest.importorskip("matplotlib")


def test_one_example_per_lab():
    labs = {"sharpness", "kernels", "scaling", "diffusion", "collapse"}
    assert labs <= {path.stem.split("_")[0] for path in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_saves_its_figure(example, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, str(example)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Warning" not in result.stderr, result.stderr[-3000:]
    figure = tmp_path / f"{example.stem}.png"
    assert figure.is_file() and figure.stat().st_size > 10_000
