import gc

import pytest

from physlab.gui.plots import configure


@pytest.fixture
def window(qtbot):
    configure()
    from physlab.gui.window import MainWindow

    win = MainWindow(warm_up=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    for tab in win.lab_tabs.built().values():
        assert not tab.runner.alive
    gc.collect()  # free the window's Qt objects here, on the GUI thread (see gui/gc_guard.py)
