"""Edit ▸ Copy / Paste configuration, View ▸ Console and the remembered layout and folders, driven
through their menu actions as a user does (issue 19)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

import physlab
from tests.gui.gui_helpers import finished

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"generations": 3, "repeats": 6}


def action(window, text: str) -> QtGui.QAction:
    found = [a for a in window.findChildren(QtGui.QAction) if a.text().replace("&", "") == text]
    assert len(found) == 1, [a.text() for a in window.findChildren(QtGui.QAction)]
    return found[0]


def test_a_copied_configuration_reruns_identically_in_the_api_and_the_cli(window, qtbot, tmp_path):
    window.show_lab("collapse")
    tab = window.current()
    tab.panel.set_values(SMALL)
    tab.seed.setValue(11)
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    action(window, "Copy configuration").trigger()
    text = QtGui.QGuiApplication.clipboard().text()
    assert text.startswith("physlab:collapse?") and text.endswith("&seed=11")
    gui = tab.snapshot.frame
    api = physlab.from_config(text)
    assert all(np.array_equal(gui[k], api[k], equal_nan=True) for k in gui)
    out = tmp_path / "cli.npz"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "physlab",
            "run",
            "collapse",
            "--config",
            text,
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    cli = physlab.load(out)
    assert all(np.array_equal(gui[k], cli[k], equal_nan=True) for k in gui)


def test_pasting_a_configuration_sets_that_labs_controls(window):
    window.show_lab("collapse")
    QtGui.QGuiApplication.clipboard().setText("physlab:sharpness?lr=0.1&steps=50&seed=3")
    action(window, "Paste configuration").trigger()
    tab = window.current()
    assert tab.lab.name == "sharpness"
    assert tab.panel.values()["lr"] == 0.1 and tab.panel.values()["steps"] == 50
    assert tab.seed.value() == 3


def test_a_bad_configuration_is_refused_with_its_reason(window, monkeypatch):
    said = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: said.append((title, text))
    )
    tab = window.lab_tabs.get_or_build("sharpness")
    before = tab.panel.values()
    QtGui.QGuiApplication.clipboard().setText("physlab:sharpness?lr=0.1&from_the_future=2")
    action(window, "Paste configuration").trigger()
    assert said and "unknown parameter 'from_the_future'" in said[0][1]
    assert tab.panel.values() == before


def test_the_console_sees_every_tabs_run(window, qtbot):
    window.show_lab("collapse")
    tab = window.current()
    tab.panel.set_values(SMALL)
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    action(window, "Console").trigger()
    assert window.console.isVisible()
    console = window.console.widget()
    for line in ("answer = runs['collapse']['error_mean'].shape", "missing = 'sharpness' in runs"):
        qtbot.keyClicks(console.input, line)
        qtbot.keyClick(console.input, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "missing" in console.locals(), timeout=5000)
    assert console.locals()["answer"] == tab.snapshot.frame["error_mean"].shape
    assert console.locals()["missing"] is False


def test_layout_and_export_folder_are_remembered(window, qtbot, tmp_path, monkeypatch):
    from physlab.gui.window import MainWindow

    window.show_lab("diffusion")
    window.remember_layout()
    again = MainWindow(warm_up=False)
    qtbot.addWidget(again)
    again.restore_layout()
    assert again.current().lab.name == "diffusion"
    asked = []

    def save_as(parent, title, start, filters):
        asked.append(start)
        return str(tmp_path / "fig.png"), ""

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_as)
    window.export_figure()
    window.export_figure()
    assert asked[1].startswith(str(tmp_path))
    again.close()


def test_the_seed_control_takes_every_seed_physlab_accepts(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    QtGui.QGuiApplication.clipboard().setText(f"physlab:collapse?generations=2&seed={2**63 - 1}")
    action(window, "Paste configuration").trigger()
    assert tab.seed.value() == 2**63 - 1
    tab.seed.clear()
    qtbot.keyClicks(tab.seed, "9" * 20)  # past 2^63 − 1 after 19 digits
    tab.seed.editingFinished.emit()
    assert tab.seed.value() == int("9" * 18)  # the last seed typed that physlab accepts
    assert tab.seed.text() == "9" * 18
