"""A lab shipped by an outside package, registered only through the ``physlab.labs`` entry point
(a dist-info folder on the path, as ``pip install`` leaves it), shows up in ``physlab list``, runs
with ``physlab run`` and gets its tab in the window; a broken outside lab is skipped with a warning.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from physlab.core.export import read_npz

DUMMY = '''
"""A random walk: the smallest lab there is."""
import numpy as np

from physlab.core.experiment import SteppedExperiment
from physlab.core.frames import FrameKey, FrameSpec
from physlab.core.params import Param, ParamSpec
from physlab.core.registry import Lab

SPEC = ParamSpec([Param("steps", "int", 10, "steps of the walk", low=1, high=1000)])


class Walk(SteppedExperiment):
    spec = SPEC

    def __init__(self, params, seed):
        super().__init__(params, seed)
        self.rng = np.random.default_rng(self.seed)
        self.x = [0.0]

    def advance(self, n):
        n = min(n, self.total_steps - self.step)
        self.x.extend(self.x[-1] + np.cumsum(self.rng.standard_normal(n)))
        self.step += n

    def frame(self):
        return {"step": np.arange(len(self.x)), "x": np.array(self.x)}


LAB = Lab(name="dummy", title="Dummy walk", summary="A random walk from an outside package.",
          spec=SPEC, experiment=Walk, tab="physlab_dummy.ui:WalkTab",
          frame_spec=FrameSpec([FrameKey("step", ("T",), "int64", "step"),
                                FrameKey("x", ("T",), "float64", "position")]),
          warmup_params=({"steps": 2},))
'''

DUMMY_UI = """
import pyqtgraph as pg

from physlab.gui.lab_tab import LabTab


class WalkTab(LabTab):
    def build_plots(self):
        view = pg.GraphicsLayoutWidget()
        self.plot = view.addPlot(title="walk")
        self.curve = self.plot.plot()
        return view, view.ci

    def paint(self, frame, params):
        self.curve.setData(frame["step"], frame["x"])

    def clear_plots(self):
        self.curve.setData([], [])
"""


def dist(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[physlab.labs]\n{entry_points}\n")


@pytest.fixture
def site(tmp_path) -> Path:
    """A folder on the path holding an installed outside lab and a broken one."""
    site = tmp_path / "site"
    package = site / "physlab_dummy"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(DUMMY))
    (package / "ui.py").write_text(textwrap.dedent(DUMMY_UI))
    dist(site, "physlab_dummy", "dummy = physlab_dummy:LAB")
    dist(site, "physlab_broken", "broken = physlab_broken_is_not_installed:LAB")
    return site


def physlab(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.run(
        [sys.executable, "-m", "physlab", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_outside_lab_is_listed_after_the_built_in_ones(site):
    result = physlab(site, "list")
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == ["sharpness", "kernels", "scaling", "diffusion", "collapse", "dummy"]
    assert "skipped lab 'broken' from physlab_broken" in result.stderr
    assert "ModuleNotFoundError" in result.stderr


def test_an_outside_lab_runs_headless(site, tmp_path):
    out = tmp_path / "walk.npz"
    result = physlab(
        site, "run", "dummy", "--set", "steps=7", "--seed", "2", "--out", str(out), "--quiet"
    )
    assert result.returncode == 0, result.stderr
    data, meta = read_npz(out)
    assert meta["lab"] == "dummy" and meta["params"] == {"steps": 7} and meta["seed"] == 2
    assert data["x"].shape == (8,) and data["x"][0] == 0.0
    expected = np.cumsum(np.random.default_rng(2).standard_normal(7))
    assert np.array_equal(data["x"][1:], expected)


def test_an_outside_lab_gets_a_tab(site, qtbot, monkeypatch):
    monkeypatch.syspath_prepend(str(site))
    from physlab.gui.plots import configure
    from physlab.gui.window import MainWindow

    configure()
    with pytest.warns(RuntimeWarning, match="skipped lab 'broken'"):
        window = MainWindow(warm_up=False)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[-1] == "Dummy walk"
    window.show_lab("dummy")
    tab = window.current()
    assert type(tab).__name__ == "WalkTab" and tab.lab.name == "dummy"
    window.labs["dummy"].warmup()  # the generic warm-up runs the declared smallest run
    tab.run()
    qtbot.waitUntil(lambda: tab.snapshot is not None and not tab.runner.state.active, timeout=30000)
    tab._paint_if_dirty()
    assert len(tab.curve.xData) == 11  # the default 10 steps, painted
    window.close()


def test_a_source_tree_that_is_not_installed_says_so(monkeypatch):
    import physlab.catalog

    monkeypatch.setattr(physlab.catalog, "entry_points", lambda group: [])
    with pytest.warns(RuntimeWarning, match="its own labs are not registered — install it"):
        assert physlab.catalog.all_labs() == {}
