"""The Diffusion tab: a run fills both mosaics, the schedule map and the spectra; the time slider
scrubs back; the softness slider re-runs."""

import numpy as np
import pytest

from tests.gui.gui_helpers import finished


def test_diffusion_tab_draws_frames_schedule_and_spectra(window, qtbot):
    window.show_lab("diffusion")
    tab = window.current()
    tab.panel.set_values({"size": 8, "steps": 20, "n_samples": 16})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    assert tab.v_xt[1].image.shape == (35, 35) and np.isfinite(tab.v_x0[1].image).all()
    assert tab.snr_image.image.shape[0] == 64
    assert {"data", "samples", "measured", "theory"} <= {k[1] for k in tab.items._items}
    tab.scrub.slider.setValue(0)
    assert tab.scrub.label.text() == "t = 1.000"


def test_softness_slider_reruns(window, qtbot):
    tab = window.lab_tabs.get_or_build("diffusion")
    window.show_lab("diffusion")
    tab.panel.set_values({"size": 8, "steps": 10, "n_samples": 4})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    slider = tab.panel.widget("softness").slider
    slider.setValue(slider.value() + 30)
    qtbot.waitUntil(lambda: tab._run_params["softness"] > 0.2 and finished(tab)(), timeout=60000)


@pytest.mark.parametrize(
    "diffusion",
    [
        {"size": 32, "steps": 5000},
        {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "els",
            "softness": 1000.0,
            "n_samples": 16,
            "steps": 20,
        },
    ],
    ids=["gaussian", "els"],
)
def test_closing_with_three_new_labs_streaming_stops_them_within_a_second(window, qtbot, diffusion):
    """One ELS step takes 0.5–2 s; it checks for a stop request between samples."""
    import time

    from physlab.core.runner import RunState

    for name in ("diffusion", "kernels", "scaling"):  # a warm app: the JIT warm-up has run (a cold
        window.labs[name].warmup()  # compile in a worker cannot be interrupted)
    runs = {
        "diffusion": diffusion,
        "scaling": {"rich": True, "widths": [256, 512], "steps": 100_000},
        "kernels": {"depth": 2, "width": 2000, "steps": 100_000, "theory": "none"},
    }
    tabs = [window.lab_tabs.get_or_build(name) for name in runs]
    for tab, params in zip(tabs, runs.values()):
        tab.panel.set_values(params)
        tab.run()
    for tab in tabs:  # streaming, past the first frame
        qtbot.waitUntil(
            lambda tab=tab: tab.runner.state == RunState.RUNNING and tab.snapshot is not None,
            timeout=120000,
        )
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 1.0
    assert not any(tab.runner.runner.alive for tab in tabs)


def test_cnn_mode_shows_the_els_theory_the_baseline_and_their_r2(window, qtbot):
    """denoiser=cnn (Kamb & Ganguli's Fig. 3): the ELS and ideal-denoiser mosaics, the r²
    histogram and the training loss replace x_t, the schedule map and k*(t), and go away again."""
    window.show_lab("diffusion")
    tab = window.current()
    tab.panel.set_values(
        {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "cnn",
            "softness": 1000.0,
            "n_samples": 4,
            "steps": 4,
            "frames": 5,
            "train_size": 30,
            "train_steps": 20,
            "channels": 4,
            "calibrate": False,
        }
    )
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=120000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    assert tab.v_els[1].image.shape == (35, 35) and tab.v_ideal[1].image is not None
    assert tab.p_r2.isVisible() and tab.p_loss.isVisible() and not tab.p_snr.isVisible()
    assert {"r2_els", "r2_ideal", "loss"} <= {k[1] for k in tab.items._items}
    assert "median ELS" in tab.p_r2.titleLabel.text
    tab.panel.set_values({"denoiser": "gaussian", "data": "grf", "basis": "fourier"})
    tab.clear_plots()
    assert not tab.p_r2.isVisible() and tab.p_snr.isVisible() and tab.v_xt[0].isVisible()


def test_schedule_map_shows_the_papers_softness_beside_ours(window, qtbot):
    """Issue 18 item 5: physlab's s beside the reference code's s_GUD = s·(v_max − v_min)
    (2 log(8√2) = 4.85 for 16×16 fields with n = 2), and the endpoints γ̃_min, γ̃_max."""
    window.show_lab("diffusion")
    tab = window.current()
    tab.panel.set_values(
        {"size": 16, "steps": 4, "n_samples": 4, "softness": 0.1, "gamma_max": 3.0}
    )
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    title = tab.p_snr.titleLabel.text
    s_gud = 0.1 * 2 * np.log(8 * np.sqrt(2))
    assert "(soft schedule)" in title and "s = 0.1" in title
    assert f"s<sub>GUD</sub> = {s_gud:.3g}" in title
    assert "γ̃ from −7 to 3" in title


def test_conditioned_runs_draw_the_conditional_laws_spectrum_as_theory(window, qtbot):
    """Issue 18 item 9 in the view: under GUD's conditioning the theory line of the spectrum is
    the closed-form conditional law's, the unconditioned data's is kept as a guide, and the k*
    panel says it is not meaningful."""
    window.show_lab("diffusion")
    tab = window.current()
    tab.panel.set_values(
        {"size": 8, "steps": 6, "n_samples": 4, "condition": "coarse", "observed_k": 1.0}
    )
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab.paint(tab.snapshot.frame, tab._run_params)
    assert {"data", "conditional"} <= {k[1] for k in tab.items._items}
    assert "not meaningful" in tab.p_kstar.titleLabel.text
