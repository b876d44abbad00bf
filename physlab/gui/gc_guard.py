"""Python's cycle collector runs in whichever thread happens to allocate. When it frees a Qt object
outside the GUI thread, Qt can crash or deadlock — seen in the test suite: a runner thread's
collection destroyed a closed window's menu while the GUI thread was deleting its actions, and
each waited for the other forever. So automatic collection is switched off and the GUI thread
collects on a timer instead (pyqtgraph's GarbageCollector, which keeps the usual thresholds)."""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 0.5
_collector: GarbageCollector | None = None


def collect_in_gui_thread() -> None:
    """Start collecting garbage on the GUI thread only (once per process; needs a QApplication)."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_S)
