"""physlab's schedules against the GUD reference code (mathisgerdes/unified-diffusion,
``src/gud/schedules.py``): ``componentwise_linear_endpoints`` / ``soft_conditioning_schedule`` and
``variance_adjusted_schedule`` (the paper's eq. 13) written here in numpy from the reference, and
its clipped ``SequentialSchedule`` (row and column schedules) — Gerdes, Welling & Cheng, "GUD:
Generation with Unified Diffusion", 2024."""

import numpy as np
import pytest

from physlab.diffusion.schedule import (
    gud_softness,
    log_snr,
    normalised_labels,
    raw_labels,
    sequential_log_snr,
)

T = np.linspace(0.0, 1.0, 11)


def reference_endpoints(labels, gamma_min, gamma_max, softness):
    """``componentwise_linear_endpoints`` of the reference code."""
    offset = (labels - labels.max()) / softness
    g0 = gamma_min + offset
    return g0, g0 + gamma_max - gamma_min + (labels.max() - labels.min()) / softness


def reference_gamma(labels, gamma_min, gamma_max, softness):
    g0, g1 = reference_endpoints(labels, gamma_min, gamma_max, softness)
    return g0[:, None] + T[None, :] * (g1 - g0)[:, None]


@pytest.fixture
def variances():
    return np.random.default_rng(0).uniform(0.01, 3.0, 40)


@pytest.mark.parametrize("s_gud", [0.3, 1.0, 6.24])
def test_soft_schedule_is_the_references_at_its_softness(variances, s_gud):
    v = raw_labels("variance", variances, None)
    s = s_gud / (v.max() - v.min())  # physlab's softness for the reference's s_GUD
    assert gud_softness(s, v) == pytest.approx(s_gud)
    ours = log_snr(normalised_labels(v), s, T, gamma_min=-7.0, gamma_max=3.0)
    np.testing.assert_allclose(ours, reference_gamma(v, -7.0, 3.0, s_gud), atol=1e-10)


@pytest.mark.parametrize("s_gud", [0.5, 1.0, 3.0])
def test_variance_adjusted_schedule_is_eq_13_of_the_paper(variances, s_gud):
    v = raw_labels("variance", variances, None)
    s = s_gud / (v.max() - v.min())
    ours = log_snr(
        normalised_labels(v), s, T, gamma_min=-7.0, gamma_max=3.0, log_variance=np.log(variances)
    )
    reference = reference_gamma(v / s_gud + np.log(variances), -7.0, 3.0, 1.0)
    np.testing.assert_allclose(ours, reference, atol=1e-10)


def test_variance_adjusted_limits(variances):
    """With the variance order, s_GUD = 1 is standard diffusion (one γ for every component), and
    s → ∞ gives every component the same SNR including its variance, Σ_i e^{−γ_i}."""
    v = raw_labels("variance", variances, None)
    labels, log_var = normalised_labels(v), np.log(variances)
    standard = log_snr(labels, 1.0 / (v.max() - v.min()), T, log_variance=log_var)
    np.testing.assert_allclose(standard, np.broadcast_to(standard[:1], standard.shape), atol=1e-9)
    flat = log_snr(labels, 1e9, T, log_variance=log_var)
    snr = variances[:, None] * np.exp(-flat)
    np.testing.assert_allclose(snr / snr[:1], 1.0, rtol=1e-6)


def test_sequential_schedule_windows_follow_the_labels():
    """Each component is active (strictly between γ̃_min and γ̃_max) in a window of length
    1 − τ_max, τ_max = 1/(1 + s); low labels are generated (leave γ̃_max, reverse time) first; a
    large s is simultaneous."""
    labels = normalised_labels(raw_labels("columns", np.ones(16), None))  # 4×4 pixels
    t = np.linspace(0.0, 1.0, 2001)
    gamma = sequential_log_snr(labels, 0.25, t, -13.0, 5.0)
    active = (gamma > -13.0) & (gamma < 5.0)
    width = active.sum(axis=1) * (t[1] - t[0])
    np.testing.assert_allclose(width, 1.0 - 1.0 / 1.25, atol=2e-3)
    first_clean = [t[np.nonzero(row > -13.0)[0][0]] for row in gamma]
    order = np.argsort(first_clean, kind="stable")
    assert np.all(np.diff(labels[order]) <= 0)  # the highest label is noised first, denoised last
    simultaneous = sequential_log_snr(labels, 1e6, t, -13.0, 5.0)
    np.testing.assert_allclose(simultaneous, simultaneous[:1].repeat(16, 0), atol=1e-4)


