"""House rules that code review alone would miss."""

import ast
import subprocess
import sys
from pathlib import Path

import physlab

ROOT = Path(physlab.__file__).parent
QT = ("PySide6", "pyqtgraph", "superqt")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def is_view(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    return rel.parts[0] == "gui" or "ui" in rel.parts[:-1]


def test_only_views_import_qt():
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if not is_view(p) and imports(p) & set(QT)
    ]
    assert not offenders, f"simulation/theory/core modules import Qt: {offenders}"


def test_cli_and_labs_load_without_qt():
    code = (
        "import sys, physlab.cli, physlab.catalog; physlab.catalog.all_labs(); "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT!r}]; print(bad); "
        "sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_kernel_is_cached_and_releases_the_gil():
    from physlab.core.numba_setup import JIT

    assert JIT["cache"] and JIT["nogil"]
    for path in ROOT.rglob("*.py"):
        text = path.read_text()
        for line in text.splitlines():
            if line.strip().startswith("@njit"):
                assert "**JIT" in line, f"{path.name}: {line.strip()} does not use core JIT options"
