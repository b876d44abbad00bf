"""The Kernels tab and its Scaling laws view: runs draw data beside theory, heatmaps fill, and
moving the γ0 slider re-runs the lab."""

from physlab.core.runner import RunState
from tests.gui.gui_helpers import finished


def test_kernel_tab_draws_curves_theory_and_heatmaps(window, qtbot):
    window.show_lab("kernels")
    tab = window.current()
    assert tab.lab.name == "kernels"
    tab.panel.set_values({"width": 200, "steps": 20, "particles": 1000})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.runner.state == RunState.FINISHED
    tab.paint(tab.snapshot.frame, tab._run_params)
    for plot in (tab.p_loss, tab.p_align):
        keys = {key[1] for key, (p, item) in tab.items._items.items() if p is plot}
        assert {"sim", "theory"} <= keys
    for heatmap in (tab.h_theory, tab.h_sim, tab.h_diff):
        assert heatmap[1].image is not None and heatmap[1].image.shape == (16, 16)
    tab.kernel_choice.setCurrentIndex(3)  # G¹
    tab.scrub.slider.setValue(0)
    assert tab.scrub.label.text() == "step 0"


def test_gamma0_slider_reruns_with_the_new_value(window, qtbot):
    tab = window.lab_tabs.get_or_build("kernels")
    window.show_lab("kernels")
    tab.panel.set_values({"width": 100, "steps": 10, "particles": 500})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    slider = tab.panel.widget("gamma0").slider
    slider.setValue(slider.value() - 40)
    qtbot.waitUntil(lambda: tab._run_params["gamma0"] < 1.0 and finished(tab)(), timeout=60000)
    assert tab.snapshot.frame["step"][-1] == 10


def test_deep_relu_draws_the_monte_carlo_dmft_with_its_sample_count(window, qtbot):
    tab = window.lab_tabs.get_or_build("kernels")
    values = {"depth": 2, "activation": "relu", "width": 50, "steps": 5, "n_samples": 8}
    tab.panel.set_values({**values, "mc_samples": 256})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    legend = [label.text for _, label in tab.p_loss.legend.items]
    assert any("256 Monte Carlo samples (depth-2 relu)" in text for text in legend), legend
    assert tab.h_theory[1].image is not None and tab.h_theory[1].image.shape == (8, 8)


def test_scaling_tab_fills_curves_and_exponent_table(window, qtbot):
    window.show_lab("scaling")
    tab = window.current()
    tab.panel.set_values({"widths": [16, 32, 64], "steps": 2000, "features": 1000})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    assert tab.table.rowCount() == 5  # model size and frontier first, three time exponents
    assert tab.table.item(0, 0).text().startswith("model size")
    assert tab.table.item(0, 2).text() == "0.750"
    assert " ± " in tab.table.item(0, 1).text() and " ± " in tab.table.item(1, 1).text()
    legend = [label.text for _, label in tab.p_time.legend.items]
    assert legend[:3] == ["N = 16", "N = 32", "N = 64"]  # curves first, theory after them


def test_scaling_rich_run_draws_the_rich_theory_and_its_exponent_row(window, qtbot):
    """A rich run: the rich N → ∞ curve (scaling_rich_theory) drawn beside the lazy one, named in
    the legend, and a table row comparing its late slope with 2β/(1+β)."""
    window.show_lab("scaling")
    tab = window.current()
    tab.panel.set_values(
        {"widths": [16, 32], "steps": 300, "features": 500, "rich": True, "gamma0": 0.1}
    )
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    keys = {key[1] for key, (p, item) in tab.items._items.items() if p is tab.p_time}
    assert {"theory", "rich-theory"} <= keys
    legend = [label.text for _, label in tab.p_time.legend.items]
    assert "rich theory, N, P → ∞ (γ0 = 0.1)" in legend and "lazy theory, N, P → ∞" in legend
    labels = [tab.table.item(r, 0).text() for r in range(tab.table.rowCount())]
    row = labels.index("time, rich theory N → ∞ (last decade)")
    assert labels[row + 1] == "time, N = 16"  # before the curves' rows, in view without scrolling
    assert tab.table.item(row, 2).text() == "0.667"  # 2β/(1+β) at β = 0.5
    assert " ± " in tab.table.item(row, 1).text()


def test_scaling_progress_counts_gd_steps(window, qtbot):
    """Lazy curves are closed-form, but the progress and the message speak of GD steps: three
    curves of 2000 steps are 6000 steps, not the number of recorded points."""
    window.show_lab("scaling")
    tab = window.current()
    tab.panel.set_values({"widths": [16, 32, 64], "steps": 2000, "features": 1000})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.snapshot.total_steps == 6000 and tab.snapshot.steps_done == 6000


def test_preset_note_shows_text_with_angle_brackets(window):
    tab = window.lab_tabs.get_or_build("scaling")
    tab.apply_preset("rich-hard-task")
    assert "(β &lt; 1)" in tab.preset_note.text() and tab.lab.spec.validate(tab.panel.values())


def test_dragging_gamma0_during_runs_settles_on_the_last_value(window, qtbot):
    """Fifty slider moves while runs stream: no crash, a few debounced re-runs, and the run that
    finishes is the one for the value the slider rests on."""
    tab = window.lab_tabs.get_or_build("kernels")
    window.show_lab("kernels")
    tab.panel.set_values({"width": 100, "steps": 200, "particles": 500})
    tab.run()
    slider = tab.panel.widget("gamma0").slider
    first_run = tab.runner.runner.run_id
    for i in range(50):
        slider.setValue(60 + (i * 37) % 80)
        qtbot.wait(3)
    qtbot.waitUntil(
        lambda: (
            not tab._restart.isActive()
            and finished(tab)()
            and tab._run_params["gamma0"] == tab.panel.values()["gamma0"]
        ),
        timeout=60000,
    )
    assert tab.runner.runner.run_id - first_run <= 10  # debounced, not one run per move
    assert tab.snapshot.frame["step"][-1] == 200
