"""GUD diffusion against exact results: Gaussian fields are sampled exactly, Tweedie's formula
holds, small softness generates one component at a time, the empirical denoiser memorises and the
ELS machine reduces to it where it must (Gerdes, Welling & Cheng 2024; Kamb & Ganguli 2024)."""

import numpy as np
import pytest

from physlab.core.params import ParamError
from physlab.diffusion import data as ds
from physlab.diffusion.denoisers import GaussianDenoiser, els_denoise, empirical_denoise
from physlab.diffusion.experiment import DiffusionExperiment
from physlab.diffusion.schedule import alpha_sigma2, log_snr, ordering_labels


def run(**params):
    exp = DiffusionExperiment(params, seed=params.pop("seed", 0) if "seed" in params else 0)
    exp.advance(10**6)
    return exp


def spectrum_z_scores(exp):
    """Per-|k| deviation of the samples' spectrum from the data's, in standard errors
    (a bin of M modes averaged over n samples has relative s.e. √(2/(M n)))."""
    size, n = exp.size, exp.params["n_samples"]
    k = np.rint(ds.fourier_frequencies(size)).astype(int)
    modes = np.bincount(k)[np.bincount(k) > 0]
    f = exp.frame()
    rel = f["spectrum_samples"] / f["spectrum_data"] - 1.0
    return np.abs(rel) / np.sqrt(2.0 / (modes * n))


@pytest.mark.parametrize(
    "basis,softness,ordering,prior",
    [
        ("fourier", 0.05, "variance", "white"),
        ("pixel", 1000.0, "variance", "white"),
        ("pixel", 0.01, "raster", "white"),
        ("haar", 0.2, "variance", "data"),
        ("pca", 0.05, "random", "white"),
        ("fourier", 1000.0, "random", "data"),
    ],
)
def test_gaussian_fields_are_sampled_exactly(basis, softness, ordering, prior):
    exp = run(
        size=8,
        n_samples=600,
        steps=30,
        basis=basis,
        softness=softness,
        ordering=ordering,
        prior=prior,
    )
    assert np.max(spectrum_z_scores(exp)) < 5.0


def test_covariance_spectrum_matches_sampled_fields():
    field = ds.gaussian_field(8, 2.0)
    X = np.random.default_rng(0).multivariate_normal(field.mean, field.cov, size=20000)
    _, sampled = ds.radial_spectrum(ds.sample_power(X, field.mean))
    _, exact = ds.radial_spectrum(ds.covariance_power(field.cov))
    np.testing.assert_allclose(sampled, exact, rtol=0.05)


@pytest.mark.parametrize("basis", ["fourier", "pixel"])  # per-component and full-covariance paths
def test_tweedie_score_from_x0_is_the_exact_score(basis):
    exp = DiffusionExperiment({"size": 8, "basis": basis, "n_samples": 5}, 0)
    K = exp.proc.K
    den = GaussianDenoiser(K)
    assert den.diagonal == (basis == "fourier")
    rng = np.random.default_rng(1)
    alpha, sigma2 = alpha_sigma2(rng.uniform(-5, 5, len(K)))
    z = rng.standard_normal((5, len(K)))
    x0, _ = den.posterior(z, alpha, sigma2, rng)
    score_from_x0 = (alpha * x0 - z) / sigma2
    exact = -np.linalg.solve(np.outer(alpha, alpha) * K + np.diag(sigma2), z.T).T
    np.testing.assert_allclose(score_from_x0, exact, rtol=1e-6, atol=1e-8)


def test_small_softness_generates_one_component_at_a_time():
    d, s = 64, 0.004
    labels = ordering_labels("raster", np.ones(d), np.random.default_rng(0))
    gamma = log_snr(labels, s, np.linspace(0.05, 0.95, 400))
    active = np.sum(np.abs(gamma) <= 2.0, axis=0)
    assert 0.5 <= active.mean() <= 1.5 and active.max() <= 2
    wide = np.sum(np.abs(log_snr(labels, 1000.0, np.linspace(0.4, 0.6, 20))) <= 2.0, axis=0)
    assert wide.min() == d  # large softness: all components move together


def test_generated_components_stay_frozen():
    exp = DiffusionExperiment(
        {
            "size": 8,
            "basis": "pixel",
            "ordering": "raster",
            "softness": 0.002,
            "steps": 200,
            "n_samples": 8,
        },
        0,
    )
    proc = exp.proc
    changes = []
    while not proc.done and proc.step < proc.t.size - 2:
        before = proc.z.copy()
        j = proc.step
        proc.advance()
        frozen = (proc.gamma[:, j] < -40) & (proc.gamma[:, j + 1] < -40)
        if frozen.any():  # a generated component moves by O(σ_t) = O(e^{γ/2}) < 2e-9
            changes.append(np.max(np.abs(proc.z[:, frozen] - before[:, frozen])))
    assert len(changes) > 50 and max(changes) < 1e-7


