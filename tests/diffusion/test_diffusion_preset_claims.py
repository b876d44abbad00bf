"""Each Diffusion preset named after a paper does what its note says, at the preset's own set-up
(fewer samples or steps where the claim allows): GUD's presets (Gerdes, Welling & Cheng, "GUD:
Generation with Unified Diffusion", 2024) and Kamb & Ganguli's ("An analytic theory of creativity
in convolutional diffusion models", 2024). The CNN preset's full-size numbers (median r² 0.93 vs
0.73) take ten minutes; its claim is tested at a reduced size in test_cnn_els.py."""

import numpy as np
import pytest

from physlab.core.presets import load_preset
from physlab.diffusion import LAB
from physlab.diffusion.measures import _nearest_train_distance


def preset(name: str, **changes):
    p = load_preset("diffusion", name, LAB.spec)
    return {**p.params, **changes}, p


def finished(params: dict):
    exp = LAB.build(params, 0)
    exp.advance(10**7)
    assert exp.done and exp.diverged is None
    return exp


def test_coarse_to_fine_preset_follows_the_snr_cut_off_and_lags_standard_diffusion():
    """rg-coarse-to-fine: k*(t) climbs from the coarsest to the finest wavenumber along
    α²λ(k*) = σ² (GUD §4); at the same t, standard diffusion (s = 1000) has resolved more: its
    k* rises only because small scales have less power. The README's screenshots: k* ≈ 8 against
    ≈ 15 at t = 0.39."""
    coarse = finished(preset("rg-coarse-to-fine", n_samples=24, steps=60)[0]).frame()
    standard = finished(preset("standard-diffusion", n_samples=24, steps=60)[0]).frame()
    k_max = coarse["spectrum_k"].max()
    assert coarse["kstar"][0] == 0 and coarse["kstar"][-1] >= 0.9 * k_max
    assert np.mean(np.abs(coarse["kstar"] - coarse["kstar_theory"]) <= 1.5) > 0.8
    mid = np.argmin(np.abs(coarse["t"] - 0.39))
    assert coarse["kstar_theory"][mid] == pytest.approx(8.1, abs=1.0)
    assert standard["kstar_theory"][mid] == pytest.approx(14.8, abs=1.5)
    assert standard["kstar"][mid] > coarse["kstar"][mid] + 4


def test_autoregressive_preset_has_about_one_pixel_at_a_time_between_noise_and_signal():
    """autoregressive-pixels (GUD §3.3, the autoregressive limit): raster labels 1/255 apart at
    s = 0.002 shift neighbouring pixels' γ by 1/(255 s) = 1.96, so about one pixel at a time has
    SNR between e⁻¹ and e."""
    params, _ = preset("autoregressive-pixels", n_samples=2, steps=400)
    exp = LAB.build(params, 0)
    gamma = exp.proc.gamma
    step = np.diff(np.sort(gamma[:, 200]))
    assert np.median(step) == pytest.approx(1 / (255 * 0.002), rel=1e-6)
    between = (np.abs(gamma) < 1.0).sum(axis=0)
    inside = (exp.proc.t > 0.05) & (exp.proc.t < 0.95)
    assert np.all(between[inside] <= 2) and np.mean(between[inside]) == pytest.approx(1.0, abs=0.2)


def test_row_preset_generates_the_image_top_to_bottom():
    """row-by-row-sequential (the reference code's row schedule): in reverse time the finished
    rows (γ = γ̃_min) always form a block from the top, the rows still at γ̃_max one at the
    bottom, every row active in a window of length 1 − 1/(1 + s)."""
    params, _ = preset("row-by-row-sequential", n_samples=2)
    proc = LAB.build(params, 0).proc
    rows = proc.gamma.reshape(16, 16, -1)[:, 0]  # every pixel of a row shares its schedule
    assert np.allclose(proc.gamma.reshape(16, 16, -1), rows[:, None])
    done, noise = rows <= params["gamma_min"] + 1e-9, rows >= params["gamma_max"] - 1e-9
    for j in range(rows.shape[1]):
        d, n = np.nonzero(done[:, j])[0], np.nonzero(noise[:, j])[0]
        assert np.array_equal(d, np.arange(len(d)))  # a block from the top
        assert np.array_equal(n, np.arange(16 - len(n), 16))  # a block at the bottom
    width = ((~done) & (~noise)).sum(axis=1) * (proc.t[0] - proc.t[1])
    np.testing.assert_allclose(width, 1 - 1 / 1.1, atol=2 * (proc.t[0] - proc.t[1]))


