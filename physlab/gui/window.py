"""The main window: one tab per lab, menus (File / Run / View / Help), keyboard shortcuts, sessions,
themes, a status bar with the running lab's progress and speed, and JIT warm-up in the background
at start-up."""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from physlab import __version__
from physlab.core.export import ExportError
from physlab.core.resources import resource
from physlab.core.session import SUFFIX, SessionError, read_session, write_session
from physlab.labs import all_labs

from . import theme
from .gc_guard import collect_in_gui_thread
from .lab_tab import LabTab
from .lazy_tabs import LabTabs, Placeholder
from .sweep_mode import shutdown_sweeps

SHORTCUTS = (
    ("Run", "Ctrl+R", "start a run with the current parameters"),
    ("Pause / resume", "Ctrl+P", "hold the run between chunks"),
    ("Stop", "Esc", "stop the run, keep its data"),
    ("Reset", "Ctrl+Shift+R", "stop and clear the plots"),
    ("Export figure", "Ctrl+E", "save the tab's plots as PNG or SVG"),
    ("Export data", "Ctrl+S", "save the run's data as NPZ or CSV, with parameters and seed"),
    ("Open session", "Ctrl+O", "restore every lab's parameters, seeds and runs from a file"),
    ("Save session", "Ctrl+Shift+S", "save every lab's parameters, seeds and runs to a file"),
    ("Dark / light theme", "Ctrl+Shift+D", "switch the window and the plots"),
    ("Next / previous lab", "Ctrl+Tab / Ctrl+Shift+Tab", "switch tabs"),
    ("Quit", "Ctrl+Q", "stop all runs and quit"),
)


