"""Diffusion lab workloads: exact-Gaussian sampling of 32×32 fields (64 samples, 200 steps), the
empirical optimal denoiser and the ELS machine on the digits (16 samples, 500 training images).

References: the same reverse process written directly from the formulas of the reference note
(sigmoids, x_u ~ N(a x̂0 + b x_t, τ² + a²P)), compared statistically through the samples'
spectra; and vectorised NumPy denoisers (broadcast distances, NumPy softmax), compared exactly."""

from __future__ import annotations

import numpy as np

from physlab.diffusion import data as ds
from physlab.diffusion.denoisers import els_denoise, empirical_denoise, patches
from physlab.diffusion.els_boundary import allowed_positions
from physlab.diffusion.experiment import DiffusionExperiment
from physlab.diffusion.process import ReverseProcess
from physlab.diffusion.schedule import alpha_sigma2

from .harness import Workload, max_rel


def _gaussian_params(quick: bool) -> dict:
    size, n, steps = (8, 256, 20) if quick else (32, 64, 200)
    return DiffusionExperiment.spec.validate(
        {"size": size, "n_samples": n, "steps": steps, "basis": "fourier", "softness": 0.2}
    )


def physlab_gaussian(p: dict, seed: int = 0) -> np.ndarray:
    proc = ReverseProcess(p, ds.load(p), np.random.default_rng(seed))
    while not proc.done:
        proc.advance()
    return proc.to_pixels(proc.z)


def numpy_gaussian(p: dict, seed: int = 1) -> np.ndarray:
    """The per-component process of the reference note, straight from its formulas."""
    rng = np.random.default_rng(seed)
    data = ds.load(p)
    proc = ReverseProcess(p, data, rng)  # only for the basis, variances and schedule
    lam, gamma, U = np.diag(proc.K), proc.gamma, proc.U
    z = rng.standard_normal((p["n_samples"], len(lam)))
    steps = gamma.shape[1] - 1
    for j in range(steps):
        sig = lambda g: 1.0 / (1.0 + np.exp(-g))  # noqa: E731
        a2_t, s2_t = sig(-gamma[:, j]), sig(gamma[:, j])
        a_t = np.sqrt(a2_t)
        x0 = a_t * lam / (a2_t * lam + s2_t) * z
        post = lam * s2_t / (a2_t * lam + s2_t)
        if j == steps - 1:
            z = x0 + np.sqrt(post) * rng.standard_normal(z.shape)
            break
        a2_u, s2_u = sig(-gamma[:, j + 1]), sig(gamma[:, j + 1])
        a_tu2 = a2_t / a2_u
        s2_tu = np.maximum(s2_t - a_tu2 * s2_u, 0.0)
        a = np.sqrt(a2_u) * s2_tu / s2_t
        b = np.sqrt(a_tu2) * s2_u / s2_t
        tau2 = s2_tu * s2_u / s2_t
        z = a * x0 + b * z + np.sqrt(tau2 + a * a * post) * rng.standard_normal(z.shape)
    return data.mean + (z * proc.scale) @ U


def _spectrum_z(ours: np.ndarray, theirs: np.ndarray) -> str:
    size = int(round(np.sqrt(ours.shape[1])))
    mean = np.zeros(ours.shape[1])
    k = np.rint(ds.fourier_frequencies(size)).astype(int)
    modes = np.bincount(k)[np.bincount(k) > 0]
    _, s1 = ds.radial_spectrum(ds.sample_power(ours, mean))
    _, s2 = ds.radial_spectrum(ds.sample_power(theirs, mean))
    se = np.sqrt(2.0 / (modes * len(ours))) * np.sqrt(2.0)  # two independent sample sets
    return f"max |Δspectrum| = {np.max(np.abs(s1 / s2 - 1) / se):.1f} s.e."


def _denoiser_inputs(quick: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = ds.digits().train
    train = images[rng.choice(len(images), 100 if quick else 500, replace=False)]
    n = 4 if quick else 16
    alpha, sigma2 = alpha_sigma2(np.full(64, -1.0))
    z = alpha * train[:n] + np.sqrt(sigma2) * rng.standard_normal((n, 64))
    return z, train, alpha, sigma2


def numpy_empirical(z, train, alpha, sigma2):
    logw = -np.sum((z[:, None, :] - alpha * train[None]) ** 2 / (2 * sigma2), axis=2)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    return (w @ train) / w.sum(axis=1, keepdims=True)


def numpy_els(z, train, alpha, sigma2, patch):
    """The ELS machine (bbELS borders) with NumPy: the same patch-distance products, a NumPy
    softmax over the allowed positions."""
    size = 8
    allowed = np.tile(allowed_positions(size, patch, "bbels"), (1, len(train)))
    tp = patches(train.reshape(-1, size, size), patch)
    inside = patches(np.ones((1, size, size)), patch)
    w = patches((0.5 / sigma2.reshape(1, size, size)), patch) * inside
    a = patches(alpha.reshape(1, size, size), patch)
    out = []
    for s in range(len(z)):
        q = patches(z[s].reshape(1, size, size), patch)
        logw = 2 * (w * a * q) @ tp.T - (w * a * a) @ (tp**2).T - (w * q * q).sum(1)[:, None]
        logw = np.where(allowed, logw, -np.inf)
        e = np.exp(logw - logw.max(axis=1, keepdims=True))
        out.append((e @ train.reshape(-1)) / e.sum(axis=1))
    return np.array(out)


def workloads(quick: bool) -> list[Workload]:
    p = _gaussian_params(quick)
    size = f"{p['n_samples']} samples {p['size']}×{p['size']}, {p['steps']} steps"
    gaussian = Workload(
        "diffusion: exact-Gaussian sampling (Fourier basis)",
        size,
        lambda: physlab_gaussian(p),
        {"numpy (note's formulas)": lambda: numpy_gaussian(p)},
        _spectrum_z,
    )
    z, train, alpha, sigma2 = _denoiser_inputs(quick)
    calls = 5 if quick else 20

    def repeat(fn):
        return lambda: [fn() for _ in range(calls)][-1]

    rel = lambda a, b: f"max rel. Δ = {max_rel(a, b):.1e}"  # noqa: E731
    emp = Workload(
        "diffusion: empirical denoiser (digits)",
        f"{len(z)} samples × {len(train)} images, {calls} calls",
        repeat(lambda: empirical_denoise(z, train, alpha, sigma2)),
        {"numpy (broadcast)": repeat(lambda: numpy_empirical(z, train, alpha, sigma2))},
        rel,
    )
    zi, ti = z.reshape(-1, 8, 8), train.reshape(-1, 8, 8)
    els = Workload(
        "diffusion: ELS machine (digits, 5×5 patches)",
        f"{len(z)} samples × {len(train)} images × 64 positions, {calls} calls",
        repeat(
            lambda: els_denoise(
                zi, ti, alpha.reshape(8, 8), sigma2.reshape(8, 8), 5, "bbels"
            ).reshape(len(z), -1)
        ),
        {
            "numpy (same products, NumPy softmax)": repeat(
                lambda: numpy_els(z, train, alpha, sigma2, 5)
            )
        },
        rel,
    )
    return [gaussian, emp, els]