def test_resolution_cutoff_rises_from_coarse_to_fine():
    exp = run(size=16, n_samples=64, steps=100, basis="fourier", softness=0.05)
    f = exp.frame()
    assert np.all(np.diff(f["kstar_theory"]) >= 0)
    assert f["kstar"][0] == 0 and f["kstar"][-1] >= 0.8 * f["spectrum_k"].max()
    # measured and predicted cut-offs agree to within a wavenumber shell most of the way
    assert np.mean(np.abs(f["kstar"] - f["kstar_theory"]) <= 1.5) > 0.8


def test_empirical_denoiser_samples_land_on_training_images():
    exp = run(data="digits", denoiser="empirical", n_samples=12, train_size=200, steps=50)
    samples = exp.frame()["samples"].reshape(12, -1)
    train = exp.proc.train_pixels
    nearest = np.sqrt(((samples[:, None] - train[None]) ** 2).sum(-1)).min(axis=1)
    assert np.max(nearest) < 1e-6


def test_els_with_an_image_sized_patch_and_no_shifts_is_the_empirical_denoiser():
    rng = np.random.default_rng(2)
    size, m = 6, 15
    train = rng.standard_normal((m, size, size))
    z = rng.standard_normal((3, size, size))
    alpha, sigma2 = alpha_sigma2(rng.uniform(-1, 3, (size, size)))
    els = els_denoise(z, train, alpha, sigma2, 2 * size - 1, "bbels")
    emp = empirical_denoise(z.reshape(3, -1), train.reshape(m, -1), alpha.ravel(), sigma2.ravel())
    np.testing.assert_allclose(els.reshape(3, -1), emp, rtol=1e-10, atol=1e-12)


def test_els_with_translations_matches_the_empirical_denoiser_at_low_noise():
    exp = DiffusionExperiment(
        {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "els",
            "train_size": 100,
            "n_samples": 2,
            "steps": 2,
        },
        0,
    )
    train = exp.proc.train.reshape(-1, 8, 8)
    z = train[:2] * 0.999 + 0.01 * np.random.default_rng(3).standard_normal((2, 8, 8))
    alpha, sigma2 = alpha_sigma2(np.full((8, 8), -8.0))
    els = els_denoise(z, train, alpha, sigma2, 15, "bbels")
    emp = empirical_denoise(
        z.reshape(2, -1), train.reshape(len(train), -1), alpha.ravel(), sigma2.ravel()
    )
    np.testing.assert_allclose(els.reshape(2, -1), emp, atol=1e-6)


def test_els_makes_new_images_not_copies():
    exp = run(
        data="digits",
        basis="pixel",
        denoiser="els",
        softness=1000.0,
        steps=10,
        n_samples=4,
        train_size=150,
    )
    samples = exp.frame()["samples"].reshape(4, -1)
    train = exp.proc.train_pixels
    nearest = np.sqrt(((samples[:, None] - train[None]) ** 2).sum(-1)).min(axis=1)
    assert np.min(nearest) > 0.5  # the empirical denoiser's are 0


@pytest.mark.parametrize(
    "params,name",
    [
        ({"basis": "haar", "size": 12}, "basis"),
        ({"denoiser": "els", "basis": "fourier"}, "denoiser"),
        ({"denoiser": "els", "basis": "pixel", "patch": 4}, "patch"),
        ({"data": "digits", "denoiser": "els", "basis": "pixel", "patch": 17}, "patch"),
        ({"size": 64, "basis": "pixel"}, "basis"),
    ],
)
def test_impossible_combinations_are_refused(params, name):
    with pytest.raises(ParamError) as err:
        DiffusionExperiment(params, 0)
    assert err.value.name == name


def test_a_stop_request_abandons_an_els_step_and_leaves_the_state_unchanged():
    from physlab.core.experiment import Interrupted, drive

    exp = DiffusionExperiment(
        {
            "data": "digits",
            "basis": "pixel",
            "denoiser": "els",
            "softness": 1000.0,
            "steps": 10,
            "n_samples": 4,
            "train_size": 50,
        },
        0,
    )
    z, step = exp.proc.z.copy(), exp.proc.step
    calls = []

    def stop_after_one_sample():
        calls.append(1)
        return len(calls) > 1

    exp.should_stop = stop_after_one_sample
    with pytest.raises(Interrupted):
        exp.advance(1)
    assert exp.proc.step == step and np.array_equal(exp.proc.z, z)
    calls.clear()
    drive(exp, should_stop=lambda: len(calls) > 3 or bool(calls.append(1)))  # returns, no raise
    assert exp.steps_done < 10


