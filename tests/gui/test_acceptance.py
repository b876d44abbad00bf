"""The real user path, for every lab tab: pick a preset from File ▸ Presets, press Run by its
shortcut, wait for the end, trigger every File / Run / View / Help action through its QAction
(file dialogs answer with a path, message boxes are captured and checked), export every format
the dialogs offer and open each file, save and reopen the session through the menu, switch tabs
and themes — and fail on any exception that reaches Qt's event loop, a thread, or stderr.

Runs are made small by overriding a few parameters after the preset (as ``--set`` would)."""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from physlab.core.runner import RunState
from physlab.gui import figure_export, theme
from tests.gui.gui_helpers import finished

# lab → (preset, overrides that keep the run short)
USER_RUNS = {
    "sharpness": ("eos-chebyshev", {"steps": 200}),
    "kernels": ("two-layer-linear-exact", {"width": 100, "steps": 20}),
    "scaling": ("lazy-hard-task", {"widths": [16, 32], "steps": 500, "features": 500}),
    "diffusion": ("standard-diffusion", {"size": 8, "steps": 10, "n_samples": 4}),
    "collapse": (
        "dohmatob-linear-collapse",
        {"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 3},
    ),
}
Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier
RUN_TIMEOUT = 180_000  # ms: this file may be the first to compile a lab's kernels (clean CI)


@contextlib.contextmanager
def errors_fail():
    """Collect every exception that escapes a thread or reaches sys.excepthook outside a test's
    body; the caller asserts the list is empty. (In the body, pytest-qt holds sys.excepthook: an
    exception in a slot — PySide reports it through the hook — fails the test there.)"""
    caught: list[str] = []
    old_hook, old_thread_hook = sys.excepthook, threading.excepthook
    sys.excepthook = lambda kind, value, tb: caught.append(f"{kind.__name__}: {value}")
    threading.excepthook = lambda args: caught.append(
        f"thread {args.thread.name}: {args.exc_type.__name__}: {args.exc_value}"
    )
    try:
        yield caught
    finally:
        sys.excepthook, threading.excepthook = old_hook, old_thread_hook


@pytest.fixture
def no_errors(capfd):
    """Fails the test on any exception in a slot or thread, or a traceback on stderr."""
    with errors_fail() as caught:
        yield caught
    err = capfd.readouterr().err
    assert not caught, caught
    assert "Traceback" not in err, err


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    """QFileDialog answers with ``dialogs.answer`` (a path, or one built from the filter the
    dialog offered); QMessageBox's static functions are recorded instead of shown."""

    class Dialogs:
        answer: Path | None = None
        filters: list[str] = []
        boxes: list[tuple[str, str, str]] = []

        def file(self, parent, caption="", folder="", filters="", *rest, **kw):
            self.filters.append(filters)
            return (str(self.answer) if self.answer else "", "")

    d = Dialogs()
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", d.file)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", d.file)
    for kind in ("information", "warning", "critical", "question", "about"):
        monkeypatch.setattr(
            QtWidgets.QMessageBox,
            kind,
            lambda parent, title, text, *a, kind=kind: d.boxes.append((kind, title, text)),
        )
    return d


def menu_actions(window) -> dict[str, QtGui.QAction]:
    """Every action of the File / Run / View / Help menus by its text (without accelerators)."""
    found = {}
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if not action.isSeparator() and action.menu() is None:
                found[action.text().replace("&", "")] = action
    return found


def press(window, key, modifier=Mod.NoModifier):
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    QTest.keyClick(window, key, modifier)


def suffixes(filters: str) -> list[str]:
    return re.findall(r"\*(\.\w+)", filters)


def check_file(path: Path) -> None:
    """Open an exported file the way a program that reads its format would."""
    assert path.is_file() and path.stat().st_size > 0, path
    kind = path.suffix.lower()
    if kind == ".png":
        assert not QtGui.QImage(str(path)).isNull()
    elif kind == ".svg":
        from PySide6.QtSvg import QSvgRenderer

        assert QSvgRenderer(str(path)).isValid()
    elif kind == ".pdf":
        assert path.read_bytes().startswith(b"%PDF")
    elif kind == ".npz":
        with np.load(path, allow_pickle=False) as z:
            assert "meta" in z.files and len(z.files) > 1
    elif kind == ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# physlab ") and len(lines) > 2
    elif kind == ".physlab":
        with np.load(path, allow_pickle=False) as z:
            assert "session" in z.files


def choose_preset(window, name: str) -> None:
    menu = window.presets_menu
    menu.aboutToShow.emit()  # what opening the menu does
    [action] = [a for a in menu.actions() if a.text() == name]
    action.trigger()


def show_tab(window, lab: str) -> None:
    """Click the lab's tab (and its group's tab)."""
    holder = window._holders[lab]
    if holder is not window.tabs:
        window.tabs.setCurrentWidget(holder)
    titles = [holder.tabText(i) for i in range(holder.count())]
    holder.setCurrentIndex(titles.index(window.labs[lab].title))
    assert window.current().lab.name == lab


