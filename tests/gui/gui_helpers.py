"""Helpers shared by the GUI tests."""


def finished(tab):
    """A wait condition: the GUI has seen the run end (state changes arrive by queued signal,
    after the last frame)."""
    return lambda: (
        not tab.runner.state.active and tab.snapshot is not None and not tab.stop_button.isEnabled()
    )
