"""The central flow of GD against GD at the edge of stability on the Chebyshev net.

Cohen, Damian, Talwalkar, Kolter & Lee, "Understanding Optimization in Deep Learning with Central
Flows" (2024), §3: at the edge of stability GD's time-averaged trajectory follows the central flow,
which holds the sharpness at 2/η, and GD's time-averaged training loss is L(w) + ½⟨UᵀHU, X⟩ along
it (their Fig. 2 shows the match on real networks); Damian, Nichani & Lee, "Self-Stabilization"
(ICLR 2023), §4: GD tracks the constrained trajectory (projected gradient flow on S ≤ 2/η), not
gradient flow, whose sharpness keeps rising.
"""

import numpy as np
import pytest

from physlab.core.experiment import drive
from physlab.core.params import ParamError
from physlab.core.presets import load_preset
from physlab.sharpness.central_flow import CentralFlow, solve_sdcp
from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.params import SPEC

ETA = 0.2
STEPS = 2400
WINDOW = 200  # steps of GD's time average
TOLERANCE = 0.2  # GD's windowed mean loss within 20 % of the flow's prediction


def test_sdcp_is_the_psd_projection_when_the_operator_is_the_identity():
    """With 𝒢 = identity, min ½‖X‖² + ⟨Q, X⟩ over X ⪰ 0 is X = Π_PSD(−Q); M = Q + X ⪰ 0 and
    ⟨X, M⟩ = 0 (complementarity)."""
    rot = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    Q = rot @ np.diag([-2.0, 0.5]) @ rot.T
    G = np.einsum("ik,jl->ijkl", np.eye(2), np.eye(2))
    variance = solve_sdcp(Q, G, np.zeros((2, 2)), 5000, 1e-12)
    expected = 2.0 * np.outer(rot[:, 0], rot[:, 0])
    assert np.abs(variance - expected).max() < 1e-8
    M = Q + variance
    assert np.linalg.eigvalsh(M).min() > -1e-8
    assert np.sum(variance * M) == pytest.approx(0.0, abs=1e-8)


def test_third_derivative_is_the_gradient_of_the_sharpness():
    """D³L[u1, u1] = ∇S for a simple top eigenvalue: its inner product with a direction d matches
    the central difference of S along d (S from fresh Ritz steps)."""
    exp = SharpnessExperiment({"steps": 10}, 0)
    flow = CentralFlow(exp.model, exp.theta, np.random.default_rng(1))
    grad_s = flow._third(0, 0)
    d = np.random.default_rng(2).standard_normal(exp.theta.size)
    d /= np.linalg.norm(d)
    h = 1e-4
    values = []
    for sign in (1.0, -1.0):
        shifted = CentralFlow(exp.model, exp.theta + sign * h * d, np.random.default_rng(1))
        values.append(shifted.values[0])
    assert grad_s @ d == pytest.approx((values[0] - values[1]) / (2 * h), rel=1e-4)


def _windows(values: np.ndarray, start: int) -> np.ndarray:
    return np.array(
        [values[a : a + WINDOW].mean() for a in range(start, len(values) - WINDOW + 1, 100)]
    )


@pytest.fixture(scope="module")
def eos_run():
    """The preset central-flow-chebyshev, with plain gradient flow integrated beside it."""
    preset = load_preset("sharpness", "central-flow-chebyshev", SPEC)
    assert preset.params["lr"] == ETA and preset.params["steps"] == STEPS
    exp = SharpnessExperiment(preset.params, preset.seed)
    gradient_flow = CentralFlow(
        exp.model, exp.theta, np.random.default_rng(3), constrained=False, substeps=2
    )
    drive(exp)
    gf = [gradient_flow.step(ETA) for _ in range(STEPS)]
    return exp.frame(), np.array([p.loss for p in gf]), np.array([p.sharpness for p in gf])


def test_central_flow_holds_the_sharpness_at_the_edge(eos_run):
    f, _, gf_sharpness = eos_run
    s = f["flow_sharpness"]
    edge = np.flatnonzero(s >= 0.999 * 2 / ETA)
    assert 1000 < edge[0] < 1800  # progressive sharpening first, as GD
    assert np.abs(s[edge[0] :] * ETA / 2 - 1).max() < 0.005
    assert f["flow_variance"][edge[0] + 50 :].min() > 0  # GD oscillates there
    assert gf_sharpness[-1] > 1.5 * 2 / ETA  # gradient flow sharpens past it


def test_gd_time_averaged_loss_follows_the_central_flow(eos_run):
    """GD's mean loss over 200-step windows from the flow's arrival at 2/η to the end stays
    within 20 % of the central flow's prediction (measured: 0.89–1.15); plain gradient flow and
    the flow's own L(w) without the oscillation's ½ΣλX both fall outside (GD's loss is 2.1× and
    1.4× theirs in the last window)."""
    f, gf_loss, _ = eos_run
    edge = int(np.flatnonzero(f["flow_sharpness"] >= 0.999 * 2 / ETA)[0])
    gd = _windows(f["loss"], edge)
    ratio = gd / _windows(f["flow_predicted_loss"], edge)
    assert np.abs(ratio - 1).max() < TOLERANCE
    assert (gd / _windows(gf_loss, edge))[-1] > 1 + TOLERANCE
    assert (gd / _windows(f["flow_loss"], edge))[-1] > 1 + TOLERANCE


def test_gd_oscillates_along_the_top_eigenvector_at_the_edge(eos_run):
    """Self-stabilisation (Damian et al. 2023): once GD oscillates at the edge (from step ~2000
    here; its unstable mode first grows from almost nothing, so GD's own sharpness overshoots to
    1.09·2/η and its loss spikes near step 1700) the gradient points along u1, and GD sits a
    displacement x = u1·(θ − w) from the flow whose mean square is of the order of the variance tr X
    the flow predicts (measured 0.2–0.6 of it; x sees only u1 of the two eigenvectors at the edge).
    Before the edge the gradient is orthogonal to u1 (|cos| ~ 1e-6)."""
    f, _, _ = eos_run
    steps = f["sharpness_step"]
    early, late = f["grad_overlap"][steps < 1200], f["grad_overlap"][steps >= 2000]
    assert np.median(early) < 1e-3
    assert np.median(late) > 0.5
    x2 = f["displacement"][2000:] ** 2
    assert 0.1 < x2.mean() / f["flow_variance"][2000:].mean() < 3.0


def test_reference_leaves_gd_bit_identical():
    plain = SharpnessExperiment({"steps": 60}, 0)
    ref = SharpnessExperiment({"steps": 60, "reference": "central_flow"}, 0)
    drive(plain)
    drive(ref)
    for key in ("loss", "eigenvalues", "grad_overlap"):
        assert np.array_equal(plain.frame()[key], ref.frame()[key])


def test_flow_stops_with_nans_where_it_no_longer_holds():
    """At η = 5 every tracked eigenvalue of the Chebyshev net starts above 2/η = 0.4: the flow
    stops at once (NaN rows) instead of integrating an unstable Euler step; GD diverges."""
    exp = SharpnessExperiment({"lr": 5.0, "steps": 50, "reference": "central_flow"}, 0)
    drive(exp)
    assert exp.diverged is not None and exp.flow.failed
    assert np.all(np.isnan(exp.frame()["flow_predicted_loss"]))


def test_reference_needs_gd():
    with pytest.raises(ParamError, match="optimizer=gd"):
        SharpnessExperiment({"optimizer": "adam", "reference": "central_flow"}, 0)