class MainWindow(QtWidgets.QMainWindow):
    warmupDone = QtCore.Signal(str)

    def __init__(self, initial_lab: str | None = None, warm_up: bool = True):
        super().__init__()
        collect_in_gui_thread()
        self.setWindowTitle(f"physlab {__version__} — the physics of learning")
        icon = resource("icons", "physlab.svg")
        if icon.is_file():
            self.setWindowIcon(QtGui.QIcon(str(icon)))
        self.labs = all_labs()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        groups: dict[str, QtWidgets.QTabWidget] = {}
        self._holders: dict[str, QtWidgets.QTabWidget] = {}  # the tab widget holding each lab
        placeholders = {}
        for lab in self.labs.values():
            placeholder = placeholders[lab.name] = Placeholder(lab)
            holder = self.tabs
            if lab.group:  # one top-level tab per group, a sub-tab per lab in it
                if lab.group not in groups:
                    groups[lab.group] = QtWidgets.QTabWidget()
                    groups[lab.group].setDocumentMode(True)
                    self.tabs.addTab(groups[lab.group], lab.group)
                holder = groups[lab.group]
            holder.addTab(placeholder, lab.title)
            holder.setTabToolTip(holder.count() - 1, lab.summary)
            self._holders[lab.name] = holder
        self.lab_tabs = LabTabs(self.labs, self._holders, placeholders, self._make_tab)
        for widget in (self.tabs, *groups.values()):  # build a tab when it is first shown
            widget.currentChanged.connect(lambda _index: self.current())
        if initial_lab in self.labs:
            self.show_lab(initial_lab)
        self.current()
        self.setCentralWidget(self.tabs)

        self.status_label = QtWidgets.QLabel("Ready")
        self.rate_label = QtWidgets.QLabel("")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.rate_label)
        bar.addPermanentWidget(self.progress)
        self._build_menus()
        self.resize(1500, 920)
        self.warmupDone.connect(self._on_warmup_done)
        if warm_up:
            self._start_warmup()

    # -- menus ---------------------------------------------------------------------------------
    def _action(self, menu, text, shortcut, slot) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file = menu.addMenu("&File")
        self._action(file, "&Open session…", "Ctrl+O", self.open_session)
        self._action(file, "Save &session…", "Ctrl+Shift+S", self.save_session)
        file.addSeparator()
        self._action(file, "Export &figure…", "Ctrl+E", self.export_figure)
        self._action(file, "Export &data…", "Ctrl+S", self.export_data)
        presets = file.addMenu("&Presets")
        presets.aboutToShow.connect(lambda: self._fill_presets(presets))
        file.addSeparator()
        self._action(file, "&Quit", "Ctrl+Q", self.close)
        run = menu.addMenu("&Run")
        self._action(run, "&Run", "Ctrl+R", lambda: self.current().run())
        self._action(run, "&Pause / resume", "Ctrl+P", lambda: self.current().toggle_pause())
        self._action(run, "&Stop", "Esc", lambda: self.current().stop())
        self._action(run, "R&eset", "Ctrl+Shift+R", lambda: self.current().reset())
        view = menu.addMenu("&View")
        self.dark_action = self._action(view, "&Dark theme", "Ctrl+Shift+D",
                                        lambda on: self.set_theme("dark" if on else "light",
                                                                  remember=True))
        self.dark_action.setCheckable(True)
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&About physlab", None, self.show_about)

    def _fill_presets(self, menu: QtWidgets.QMenu) -> None:
        menu.clear()
        tab = self.current()
        for i in range(1, tab.presets.count()):
            name = tab.presets.itemData(i)
            menu.addAction(name, lambda name=name: tab.apply_preset(name))
        if menu.isEmpty():
            menu.addAction("(no presets for this lab)").setEnabled(False)

    def _make_tab(self, lab) -> LabTab:
        tab = lab.tab_class()(lab)
        tab.status.connect(self._on_status)
        theme.adapt_widget(tab)
        return tab

    def current(self) -> LabTab:
        """The lab tab on screen (built now if it is shown for the first time)."""
        widget = self.tabs.currentWidget()
        if isinstance(widget, QtWidgets.QTabWidget):
            widget = widget.currentWidget()
        return self.lab_tabs[widget.lab_name] if isinstance(widget, Placeholder) else widget

    def show_lab(self, name: str) -> None:
        """Bring a lab's tab (and the group tab holding it) to the front."""
        holder = self._holders[name]
        holder.setCurrentWidget(self.lab_tabs[name])
        if holder is not self.tabs:
            self.tabs.setCurrentWidget(holder)

    # -- exports -------------------------------------------------------------------------------
    def export_figure(self) -> None:
        tab = self.current()
        self._export("Export figure", f"{tab.lab.name}.png",
                     "PNG image (*.png);;SVG vector (*.svg)", tab.export_image)

    def export_data(self) -> None:
        tab = self.current()
        self._export("Export data", f"{tab.lab.name}.npz",
                     "NumPy archive (*.npz);;CSV table (*.csv)", tab.export_data)

    def _export(self, title: str, default_name: str, filters: str, write) -> None:
        """Ask for a file name, write it, and say what happened (a failure is explained and
        leaves no partial file: writers are atomic)."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, title, default_name, filters)
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(Path(default_name).suffix)
        try:
            written = write(target)
        except (ExportError, OSError) as err:
            QtWidgets.QMessageBox.warning(self, "Export failed", str(err))
            return
        self.statusBar().showMessage(f"wrote {written}", 5000)

    # -- sessions and themes ------------------------------------------------------------------
    def save_session(self, path: Path | None = None) -> Path | None:
        """Save every lab's controls, seed and runs (asks for a file name unless given one)."""
        if path is None:
            name, _ = QtWidgets.QFileDialog.getSaveFileName(
                self, "Save session", f"session{SUFFIX}", f"physlab session (*{SUFFIX})")
            if not name:
                return None
            path = Path(name) if Path(name).suffix else Path(name).with_suffix(SUFFIX)
        states = {name: tab.session_state() for name, tab in self.lab_tabs.built().items()}
        try:
            with _busy():
                written = write_session(path, states)
        except (ExportError, OSError) as err:  # told after the wait cursor is gone
            QtWidgets.QMessageBox.warning(self, "Session not saved", str(err))
            return None
        self.statusBar().showMessage(f"saved session {written}", 5000)
        return written

    def open_session(self, path: Path | None = None) -> bool:
        """Restore a saved session into every lab it holds (running labs are stopped first)."""
        if path is None:
            name, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Open session", "", f"physlab session (*{SUFFIX});;all files (*)")
            if not name:
                return False
            path = Path(name)
        try:
            with _busy():
                states, warnings = read_session(path, self.labs)
                for name, state in states.items():
                    self.lab_tabs[name].restore(state)
        except SessionError as err:  # told after the wait cursor is gone
            QtWidgets.QMessageBox.warning(self, "Session not opened", str(err))
            return False
        if warnings:
            QtWidgets.QMessageBox.information(self, "Session opened with warnings",
                                              "\n".join(warnings))
        self.statusBar().showMessage(f"opened session {path} ({len(states)} labs)", 5000)
        return True

    def set_theme(self, name: str, remember: bool = False) -> None:
        theme.apply(self, name)
        self.dark_action.setChecked(name == "dark")
        if remember:
            QtCore.QSettings().setValue("theme", name)

    # -- status --------------------------------------------------------------------------------
    def _on_status(self, text: str, progress: float, rate: float) -> None:
        if self.sender() is not self.current():
            return
        self.status_label.setText(text)
        self.progress.setValue(int(1000 * progress))
        self.rate_label.setText(f"{rate:,.0f} steps/s" if rate > 0 else "")

    def _start_warmup(self) -> None:
        self.status_label.setText("Compiling numerical kernels in the background "
                                  "(slow only on the first start)…")
        self.progress.setRange(0, 0)  # busy indicator

        def work():
            failed = []
            for lab in self.labs.values():
                try:
                    lab.warmup()
                except Exception as err:  # report, never crash the app
                    failed.append(f"{lab.name}: {err}")
            self.warmupDone.emit("; ".join(failed))

        self._warmup_thread = threading.Thread(target=work, name="physlab-warmup", daemon=True)
        self._warmup_thread.start()

    def _on_warmup_done(self, failures: str) -> None:
        self.progress.setRange(0, 1000)
        self.status_label.setText(f"Kernel warm-up failed — {failures}" if failures
                                  else "Ready — press Ctrl+R to run")

    # -- help ----------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{name}</b></td><td>{keys}</td><td>{what}</td></tr>"
                       for name, keys, what in SHORTCUTS)
        QtWidgets.QMessageBox.information(self, "Keyboard shortcuts",
                                          f"<table cellpadding=4>{rows}</table>")

    def show_about(self) -> None:
        parts = [f"<h3>physlab {__version__}</h3><p>A simulation lab for the physics of "
                 "learning.</p>"]
        for lab in self.labs.values():
            papers = "".join(f"<li>{paper}</li>" for paper in lab.papers)
            parts.append(f"<p><b>{lab.title}</b>: {lab.summary}</p><ul>{papers}</ul>")
        QtWidgets.QMessageBox.about(self, "About physlab", "".join(parts))

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop every lab's run: ask them all first, then wait, so the waits overlap instead of
        adding up."""
        tabs = self.lab_tabs.built().values()  # a tab never built never ran
        for tab in tabs:
            tab.runner.request_stop()
        for tab in tabs:
            tab.shutdown()
        shutdown_sweeps()  # the local Dask cluster, if a sweep started one

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.shutdown()
        event.accept()


class _busy:
    """A wait cursor for work on the GUI thread that may take a moment (sessions)."""

    def __enter__(self):
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc):
        QtWidgets.QApplication.restoreOverrideCursor()
