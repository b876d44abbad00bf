"""Defects a new user met (issue 13), each reproduced the way the user met it: through the menu
action, the shortcut, the status bar — not by calling the method behind it."""

import dataclasses
import threading

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from physlab.core.runner import RunState
from physlab.gui.plots import configure
from tests.gui.gui_helpers import finished

SMALL = {"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 3}
Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier


def action(window, text):
    """The window's menu action whose text (without the & accelerators) starts with ``text``."""
    found = [
        a for a in window.findChildren(QtGui.QAction) if a.text().replace("&", "").startswith(text)
    ]
    assert len(found) == 1, (text, [a.text() for a in found])
    return found[0]


def press(window, key, modifier=Mod.NoModifier):
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    QTest.keyClick(window, key, modifier)


def run_small(qtbot, window, tab, **params):
    tab.panel.set_values({**SMALL, **params})
    press(window, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=60000)


def make_window(qtbot, monkeypatch, labs=None, warm_up=False, initial_lab=None):
    configure()
    from physlab.gui import window as window_module

    if labs is not None:
        monkeypatch.setattr(window_module, "all_labs", lambda: labs)
    win = window_module.MainWindow(initial_lab=initial_lab, warm_up=warm_up)
    qtbot.addWidget(win)
    win.show()
    return win


# -- 1: File ▸ Save / Open session -------------------------------------------------------------
def test_save_and_open_session_from_the_menu_and_by_shortcut(window, qtbot, tmp_path, monkeypatch):
    tab = window.lab_tabs.get_or_build("collapse")
    window.show_lab("collapse")
    run_small(qtbot, window, tab)
    target = tmp_path / "mine"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(
        QtWidgets.QFileDialog,
        "getOpenFileName",
        lambda *a, **k: (str(target.with_suffix(".physlab")), ""),
    )
    action(window, "Save session").trigger()
    assert target.with_suffix(".physlab").is_file()
    tab.panel.set_values({"generations": 9})
    press(window, Key.Key_O, Mod.ControlModifier)
    assert tab.panel.values()["generations"] == 3
    target.with_suffix(".physlab").unlink()
    press(window, Key.Key_S, Mod.ControlModifier | Mod.ShiftModifier)
    assert target.with_suffix(".physlab").is_file()


# -- 8: each tab's status is its own -----------------------------------------------------------
def test_the_status_bar_shows_the_tab_on_screen(window, qtbot):
    collapse = window.lab_tabs.get_or_build("collapse")
    window.show_lab("collapse")
    run_small(qtbot, window, collapse)
    assert "Collapse" in window.status_label.text()
    assert "finished" in window.status_label.text()
    window.show_lab("sharpness")
    assert "Collapse" not in window.status_label.text()
    assert window.progress.value() == 0
    window.show_lab("collapse")
    assert "Collapse" in window.status_label.text() and "finished" in window.status_label.text()
    assert window.progress.value() == 1000


# -- 9: compile status apart from run status, shown lab first ------------------------------------
def test_warm_up_compiles_the_shown_lab_first_and_says_how_far(qtbot, monkeypatch):
    from physlab.catalog import all_labs

    order, gate = [], threading.Event()

    def warm(name):
        def run():
            order.append(name)
            if len(order) == 2:
                assert gate.wait(60)

        return run

    from physlab.gui import window as window_module

    monkeypatch.setattr(window_module, "warm_lab", lambda lab, pool: warm(lab.name)())
    labs = all_labs()
    win = make_window(qtbot, monkeypatch, labs, warm_up=True, initial_lab="collapse")
    try:
        qtbot.waitUntil(lambda: len(order) == 2, timeout=10000)
        assert order[0] == "collapse"
        qtbot.waitUntil(lambda: f"2 of {len(labs)}" in win.compile_label.text(), timeout=5000)
        assert labs[order[1]].title in win.compile_label.text()
        tab = win.lab_tabs.get_or_build("collapse")
        run_small(qtbot, win, tab)  # a run during the warm-up …
        assert "finished" in win.status_label.text()  # … says so, beside the compile status
        assert "Compiling" in win.compile_label.text()
        assert win.progress.maximum() == 1000 and win.progress.value() == 1000  # not busy
    finally:
        gate.set()
    qtbot.waitUntil(lambda: win.compile_label.text() == "Kernels compiled", timeout=10000)
    assert "finished" in win.status_label.text()  # the end of the warm-up overwrites nothing
    assert len(order) == len(labs)
    win.close()


# -- 12: About fits the screen -----------------------------------------------------------------
def test_about_fits_a_1000_pixel_screen_and_scrolls(window, qtbot):
    action(window, "About").trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    screen = dialog.screen().availableGeometry().height()
    assert dialog.frameGeometry().height() <= min(screen, 1000)
    text = dialog.findChild(QtWidgets.QTextBrowser)
    assert text is not None and "Collapse" in text.toPlainText()
    button = dialog.findChild(QtWidgets.QDialogButtonBox)
    assert dialog.rect().contains(button.geometry())  # OK is on screen
    button.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible()


# -- 14: pause and reset leave no stale progress ------------------------------------------------
def test_pause_says_paused_and_reset_clears_the_bars(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    window.show_lab("sharpness")
    tab.panel.set_values({"steps": 10_000_000})
    press(window, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.steps_done > 0, timeout=60000)
    press(window, Key.Key_P, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.runner.state == RunState.PAUSED, timeout=5000)
    qtbot.wait(100)  # frames still queued must not overwrite "paused"
    assert "paused" in tab.progress.text() and "paused" in window.status_label.text()
    assert window.rate_label.text() == ""
    press(window, Key.Key_R, Mod.ControlModifier | Mod.ShiftModifier)
    qtbot.waitUntil(lambda: tab.runner.state == RunState.IDLE, timeout=5000)
    qtbot.wait(100)
    assert tab.progress.value() == 0 and tab.progress.text() in ("", "0%")
    assert "/" not in tab.progress.text()
    assert window.progress.value() == 0 and window.rate_label.text() == ""


# -- 15: presets say when they no longer apply ---------------------------------------------------
def test_an_edited_preset_says_modified_and_a_chosen_preset_clears_stale_plots(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    window.show_lab("collapse")
    run_small(qtbot, window, tab)
    assert tab.snapshot is not None
    preset = "gerstgrasser-accumulate-vs-replace"
    window._fill_presets(window.presets_menu)
    [choice] = [a for a in window.presets_menu.actions() if a.text() == preset]
    choice.trigger()
    assert tab.presets.currentText() == preset
    assert tab.snapshot is None  # the old run's curves are gone …
    assert "Run" in tab.banner.text() and tab.banner.isVisibleTo(tab)  # … and Run draws it
    box = tab.panel.widget("generations")  # the user edits a control
    box.setValue(box.value() + 1)
    assert tab.presets.currentText() == f"{preset} (modified)"
    box.setValue(box.value() - 1)
    assert tab.presets.currentText() == preset
    tab.seed.setValue(tab.seed.value() + 1)
    assert tab.presets.currentText() == f"{preset} (modified)"


# -- 16: Esc while a run builds ----------------------------------------------------------------
def test_esc_while_building_never_blocks_and_the_next_run_streams(qtbot, monkeypatch):
    from physlab.catalog import all_labs

    labs = all_labs()
    release = threading.Event()

    class SlowBuild(labs["collapse"].build(labs["collapse"].spec.defaults(), 0).__class__):
        """Builds like a cold JIT compile: blocks until released (seed 1 only)."""

        def __init__(self, params, seed):
            if seed == 1:
                assert release.wait(60)
            super().__init__(params, seed)

    labs["collapse"] = dataclasses.replace(labs["collapse"], experiment=SlowBuild, choose=None)
    win = make_window(qtbot, monkeypatch, labs, initial_lab="collapse")
    tab = win.lab_tabs.get_or_build("collapse")
    try:
        tab.panel.set_values(SMALL)
        tab.seed.setValue(1)
        press(win, Key.Key_R, Mod.ControlModifier)
        qtbot.waitUntil(lambda: tab.runner.state == RunState.BUILDING, timeout=5000)
        press(win, Key.Key_Escape)
        # Esc returned while the build still blocks: nothing waited for it
        assert tab.runner.alive and tab.runner.state == RunState.STOPPED
        qtbot.waitUntil(lambda: "stopped" in win.status_label.text(), timeout=3000)
        assert not tab.stop_button.isEnabled()
        tab.seed.setValue(2)
        press(win, Key.Key_R, Mod.ControlModifier)
        qtbot.waitUntil(finished(tab), timeout=60000)
        assert tab.snapshot.steps_done == tab.snapshot.total_steps > 0
        assert "finished" in win.status_label.text()
    finally:
        release.set()
    win.close()
    assert not tab.runner.alive


def test_closing_while_a_build_blocks_waits_a_bounded_time(qtbot, monkeypatch):
    """Closing the app may wait for a worker, but never for ever: a build that does not return
    (a cold compile) is left to its daemon thread after the window's deadline."""
    from physlab.catalog import all_labs
    from physlab.gui import window as window_module

    labs = all_labs()
    release = threading.Event()

    class NeverBuilds(labs["collapse"].build(labs["collapse"].spec.defaults(), 0).__class__):
        def __init__(self, params, seed):
            assert release.wait(60)
            super().__init__(params, seed)

    labs["collapse"] = dataclasses.replace(labs["collapse"], experiment=NeverBuilds, choose=None)
    monkeypatch.setattr(window_module, "SHUTDOWN_SECONDS", 0.2)
    win = make_window(qtbot, monkeypatch, labs, initial_lab="collapse")
    tab = win.lab_tabs.get_or_build("collapse")
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.runner.state == RunState.BUILDING, timeout=5000)
    win.close()  # returns although the build still blocks
    assert not win.isVisible() and tab.runner.alive
    release.set()
    qtbot.waitUntil(lambda: not tab.runner.alive, timeout=10000)


# -- issue 14 item 12: time left and a note on long runs ---------------------------------------
def test_the_status_says_time_left_and_a_long_run_gets_a_note(window, qtbot):
    from physlab.core.runner import RunState, Snapshot

    tab = window.lab_tabs.get_or_build("collapse")
    window.show_lab("collapse")
    first = Snapshot(
        run_id=7,
        frame={},
        steps_done=10,
        total_steps=10_020,
        steps_per_second=2.0,
        elapsed=5.0,
        summary={},
    )
    snap = dataclasses.replace(first, steps_done=20, elapsed=10.0)  # 2 steps/s since the first
    tab.runner.runner.state = RunState.RUNNING
    try:
        tab._on_frame(first)  # the first chunk alone may have paid for a compile: no note yet
        tab._dirty = False  # (this stand-in frame has no arrays to paint)
        assert not tab.banner.isVisible() or "Stop (Esc)" not in tab.banner.text()
        tab._on_frame(snap)  # a run at 2 steps/s with 10,000 steps to go
        tab._dirty = False
        assert "about 83.3 min left" in window.status_label.text()
        assert "83.3 min" in tab.banner.text() and "Stop (Esc)" in tab.banner.text()
        tab.hide_message()
        tab._on_frame(snap)  # once per run
        tab._dirty = False
        assert not tab.banner.isVisible()
    finally:
        tab.runner.runner.state = RunState.IDLE
        tab.runs.snapshot = None
