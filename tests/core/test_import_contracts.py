"""The import-linter contracts in pyproject.toml fail on a violating import: a copy of the package
with one bad import added breaks exactly the contract that forbids it (and the clean copy keeps
them all, so the failures come from the added line, not from the copy)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import physlab

ROOT = Path(physlab.__file__).parent
PYPROJECT = ROOT.parent / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

QT_CONTRACT = "Qt lives only in physlab.gui and the labs' ui packages"
LAYERS_CONTRACT = "Layers: cli above gui above api above labs above core"
INDEPENDENCE_CONTRACT = "No lab imports another"


def lint_copy(tmp_path: Path, bad_module: str | None = None, line: str = "") -> tuple[int, str]:
    """Copy physlab and its contracts into ``tmp_path`` (plus ``bad_module`` holding ``line``) and
    run lint-imports over the copy."""
    shutil.copytree(
        ROOT, tmp_path / "physlab", ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    )
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    if bad_module:
        (tmp_path / "physlab" / bad_module).write_text(f'"""A violating import."""\n{line}\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_clean_copy_keeps_every_contract(tmp_path):
    code, out = lint_copy(tmp_path)
    assert code == 0, out
    assert "3 kept, 0 broken" in out


@pytest.mark.parametrize(
    "bad_module,line,contract",
    [
        ("core/bad_qt.py", "from PySide6 import QtWidgets", QT_CONTRACT),
        ("diffusion/bad_plot.py", "import pyqtgraph", QT_CONTRACT),
        ("core/bad_layer.py", "from physlab import sharpness", LAYERS_CONTRACT),
        ("kernels/bad_neighbour.py", "from physlab.collapse import theory", INDEPENDENCE_CONTRACT),
    ],
)
def test_a_violating_import_breaks_its_contract(tmp_path, bad_module, line, contract):
    code, out = lint_copy(tmp_path, bad_module, line)
    assert code != 0, out
    assert f"{contract} BROKEN" in out
    module = "physlab." + bad_module.removesuffix(".py").replace("/", ".")
    assert module in out  # the report names the offending module
