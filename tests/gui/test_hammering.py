"""A user hammering two labs at once: start / stop / pause / reset / switch tabs / change
parameters in random order, 100 times. Nothing may crash, no frame of a cancelled run may be
painted after a new run started, and no runner thread may outlive the window (the autouse
fixture in tests/conftest.py fails a test that leaves one)."""

import random
import threading

from physlab.core.runner import RunState
from tests.gui.gui_helpers import finished

PARAMS = {
    "collapse": {"repeats": 20, "d": 20, "T": 60, "T0": 60, "generations": 30},
    "sharpness": {"steps": 3000},
}


def test_hammering_two_labs(window, qtbot):
    rng = random.Random(7)
    tabs = [window.lab_tabs.get_or_build(name) for name in PARAMS]
    stale = []
    for tab in tabs:
        tab.panel.set_values(PARAMS[tab.lab.name])
        paint = tab.paint

        def checked(frame, params, tab=tab, paint=paint):
            if tab.snapshot.run_id != tab.runner.runner.run_id:
                stale.append((tab.lab.name, tab.snapshot.run_id, tab.runner.runner.run_id))
            paint(frame, params)

        tab.paint = checked

    def change(tab):
        if tab.lab.name == "sharpness":  # live: applied to the streaming run
            tab.panel.widget("lr").setValue(rng.choice([0.05, 0.1, 0.2]))
        else:  # not live: takes effect at the next run
            tab.panel.widget("generations").setValue(rng.randint(5, 40))

    actions = [
        lambda t: t.run(),
        lambda t: t.stop(),
        lambda t: t.reset(),
        lambda t: t.toggle_pause(),
        lambda t: window.show_lab(t.lab.name),
        change,
    ]
    for _ in range(100):
        tab = rng.choice(tabs)
        rng.choice(actions)(tab)
        qtbot.wait(rng.randint(0, 25))
    assert not stale, f"frames of replaced runs painted: {stale[:3]}"

    for tab in tabs:  # both labs still work normally afterwards
        tab.panel.set_values({"steps": 300} if tab.lab.name == "sharpness" else {"generations": 3})
        tab.run()
    for tab in tabs:
        qtbot.waitUntil(finished(tab), timeout=60000)
        assert tab.runner.state == RunState.FINISHED
    window.close()
    assert not [
        t for t in threading.enumerate() if t.name.startswith("physlab-run-") and t.is_alive()
    ]
