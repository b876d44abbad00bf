"""GUD's soft conditioning with the exact Gaussian denoiser: observed components stay at the
observation, the others are drawn from the conditional Gaussian law — checked against the closed
form μ_u + Σ_uo Σ_oo⁻¹(x_o − μ_o), Σ_uu − Σ_uo Σ_oo⁻¹ Σ_ou (Gerdes, Welling & Cheng, "GUD: Generation
with Unified Diffusion", 2024, §3.3)."""

import numpy as np
import pytest

from physlab.core.params import ParamError
from physlab.diffusion.experiment import DiffusionExperiment


def finished(params, seed=0):
    exp = DiffusionExperiment(params, seed)
    exp.advance(10_000)
    return exp


def test_inpainting_draws_the_hole_from_the_conditional_gaussian():
    size, hole, n = 8, 4, 800
    exp = finished(
        {
            "data": "grf",
            "size": size,
            "basis": "pixel",
            "condition": "inpaint",
            "hole": hole,
            "n_samples": n,
            "steps": 60,
            "frames": 2,
        }
    )
    samples = exp.proc.to_pixels(exp.proc.z)
    observed = exp.proc.observed
    assert observed.sum() == size * size - hole * hole
    x = exp.proc.observation
    np.testing.assert_allclose(
        samples[:, observed], np.broadcast_to(x[observed], (n, observed.sum())), atol=1e-5
    )
    mu, cov = exp.data.mean, exp.data.cov
    u, o = ~observed, observed
    gain = cov[np.ix_(u, o)] @ np.linalg.inv(cov[np.ix_(o, o)])
    mean = mu[u] + gain @ (x[o] - mu[o])
    var = np.diag(cov[np.ix_(u, u)] - gain @ cov[np.ix_(o, u)])
    got_mean, got_var = samples[:, u].mean(axis=0), samples[:, u].var(axis=0)
    assert np.all(np.abs(got_mean - mean) < 4.5 * np.sqrt(var / n))
    np.testing.assert_allclose(got_var, var, rtol=5 * np.sqrt(2 / n))
    # and not the unconditional law: the hole's variance is well below the marginal one
    assert np.all(var < np.diag(cov)[u]) and var.mean() < 0.8 * np.diag(cov)[u].mean()


def test_super_resolution_keeps_the_coarse_modes_and_samples_the_rest():
    exp = finished(
        {
            "data": "grf",
            "size": 16,
            "basis": "fourier",
            "condition": "coarse",
            "observed_k": 2.0,
            "n_samples": 200,
            "steps": 60,
            "frames": 2,
        }
    )
    proc = exp.proc
    coarse = proc.freq <= 2.0
    assert 0 < coarse.sum() < len(coarse)
    clean = ((proc.observation - exp.data.mean) @ proc.U.T) / proc.scale
    np.testing.assert_allclose(
        proc.z[:, coarse], np.broadcast_to(clean[coarse], (200, coarse.sum())), atol=1e-5
    )
    fine_var = proc.z[:, ~coarse].var(axis=0)  # independent modes: the marginal variance
    np.testing.assert_allclose(fine_var.mean(), np.diag(proc.K)[~coarse].mean(), rtol=0.1)
    frame = exp.frame()
    assert frame["observed_image"].shape == (16, 16) and frame["observed"].sum() == coarse.sum()


@pytest.mark.parametrize(
    "params, name",
    [
        ({"condition": "inpaint", "basis": "fourier"}, "condition"),
        ({"condition": "coarse", "basis": "pixel"}, "condition"),
        ({"condition": "coarse", "basis": "fourier", "denoiser": "empirical"}, "condition"),
        ({"condition": "inpaint", "basis": "pixel", "size": 8, "hole": 8}, "hole"),
        ({"ordering": "rows", "basis": "fourier"}, "ordering"),
        ({"gamma_min": -3.0, "gamma_max": -4.0}, "gamma_max"),
    ],
)
def test_inconsistent_conditioning_and_schedules_are_refused(params, name):
    with pytest.raises(ParamError) as info:
        DiffusionExperiment(params, 0)
    assert info.value.name == name


def test_unconditioned_runs_record_the_papers_softness():
    exp = DiffusionExperiment({"data": "grf", "size": 16, "steps": 4}, 0)
    v = -np.log(exp.proc.variances)
    assert exp.summary()["softness_gud"] == pytest.approx(0.2 * (v.max() - v.min()))
    assert "observation" not in exp.frame()


@pytest.mark.parametrize(
    "params",
    [
        {"size": 16, "basis": "fourier", "condition": "coarse", "observed_k": 2.0},
        {"size": 8, "basis": "pixel", "condition": "inpaint", "hole": 4},
    ],
    ids=["coarse", "inpaint"],
)
def test_the_samples_spectrum_is_the_conditional_laws(params):
    """The frame's theory spectrum under conditioning is the closed form's: |FFT(m − μ)|²/d plus
    the power of Σ_c (GUD §3.3). The samples' spectrum meets it shell by shell, and it is not the
    unconditioned data's (the observation's own modes are fixed, not drawn)."""
    n = 400
    f = finished({"data": "grf", "n_samples": n, "steps": 40, "frames": 2, **params}).frame()
    theory, data, got = f["spectrum_theory"], f["spectrum_data"], f["spectrum_samples"]
    np.testing.assert_allclose(got, theory, rtol=0.12, atol=1e-3 * theory.max())
    assert np.max(np.abs(np.log(theory / data))) > 0.2
