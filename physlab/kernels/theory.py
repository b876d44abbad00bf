"""Which infinite-width theory the Kernels lab overlays, and the kernel–target alignment.

- two-layer linear: exact propagation (:class:`~.dmft_two_layer.TwoLayerLinearExact`);
- two-layer relu / tanh: the single-site process by particles (:class:`~.dmft_two_layer.TwoLayerParticles`);
- deep linear: the fixed-point DMFT (:class:`~.dmft_deep_linear.DeepLinearDMFT`);
- deep relu / tanh: the DMFT by Monte Carlo over each layer's two-time fields, with the response
  functions by Stein's lemma (:class:`~.dmft_deep_nonlinear.DeepNonlinearDMFT`), for
  T·P ≤ its ``MAX_TP`` and T·P ≤ S/4.
Every theory object has ``label``, ``delta`` (residual y − f now), ``kernels`` (NTK, [Φ^ℓ], [G^ℓ])
now, and ``step()``.
"""

from __future__ import annotations

import numpy as np

from . import dmft_deep_nonlinear
from .dmft_deep_linear import MAX_TP, DeepLinearDMFT
from .dmft_deep_nonlinear import DeepNonlinearDMFT
from .dmft_two_layer import TwoLayerLinearExact, TwoLayerParticles


def alignment(K: np.ndarray, y: np.ndarray) -> float:
    """Kernel–target alignment yᵀKy / (‖K‖_F ‖y‖²) (Cristianini et al., "On Kernel-Target
    Alignment", NeurIPS 2001); 1 when K ∝ yyᵀ."""
    return float(y @ K @ y / (np.linalg.norm(K) * (y @ y)))


def make_theory(p: dict, Kx: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    """``(theory or None, horizon, note)``: the theory object, the last step it covers, and a
    sentence for the view when it is missing or shortened."""
    steps = p["steps"]
    if p["theory"] == "none":
        return None, 0, "Theory overlay off."
    depth, activation = p["depth"], p["activation"]
    args = (Kx, y)
    if depth == 1 and activation == "linear":
        return TwoLayerLinearExact(*args, p["gamma0"], p["lr"]), steps, ""
    if depth == 1:
        return (
            TwoLayerParticles(*args, activation, p["gamma0"], p["lr"], p["particles"], rng),
            steps,
            "",
        )
    if activation != "linear":
        return _deep_nonlinear(p, Kx, y, rng)
    horizon = min(steps, MAX_TP // len(y) - 1)
    try:
        # an iterate that overflows is how a fixed point that does not converge shows; the
        # solver detects it (non-finite change) and raises FloatingPointError
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            theory = DeepLinearDMFT(*args, depth, p["gamma0"], p["lr"], horizon)
    except FloatingPointError as err:
        return None, 0, f"No theory drawn: {err}."
    note = (
        ""
        if horizon == steps
        else (
            f"The deep-linear DMFT is solved for the first {horizon} "
            f"steps (its cost grows as (steps·P)²·steps)."
        )
    )
    return theory, horizon, note


def _deep_nonlinear(p: dict, Kx: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    """The Monte Carlo DMFT of a deep relu or tanh network, over the first steps it can afford:
    T·P ≤ ``MAX_TP`` (its cost grows as S·(T·P)² and (T·P)³) and T·P ≤ S/4 (the whitened
    normals)."""
    steps, depth, activation, P = p["steps"], p["depth"], p["activation"], len(y)
    samples = p["mc_samples"] // 4 * 4
    by_cost = dmft_deep_nonlinear.MAX_TP // P - 1
    by_samples = samples // (4 * P) - 1
    horizon = min(steps, by_cost, by_samples)
    if horizon < 1:
        return None, 0, f"No theory drawn: the deep DMFT needs mc_samples ≥ {8 * P} at P = {P}."
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            theory = DeepNonlinearDMFT(
                Kx, y, depth, activation, p["gamma0"], p["lr"], horizon, samples, rng
            )
    except FloatingPointError as err:
        return None, 0, f"No theory drawn: {err}."
    if horizon == steps:
        return theory, horizon, ""
    why = (
        f"its cost limits it to steps·P ≤ {dmft_deep_nonlinear.MAX_TP}"
        if horizon == by_cost
        else f"it needs S ≥ 4·steps·P; more mc_samples reach {min(steps, by_cost)}"
    )
    note = (
        f"The deep {activation} DMFT ({samples:,} Monte Carlo samples) is solved for the first "
        f"{horizon} steps ({why})."
    )
    return theory, horizon, note