def _patch_distance(images: np.ndarray, train: np.ndarray, k: int = 3) -> float:
    """Mean over the images' fully-inside k×k patches of the distance to the nearest training
    patch (any image, any position)."""

    def valid(x):
        view = np.lib.stride_tricks.sliding_window_view(x.reshape(-1, 8, 8), (k, k), axis=(1, 2))
        return view.reshape(-1, k * k)

    Q, T = valid(images), valid(train)
    d2 = (Q**2).sum(1)[:, None] + (T**2).sum(1)[None] - 2 * Q @ T.T
    return float(np.sqrt(np.maximum(d2, 0.0)).min(axis=1).mean())


def test_els_on_raw_digits_stays_in_range_and_matches_patches_like_held_out_digits():
    """Issue 18 bug 2: on mean-subtracted images 24 % of ELS sample pixels fell outside [−1, 1]
    and the 3×3 patch distance to the training patches was 0.82, against 0.33 for real held-out
    digits. Kamb & Ganguli's machine works on raw images: x̂0 is a convex combination of training
    pixels, so every pixel is in [−1, 1], and the patches are as close as held-out digits'."""
    from physlab.diffusion.data import digits

    exp = run(
        data="digits",
        basis="pixel",
        denoiser="els",
        softness=1000.0,
        steps=20,
        n_samples=8,
        train_size=400,
    )
    samples = exp.frame()["samples"].reshape(8, -1)
    assert np.all(np.abs(samples) <= 1.0 + 1e-9)
    train = exp.proc.train_pixels
    everything = digits().train
    held_out = everything[~(np.abs(everything[:, None] - train[None]).sum(-1) == 0).any(1)][:200]
    reference = _patch_distance(held_out, train)
    assert reference == pytest.approx(0.33, abs=0.04)
    assert _patch_distance(samples, train) < 1.4 * reference  # 0.82 on mean-subtracted images


def test_circular_els_commutes_with_cyclic_shifts():
    """Circular ELS (Kamb & Ganguli's LocalEquivScoreModule) is exactly translation equivariant
    on the torus: denoising a shifted image gives the shifted estimate."""
    rng = np.random.default_rng(4)
    train = rng.uniform(-1, 1, (20, 8, 8))
    z = rng.standard_normal((2, 8, 8))
    alpha, sigma2 = alpha_sigma2(np.full((8, 8), 0.5))
    out = els_denoise(z, train, alpha, sigma2, 3, "circular")
    shifted = els_denoise(np.roll(z, (2, -3), axis=(1, 2)), train, alpha, sigma2, 3, "circular")
    np.testing.assert_allclose(shifted, np.roll(out, (2, -3), axis=(1, 2)), atol=1e-12)
    bb = els_denoise(z, train, alpha, sigma2, 3, "bbels")
    assert np.max(np.abs(bb - out)) > 1e-3  # the borders differ, so the variants are distinct


def test_bbels_border_pixels_match_only_patches_at_the_same_border_offset():
    from physlab.diffusion.els_boundary import allowed_positions

    a = allowed_positions(8, 5, "bbels").reshape(8, 8, 8, 8)
    corner = np.zeros((8, 8), bool)
    corner[1, 6] = True
    assert np.array_equal(a[1, 6], corner)  # within 2 of the top and the right edge
    edge = np.zeros((8, 8), bool)
    edge[0, 2:6] = True  # top row, any fully-inside column
    assert np.array_equal(a[0, 4], edge)
    interior = np.zeros((8, 8), bool)
    interior[2:6, 2:6] = True
    assert np.array_equal(a[3, 4], interior)


def test_patch_schedule_is_indexed_on_kamb_and_gangulis_time():
    """Their MNIST schedule (20 steps, 3 → 15: Kambm/convolutional_diffusion
    files/scales_MNIST_ResNet_zeros.pt, scales[i] at t = i/20 in utils/idealscore.py) is read at
    their time of the legacy cosine schedule α(t) = cos(πt/2.016) (utils/noise_schedules.py): at
    28×28 it gives back their list exactly."""
    from physlab.diffusion.denoisers import KAMB_MNIST_PATCHES, els_patch_schedule, kamb_time

    for i, k in enumerate(KAMB_MNIST_PATCHES):
        alpha = np.cos(np.pi * (i / 20) / 2.016)
        assert kamb_time(alpha) == pytest.approx(i / 20)
        assert els_patch_schedule(28, alpha) == k
    assert els_patch_schedule(8, 1.0) == 3 and els_patch_schedule(8, 0.03) == 5
