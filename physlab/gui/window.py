"""The main window: one tab per lab, menus (File / Edit / Run / View / Help), keyboard shortcuts,
sessions, configurations as text, an embedded console, remembered settings, themes, a status bar with the shown lab's run (its progress and speed) and, apart from it, the JIT
warm-up in the background at start-up (the shown lab's kernels first, each lab's in its worker
process)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from physlab._version import __version__
from physlab.catalog import all_labs
from physlab.core.config_text import ConfigError
from physlab.core.export import ExportError
from physlab.core.lab_process import WarmPool
from physlab.core.resources import resource
from physlab.core.session import SUFFIX, SessionError, read_session, write_session

from . import figure_export, theme
from .about import AboutDialog
from .configuration import copy_configuration, paste_configuration
from .console import console_dock
from .gc_guard import collect_in_gui_thread
from .lab_tab import LabTab
from .lazy_tabs import LabTabs, Placeholder
from .run_controls import SCALE, RunStatus
from .settings import last_folder, remember_folder, settings
from .sweep_mode import shutdown_sweeps
from .worker import warm_lab

SHORTCUTS = (
    ("Run", "Ctrl+R", "start a run with the current parameters"),
    ("Pause / resume", "Ctrl+P", "hold the run between chunks"),
    ("Stop", "Esc", "stop the run, keep its data"),
    ("Reset", "Ctrl+Shift+R", "stop and clear the plots"),
    ("Export figure", "Ctrl+E", "save the tab's plots as PNG, SVG or PDF"),
    ("Export data", "Ctrl+S", "save the run's data as NPZ or CSV, with parameters and seed"),
    ("Open session", "Ctrl+O", "restore every lab's parameters, seeds and runs from a file"),
    ("Save session", "Ctrl+Shift+S", "save every lab's parameters, seeds and runs to a file"),
    (
        "Copy configuration",
        "Ctrl+Shift+C",
        "put the tab's lab, parameters and seed on the "
        "clipboard as one line (physlab:LAB?…&seed=N)",
    ),
    ("Paste configuration", "Ctrl+Shift+V", "set a lab's controls from such a line"),
    ("Dark / light theme", "Ctrl+Shift+D", "switch the window and the plots"),
    ("Console", "Ctrl+Shift+K", "a Python console with every tab's run in runs[…]"),
    ("Next / previous lab", "Ctrl+Tab / Ctrl+Shift+Tab", "switch tabs"),
    ("Quit", "Ctrl+Q", "stop all runs and quit"),
)
SHUTDOWN_SECONDS = 10.0  # closing the app waits this long at most for the labs' workers


class MainWindow(QtWidgets.QMainWindow):
    warmupProgress = QtCore.Signal(str, int, int)  # lab title, labs compiled before it, all labs
    warmupDone = QtCore.Signal(str)  # failures ("" if none)

    def __init__(self, initial_lab: str | None = None, warm_up: bool = True):
        super().__init__()
        collect_in_gui_thread()
        self.setWindowTitle(f"physlab {__version__} — the physics of learning")
        icon = resource("icons", "physlab.svg")
        if icon.is_file():
            self.setWindowIcon(QtGui.QIcon(str(icon)))
        self.labs = all_labs()
        self.warm_pool = WarmPool()  # the workers the warm-up starts, until each lab's first run
        self.about_dialog: AboutDialog | None = None
        self._status_bar()
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
            widget.currentChanged.connect(lambda _index: self._on_tab_changed())
        if initial_lab in self.labs:
            self.show_lab(initial_lab)
        self._on_tab_changed()
        self.setCentralWidget(self.tabs)
        self.figure_settings = figure_export.FigureSettings()
        self._build_menus()
        self.resize(1500, 920)
        self.warmupDone.connect(self._on_warmup_done)
        if warm_up:
            self._start_warmup()

    def _status_bar(self) -> None:
        """Left: the shown lab's run; right: its speed and progress, then the kernel warm-up."""
        self.status_label = QtWidgets.QLabel("Ready")
        self.rate_label = QtWidgets.QLabel("")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, SCALE)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.compile_label = QtWidgets.QLabel("")
        self.compile_label.setObjectName("compile_status")
        self.compile_bar = QtWidgets.QProgressBar()
        self.compile_bar.setMaximumWidth(120)
        self.compile_bar.setTextVisible(False)
        self.compile_bar.hide()
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.rate_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.compile_label)
        bar.addPermanentWidget(self.compile_bar)

    # -- menus ---------------------------------------------------------------------------------
    def _action(self, menu, text, shortcut, slot) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        # slot() without arguments: triggered(bool) would arrive as its first parameter (issue
        # 13: it arrived as save_session's `path`)
        action.triggered.connect(lambda *_checked: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file = menu.addMenu("&File")
        self._action(file, "&Open session…", "Ctrl+O", self.open_session)
        self._action(file, "Save &session…", "Ctrl+Shift+S", self.save_session)
        file.addSeparator()
        self._action(file, "Export &figure…", "Ctrl+E", self.export_figure)
        self._action(file, "Figure export se&ttings…", None, self.edit_figure_settings)
        self._action(file, "Export &data…", "Ctrl+S", self.export_data)
        self.presets_menu = file.addMenu("&Presets")
        self.presets_menu.aboutToShow.connect(lambda: self._fill_presets(self.presets_menu))
        file.addSeparator()
        self._action(file, "&Quit", "Ctrl+Q", self.close)
        edit = menu.addMenu("&Edit")
        self._action(edit, "&Copy configuration", "Ctrl+Shift+C", self.copy_configuration)
        self._action(edit, "&Paste configuration", "Ctrl+Shift+V", self.paste_configuration)
        run = menu.addMenu("&Run")
        self._action(run, "&Run", "Ctrl+R", lambda: self.current().run())
        self._action(run, "&Pause / resume", "Ctrl+P", lambda: self.current().toggle_pause())
        self._action(run, "&Stop", "Esc", lambda: self.current().stop())
        self._action(run, "R&eset", "Ctrl+Shift+R", lambda: self.shown_view().reset())
        view = menu.addMenu("&View")
        self.dark_action = QtGui.QAction("&Dark theme", self)
        self.dark_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+D"))
        self.dark_action.setCheckable(True)
        self.dark_action.triggered.connect(
            lambda on: self.set_theme("dark" if on else "light", remember=True)
        )
        view.addAction(self.dark_action)
        self.console = console_dock(self)
        self.console_action = self.console.toggleViewAction()
        self.console_action.setText("&Console")
        self.console_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+K"))
        view.addAction(self.console_action)
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&About physlab", None, self.show_about)

    def shown_view(self):
        """What the Run menu acts on: the current lab's Sweep view while it is on screen, else
        the lab tab itself."""
        tab = self.current()
        return tab.sweep_mode.active_view() or tab

    def _fill_presets(self, menu: QtWidgets.QMenu) -> None:
        """The presets of the view on screen: the lab's, or its sweep presets while the Sweep
        view is shown (each disabled while that view runs, as its preset box is)."""
        menu.clear()
        tab, target = self.current(), self.shown_view()
        busy = target.running if target is not tab else tab.runner.state.active
        for i in range(1, target.presets.count()):
            name = target.presets.itemData(i)
            action = menu.addAction(name)
            action.triggered.connect(lambda *_checked, name=name: target.apply_preset(name))
            action.setEnabled(not busy)
        if menu.isEmpty():
            menu.addAction("(no presets for this lab)").setEnabled(False)

    def _make_tab(self, lab) -> LabTab:
        tab = lab.tab_class()(lab)
        tab.status.connect(self._on_status)
        theme.adapt_widget(tab)
        return tab

    def _on_tab_changed(self) -> None:
        """Another lab is on screen: build its tab if new, and show its status."""
        tab = self.current()
        self._shown_lab = tab.lab.name  # read by the warm-up thread: the shown lab goes first
        self._show_status(tab.run_status)

    def current(self) -> LabTab:
        """The lab tab on screen (built now if it is shown for the first time)."""
        widget = self.tabs.currentWidget()
        if isinstance(widget, QtWidgets.QTabWidget):
            widget = widget.currentWidget()
        if isinstance(widget, Placeholder):
            return self.lab_tabs.get_or_build(widget.lab_name)
        return widget

    def show_lab(self, name: str) -> None:
        """Bring a lab's tab (and the group tab holding it) to the front."""
        holder = self._holders[name]
        holder.setCurrentWidget(self.lab_tabs.get_or_build(name))
        if holder is not self.tabs:
            self.tabs.setCurrentWidget(holder)

    # -- exports -------------------------------------------------------------------------------
    def export_figure(self) -> None:
        tab = self.current()
        self._export(
            "Export figure",
            f"{tab.lab.name}.png",
            "PNG image (*.png);;SVG vector (*.svg);;PDF vector (*.pdf)",
            lambda path: tab.export_image(path, self.figure_settings),
        )

    def edit_figure_settings(self) -> None:
        """PNG width and DPI, light or dark background (File ▸ Figure export settings…)."""
        chosen = figure_export.ask_figure_settings(self, self.figure_settings)
        if chosen is not None:
            self.figure_settings = chosen

    def export_data(self) -> None:
        tab = self.current()
        self._export(
            "Export data",
            f"{tab.lab.name}.npz",
            "NumPy archive (*.npz);;CSV table (*.csv)",
            tab.export_data,
        )

    def _export(self, title: str, default_name: str, filters: str, write) -> None:
        """Ask for a file name, write it, and say what happened (a failure is explained and
        leaves no partial file: writers are atomic)."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, title, str(last_folder("export") / default_name), filters
        )
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
        remember_folder("export", written)
        self.statusBar().showMessage(f"wrote {written}", 5000)

    # -- configurations as text ----------------------------------------------------------------
    def copy_configuration(self) -> str | None:
        """Edit ▸ Copy configuration: the current tab's lab, parameters and seed as one line."""
        try:
            text = copy_configuration(self.current())
        except (ConfigError, ValueError) as err:  # a control holding an invalid combination
            QtWidgets.QMessageBox.warning(self, "Configuration not copied", str(err))
            return None
        self.statusBar().showMessage(f"copied {text[:120]}{'…' if len(text) > 120 else ''}", 5000)
        return text

    def paste_configuration(self) -> bool:
        """Edit ▸ Paste configuration: set a lab's controls from the clipboard's line."""
        try:
            name = paste_configuration(self)
        except ConfigError as err:
            QtWidgets.QMessageBox.warning(self, "Configuration not pasted", str(err))
            return False
        self.statusBar().showMessage(
            f"{self.labs[name].title}: controls set from the pasted "
            f"configuration — press Run (Ctrl+R)",
            5000,
        )
        return True

    # -- sessions and themes ------------------------------------------------------------------
    def save_session(self, path: Path | None = None) -> Path | None:
        """Save every lab's controls, seed and runs (asks for a file name unless given one)."""
        if path is None:
            name, _ = QtWidgets.QFileDialog.getSaveFileName(
                self,
                "Save session",
                str(last_folder("session") / f"session{SUFFIX}"),
                f"physlab session (*{SUFFIX})",
            )
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
                self,
                "Open session",
                str(last_folder("session")),
                f"physlab session (*{SUFFIX});;all files (*)",
            )
            if not name:
                return False
            path = Path(name)
        try:
            with _busy():
                states, warnings = read_session(path, self.labs)
                for name, state in states.items():
                    self.lab_tabs.get_or_build(name).restore(state)
        except SessionError as err:  # told after the wait cursor is gone
            QtWidgets.QMessageBox.warning(self, "Session not opened", str(err))
            return False
        if warnings:
            QtWidgets.QMessageBox.information(
                self, "Session opened with warnings", "\n".join(warnings)
            )
        self.statusBar().showMessage(f"opened session {path} ({len(states)} labs)", 5000)
        return True

    def set_theme(self, name: str, remember: bool = False) -> None:
        theme.apply(self, name)
        self.dark_action.setChecked(name == "dark")
        if remember:
            settings().setValue("theme", name)

    # -- status --------------------------------------------------------------------------------
    def _on_status(self, status: RunStatus) -> None:
        if self.sender() is self.current():  # each lab's status is its own
            self._show_status(status)

    def _show_status(self, status: RunStatus) -> None:
        self.status_label.setText(status.text)
        self.progress.setRange(0, 0 if status.busy else SCALE)
        self.progress.setValue(int(SCALE * status.progress))
        self.rate_label.setText(f"{status.rate:,.0f} steps/s" if status.rate > 0 else "")

    def _start_warmup(self) -> None:
        """Compile every lab's kernels in its worker process (:func:`~.worker.warm_lab`), one lab
        after the other from a background thread, the shown lab's first (the user switching tabs
        meanwhile moves the new one to the front of what is left): the first frame of the lab on
        screen waits for its own kernels only."""
        self.compile_label.setText("Compiling numerical kernels (slow only on the first start)…")
        self.compile_bar.setRange(0, 0)  # busy indicator
        self.compile_bar.show()
        self.warmupProgress.connect(self._on_warmup_progress)

        def work():
            failed, left = [], list(self.labs.values())
            while left and not self.warm_pool.closed:
                shown = [lab for lab in left if lab.name == self._shown_lab]
                lab = (shown or left)[0]
                left.remove(lab)
                self.warmupProgress.emit(lab.title, len(self.labs) - len(left), len(self.labs))
                try:
                    warm_lab(lab, self.warm_pool)
                except Exception as err:  # report, never crash the app
                    failed.append(f"{lab.name}: {err}")
            if not self.warm_pool.closed:  # (a closed window's signals may be gone)
                self.warmupDone.emit("; ".join(failed))

        self._warmup_thread = threading.Thread(target=work, name="physlab-warmup", daemon=True)
        self._warmup_thread.start()

    def _on_warmup_progress(self, title: str, k: int, n: int) -> None:
        self.compile_label.setText(f"Compiling {title} kernels ({k} of {n} labs)…")

    def _on_warmup_done(self, failures: str) -> None:
        self.compile_bar.hide()
        if failures:
            self.compile_label.setText(f"Kernel warm-up failed — {failures}")
            return
        self.compile_label.setText("Kernels compiled")
        QtCore.QTimer.singleShot(5000, self.compile_label.clear)

    # -- help ----------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{name}</b></td><td>{keys}</td><td>{what}</td></tr>"
            for name, keys, what in SHORTCUTS
        )
        QtWidgets.QMessageBox.information(
            self, "Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>"
        )

    def show_about(self) -> None:
        """The labs and their papers, in a dialog that fits the screen and scrolls."""
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.labs.values(), self)
        self.about_dialog.open()

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop every lab's run: ask them all first, then end them — a worker process is killed
        at once, a lab running in a thread is waited for at most ``SHUTDOWN_SECONDS`` in all (a
        cold compile cannot be interrupted; its daemon thread never holds the process open)."""
        tabs = self.lab_tabs.built().values()  # a tab never built never ran
        for tab in tabs:
            tab.runner.request_stop()
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        for tab in tabs:
            tab.shutdown(max(deadline - time.monotonic(), 0.0))
        self.warm_pool.close()  # the warm workers of labs never run, and the warm-up stops
        shutdown_sweeps()  # the local Dask cluster, if a sweep started one

    def remember_layout(self) -> None:
        """Keep the window's geometry and the shown lab for the next start."""
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/lab", self.current().lab.name)

    def restore_layout(self, lab: str | None = None) -> None:
        """The geometry and lab of the last start (``lab``, when given, wins)."""
        store = settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        last = lab or store.value("window/lab")
        if isinstance(last, str) and last in self.labs:
            self.show_lab(last)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.remember_layout()
        self.shutdown()
        event.accept()


class _busy:
    """A wait cursor for work on the GUI thread that may take a moment (sessions)."""

    def __enter__(self):
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc):
        QtWidgets.QApplication.restoreOverrideCursor()
