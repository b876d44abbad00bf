"""Sweep measures (names are a contract) and cost estimates of the Kernels and Scaling labs.

Kernels: how far the NTK moves, ‖K(T) − K(0)‖_F / ‖K(0)‖_F, is the richness order parameter of
Bordelon & Pehlevan ("Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural
Networks", NeurIPS 2022): ∝ γ0² in the lazy regime, O(1) when rich, with a finite-width
fluctuation floor ∝ N^{-1/2}. Scaling: the fitted time exponent of the largest model (Bordelon,
Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024: L ∝ t^{-β}).
"""

from __future__ import annotations

import numpy as np

from physlab.core.measures import Measure, final_frame, last

from .params import memory_estimate

FLOP_RATE = 1e9  # flop/s of one core in these kernels (rough, for refusing huge sweeps)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _ntk_change(exp) -> float:
    ntk = final_frame(exp)["ntk"]
    return _relative(ntk[-1], ntk[0])


def _theory_error(exp) -> float:
    """Relative Frobenius distance of the simulated NTK from the theory's at the end of the run
    (NaN without theory, or when the theory stops before the run does)."""
    frame = final_frame(exp)
    if "theory_ntk" not in frame or len(frame["theory_step"]) < len(frame["ntk_step"]):
        return np.nan
    return _relative(frame["ntk"][-1], frame["theory_ntk"][-1])


KERNEL_MEASURES = (
    Measure(
        "final_loss", "training loss at the last step", read=lambda e: last(final_frame(e)["loss"])
    ),
    Measure(
        "final_alignment",
        "kernel–task alignment A(K, yyᵀ) of the NTK at the last step",
        read=lambda e: last(final_frame(e)["alignment"]),
    ),
    Measure("ntk_change", "relative NTK change ‖K(T) − K(0)‖_F / ‖K(0)‖_F", read=_ntk_change),
    Measure(
        "theory_error",
        "relative Frobenius distance of the NTK from the DMFT theory at the "
        "end (NaN without theory)",
        read=_theory_error,
    ),
)


def kernels_cost(p: dict) -> tuple[float, float]:
    """(bytes, seconds) of one run: forward and backward passes of the width-N network and the
    single-site particles, each ~10 flops per unit and sample per step."""
    N, P, L = p["width"], p["n_samples"], p["depth"]
    flops = 10.0 * P * ((L - 1) * N * N + L * N + (p["particles"] if L == 1 else 0))
    return float(memory_estimate(p)), flops * p["steps"] / FLOP_RATE


SCALING_MEASURES = (
    Measure(
        "time_exponent",
        "fitted exponent of loss ∝ t^−x for the largest model",
        read=lambda e: final_frame(e)["fitted_exponent"][-1],
    ),
    Measure(
        "final_loss",
        "loss of the largest model at the last step",
        read=lambda e: last(final_frame(e)["loss"][-1]),
    ),
)


def scaling_cost(p: dict) -> tuple[float, float]:
    """(bytes, seconds): per model, M features × N × steps flops (rich: the features move too)."""
    sizes = p["widths"] if p["family"] == "widths" else p["sample_sizes"]
    per_step = sum(4.0 * p["features"] * max(s, max(p["widths"])) for s in sizes)
    memory = 8.0 * p["features"] * (max(p["widths"]) + max(p["sample_sizes"]) + 4)
    return memory, per_step * (3 if p["rich"] else 1) * p["steps"] / FLOP_RATE