def test_whitened_prior_preset_keeps_the_datas_spectrum_at_every_time():
    """whitened-data-prior: with the prior equal to the data covariance, x_t has the data's
    spectrum at every t (median |log ratio| ≤ 0.06 over |k|, 32 samples), where the white prior's
    x_t starts a factor e^1.5 off."""
    white = finished(preset("standard-diffusion", n_samples=32, steps=20)[0]).frame()
    data = finished(preset("whitened-data-prior", n_samples=32, steps=20)[0]).frame()
    keep = data["spectrum_k"] > 0

    def error(f):
        ratio = f["spectrum_samples_t"][:, keep] / f["spectrum_data"][keep]
        return np.median(np.abs(np.log(ratio)), axis=1)

    assert error(data).max() < 0.06
    assert error(white)[0] > 1.0 and error(white)[-1] < 0.06


def test_super_resolution_preset_shares_the_coarse_modes_and_varies_the_fine_ones():
    params, _ = preset("super-resolution-coarse-modes", n_samples=8, steps=20)
    proc = finished(params).proc
    coarse = proc.freq <= params["observed_k"]
    spread = proc.z.std(axis=0)
    assert spread[coarse].max() < 1e-5 and spread[~coarse].min() > 0.1 * spread[~coarse].mean()


def test_inpainting_preset_is_tighter_at_the_rim_than_in_the_middle():
    """inpainting-pixels: the conditional law's standard deviation (closed form
    Σ_uu − Σ_uo Σ_oo⁻¹ Σ_ou; exact check in test_conditioning.py) is 0.68 at the 6×6 hole's
    corners and 0.92 at its centre, against the marginal 1; the samples' spread follows it."""
    params, _ = preset("inpainting-pixels", n_samples=128, steps=30)
    exp = finished(params)
    o = exp.proc.observed
    u, cov = ~o, exp.data.cov
    var = np.zeros(len(o))
    cond = cov[np.ix_(u, u)] - cov[np.ix_(u, o)] @ np.linalg.solve(
        cov[np.ix_(o, o)], cov[np.ix_(o, u)]
    )
    var[u] = np.diag(cond)
    theory = np.sqrt(var).reshape(16, 16)[5:11, 5:11]
    assert theory[0, 0] == pytest.approx(0.677, abs=0.002)
    assert theory[2, 2] == pytest.approx(0.923, abs=0.002)
    x = exp.proc.to_pixels(exp.proc.z).reshape(-1, 16, 16)
    spread = x.std(axis=0)
    assert spread[o.reshape(16, 16)].max() < 1e-5
    rim = np.ones((6, 6), bool)
    rim[1:-1, 1:-1] = False
    hole = spread[5:11, 5:11]
    for part in (rim, ~rim):
        assert hole[part].mean() == pytest.approx(theory[part].mean(), rel=0.12)
    assert hole[~rim].mean() > hole[rim].mean()


def test_memorising_and_creative_presets():
    """digits-memorise: every sample is a training digit (RMS distance 0 to the nearest one);
    digits-els-creative (bbELS, calibrated schedule, 20 steps): new mosaics, RMS distance ≈ 0.6
    per pixel to the nearest training digit (≈ 5 in the 64-pixel norm)."""
    memorise, _ = preset("digits-memorise", n_samples=8)
    assert _nearest_train_distance(finished(memorise)) < 1e-3
    creative, _ = preset("digits-els-creative", n_samples=6)
    assert creative["boundary"] == "bbels" and creative["steps"] == 20
    assert 0.4 < _nearest_train_distance(finished(creative)) < 0.9


def test_softness_basis_sweep_is_flat_at_the_sampling_noise():
    """gerdes-gud-softness-basis: with the exact Gaussian denoiser the reverse process samples the
    data law for every schedule, basis and step count (GUD's schedule decides the order in which
    components are generated, not the law), so the spectral error at the sweep's corners is the
    sampling noise of 64 samples (0.015–0.054 measured over the 4 × 4 corners and middles)."""
    from physlab.core.sweep.presets import load_sweep_preset
    from physlab.diffusion.measures import _spectral_error

    sweep = load_sweep_preset("diffusion", "gerdes-gud-softness-basis", LAB.spec)
    assert sweep.params["denoiser"] == "gaussian" and sweep.measures == ("spectral_error",)
    for softness, basis in ((0.01, "fourier"), (100.0, "pixel"), (0.01, "haar")):
        exp = finished({**sweep.params, "softness": softness, "basis": basis, "steps": 20})
        assert _spectral_error(exp) < 0.08, (softness, basis)