def test_rows_and_columns_orderings():
    rows = raw_labels("rows", np.ones(9), None)
    cols = raw_labels("columns", np.ones(9), None)
    np.testing.assert_array_equal(rows.reshape(3, 3), [[0, 0, 0], [1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(cols.reshape(3, 3), [[0, 1, 2], [0, 1, 2], [0, 1, 2]])


def reference_sequential(n_rows, n_cols, gamma_min, gamma_max, softness, by, t):
    """``row_schedule`` / ``column_schedule`` of the reference code: ``sequential_offsets``
    (τ_max = clip(1/softness, 0, 0.99), offsets = normalised index·τ_max) folded by
    ``offsets_to_linear_schedule`` into a LinearSchedule clipped to [γ_min, γ_max]."""
    n = n_rows if by == "rows" else n_cols
    tau = np.arange(n) / (n - 1) * np.clip(1.0 / softness, 0.0, 0.99)
    offsets = np.repeat(tau, n_cols) if by == "rows" else np.tile(tau, n_rows)
    offsets = offsets - offsets.min()
    slope = (gamma_max - gamma_min) / max(1.0 - offsets.max(), 1e-6)
    start = gamma_min - offsets * slope
    return np.clip(start[:, None] + T[None, :] * slope, gamma_min, gamma_max)


@pytest.mark.parametrize("by", ["rows", "columns"])
@pytest.mark.parametrize("s", [0.1, 0.5, 2.0])
def test_sequential_schedule_is_the_references_with_the_order_reversed(by, s):
    """physlab's s is the reference's softness minus 1 (τ_max = 1/(1 + s) against 1/softness),
    and physlab generates the first row/column first, as the reference's docstrings say; the
    reference's offsets, read literally, generate the last one first — so the two schedules
    agree with the rows/columns reversed, and differ as written."""
    side = 5
    v = raw_labels(by, np.ones(side * side), None)
    ours = sequential_log_snr(normalised_labels(v), s, T, -13.0, 5.0)
    theirs = reference_sequential(side, side, -13.0, 5.0, 1.0 + s, by, T)
    assert gud_softness(s, v, "sequential") == pytest.approx(1.0 + s)
    flip = (lambda g: g[::-1]) if by == "rows" else (lambda g: g[:, ::-1])
    reversed_theirs = flip(theirs.reshape(side, side, -1)).reshape(side * side, -1)
    np.testing.assert_allclose(ours, reversed_theirs, atol=1e-10)
    assert np.abs(ours - theirs).max() > 1.0  # as written, the order is the other way round


def test_label_span_of_32x32_fields_with_n_2_is_the_issues_6_24():
    """Issue 18 item 5: s_physlab = s_GUD/(v_max − v_min), 6.24 for 32×32 fields with n = 2: the
    variance labels −log λ(k) = n log k + const span n·log(k_max/k_min) = 2 log(16√2) = 6.238
    (the Fourier grid's corner over its first mode). The rg-coarse-to-fine preset's s = 0.05 is
    the paper's s_GUD = 0.312."""
    from physlab.diffusion.experiment import DiffusionExperiment

    exp = DiffusionExperiment({"data": "grf", "size": 32, "spectral_index": 2.0, "steps": 2}, 0)
    v = -np.log(exp.proc.variances)
    assert v.max() - v.min() == pytest.approx(2 * np.log(16 * np.sqrt(2)), rel=1e-9)
    assert v.max() - v.min() == pytest.approx(6.24, abs=0.005)
    rg = DiffusionExperiment({"data": "grf", "size": 32, "softness": 0.05, "steps": 2}, 0)
    assert rg.summary()["softness_gud"] == pytest.approx(0.05 * 6.2383, rel=1e-4)
    seq = DiffusionExperiment(
        {
            "data": "grf",
            "size": 16,
            "basis": "pixel",
            "ordering": "rows",
            "schedule": "sequential",
            "softness": 0.1,
            "steps": 2,
        },
        0,
    )
    assert seq.summary()["softness_gud"] == pytest.approx(1.1)