@pytest.mark.parametrize("lab", USER_RUNS)
def test_a_user_session_in_every_tab(window, qtbot, tmp_path, dialogs, no_errors, lab, monkeypatch):
    preset, small = USER_RUNS[lab]
    show_tab(window, lab)
    tab = window.current()
    choose_preset(window, preset)
    assert tab.presets.currentText() == preset and tab.banner.isVisibleTo(tab)
    tab.panel.set_values(small)
    press(window, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=RUN_TIMEOUT)
    assert tab.runner.state == RunState.FINISHED, tab.runner.message
    assert window.labs[lab].title in window.status_label.text()

    actions = menu_actions(window)
    done = set()

    def trigger(text):
        actions[text].trigger()
        done.add(text)

    # File: every export format offered, each file opened again
    for text in ("Export figure…", "Export data…"):
        dialogs.answer = None
        trigger(text)  # the user cancels the dialog: nothing happens
        offered = suffixes(dialogs.filters[-1])
        assert offered, dialogs.filters[-1]
        for suffix in offered:
            dialogs.answer = tmp_path / f"{lab}{suffix}"
            trigger(text)
            check_file(dialogs.answer)
    dialogs.answer = tmp_path / "session.physlab"
    trigger("Save session…")
    check_file(dialogs.answer)
    saved = tab.panel.values()
    tab.panel.set_values(
        USER_RUNS[lab][1] | {k: v for k, v in tab.lab.spec.defaults().items() if k not in small}
    )
    trigger("Open session…")
    assert tab.panel.values() == saved and tab.snapshot is not None

    # File ▸ Figure export settings (its dialog answered with the settings it was shown)
    monkeypatch.setattr(figure_export, "ask_figure_settings", lambda parent, current: current)
    trigger("Figure export settings…")

    # Edit: the configuration goes to the clipboard and comes back into the controls
    trigger("Copy configuration")
    text = QtGui.QGuiApplication.clipboard().text()
    assert text.startswith(f"physlab:{lab}?")
    tab.seed.setValue(tab.seed.value() + 1)
    trigger("Paste configuration")
    assert window.current() is tab and tab.panel.values() == saved
    assert text.endswith(f"seed={tab.seed.value()}")

    # View: the console shows and hides
    trigger("Console")
    assert window.console.isVisible()
    trigger("Console")
    assert not window.console.isVisible()

    # Run: run, pause, resume, stop, reset
    trigger("Run")
    trigger("Pause / resume")
    trigger("Pause / resume")
    qtbot.waitUntil(finished(tab), timeout=RUN_TIMEOUT)
    trigger("Run")
    trigger("Stop")
    qtbot.waitUntil(
        lambda: not tab.runner.state.active and not tab.stop_button.isEnabled(), timeout=RUN_TIMEOUT
    )
    trigger("Reset")
    qtbot.waitUntil(lambda: tab.runner.state == RunState.IDLE, timeout=5000)
    assert tab.snapshot is None and tab.progress.value() == 0

    # View: dark and back
    trigger("Dark theme")
    assert window.dark_action.isChecked() and theme.current().name == "dark"
    press(window, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=RUN_TIMEOUT)
    trigger("Dark theme")
    assert theme.current().name == "light"

    # Help
    trigger("Keyboard shortcuts")
    assert dialogs.boxes[-1][1] == "Keyboard shortcuts" and "Ctrl+R" in dialogs.boxes[-1][2]
    trigger("About physlab")
    qtbot.waitUntil(window.about_dialog.isVisible, timeout=3000)
    window.about_dialog.accept()

    # every tab shows its own status when switched to
    for other in USER_RUNS:
        show_tab(window, other)
        assert window.status_label.text().startswith(window.labs[other].title)
    show_tab(window, lab)
    assert [b for b in dialogs.boxes if b[0] != "information"] == []  # no warnings

    trigger("Quit")
    assert not window.isVisible()
    assert not any(t.runner.alive for t in window.lab_tabs.built().values())
    assert done == set(actions), set(actions) - done  # every menu action was used


def test_the_guards_catch_an_exception_in_a_slot_and_in_a_thread(qtbot, capfd):
    """What the guards above rely on: a slot's exception goes through sys.excepthook, which
    pytest-qt turns into a failure of the test (here captured to look at it); a thread's goes to
    threading.excepthook, which :func:`errors_fail` collects."""
    action = QtGui.QAction("boom")
    action.triggered.connect(lambda: 1 / 0)
    with qtbot.capture_exceptions() as exceptions:
        action.trigger()
    assert len(exceptions) == 1 and exceptions[0][0] is ZeroDivisionError
    with errors_fail() as caught:
        thread = threading.Thread(target=lambda: 1 / 0, name="boom")
        thread.start()
        thread.join()
    assert caught == ["thread boom: ZeroDivisionError: division by zero"]
