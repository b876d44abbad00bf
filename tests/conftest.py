"""Test set-up: Qt runs offscreen, and no test may leave a runner thread alive."""

import os
import tempfile
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# remembered settings (theme, geometry, folders) go to a scratch folder, never the user's own
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="physlab-test-config-")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_leaked_run_threads():
    yield
    leaked = [
        t for t in threading.enumerate() if t.name.startswith("physlab-run-") and t.is_alive()
    ]
    for t in leaked:
        t.join(5.0)
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"runner threads left running: {still}"
