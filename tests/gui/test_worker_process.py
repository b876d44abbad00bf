"""Each lab runs in its own worker process (physlab/core/process_runner.py): Esc while the worker
is stuck inside a build (as in a cold numba compile) returns at once and the next Run streams;
closing the window ends a stuck worker; a worker that crashes (SIGSEGV in compiled code) leaves
the app running with a message that names the lab. No timings here: benchmarks/gui_probe.py
measures how fast each of these is."""

import dataclasses

from PySide6 import QtCore

from physlab.core.process_runner import ProcessRunner
from physlab.core.runner import RunState
from tests.core import worker_fakes as fakes
from tests.gui.gui_helpers import finished
from tests.gui.test_user_path import SMALL, make_window, press

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier
WAIT_MS = 120_000  # a worker process starts in seconds on a loaded machine


def misbehaving_window(qtbot, monkeypatch):
    from physlab.catalog import all_labs

    labs = all_labs()
    labs["collapse"] = dataclasses.replace(
        labs["collapse"], experiment=fakes.MisbehavingCollapse, choose=None
    )
    win = make_window(qtbot, monkeypatch, labs, initial_lab="collapse")
    tab = win.lab_tabs.get_or_build("collapse")
    assert isinstance(tab.runner.runner, ProcessRunner)  # a module-level class: a worker runs it
    tab.panel.set_values(SMALL)
    return win, tab


def test_esc_while_the_worker_is_stuck_in_a_build_returns_and_the_next_run_streams(
    qtbot, monkeypatch
):
    win, tab = misbehaving_window(qtbot, monkeypatch)
    tab.seed.setValue(fakes.BLOCKING_BUILD)
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.runner.runner._proc._started.is_set(), timeout=WAIT_MS)
    press(win, Key.Key_Escape)
    assert tab.runner.state == RunState.STOPPED and tab.runner.alive  # the build still blocks
    qtbot.waitUntil(lambda: "stopped" in win.status_label.text(), timeout=5000)
    tab.seed.setValue(0)
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=WAIT_MS)
    assert tab.snapshot.steps_done == tab.snapshot.total_steps > 0
    assert "finished" in win.status_label.text()
    win.close()  # the worker, still inside the first run's build, ends with the window
    assert not tab.runner.alive


def test_a_worker_that_segfaults_leaves_the_app_running_with_a_message_naming_the_lab(
    qtbot, monkeypatch
):
    win, tab = misbehaving_window(qtbot, monkeypatch)
    tab.seed.setValue(fakes.SEGFAULT)
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.runner.state == RunState.FAILED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "SIGSEGV" in win.status_label.text(), timeout=5000)
    assert "Collapse worker process died" in win.status_label.text()
    assert "Collapse" in tab.banner.text() and "SIGSEGV" in tab.banner.text()
    assert win.isVisible() and tab.run_button.isEnabled()
    tab.seed.setValue(0)
    press(win, Key.Key_R, Mod.ControlModifier)  # a new worker takes the next run
    qtbot.waitUntil(finished(tab), timeout=WAIT_MS)
    assert tab.runner.state == RunState.FINISHED
    win.close()
    assert not tab.runner.alive
