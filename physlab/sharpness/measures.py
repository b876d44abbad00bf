"""The Sharpness lab's sweep measures (names are a contract), theory overlays and cost estimate.

Regimes of early training as Kalra & Barkeshli define them ("Phase diagram of early training
dynamics in deep neural networks: effect of the learning rate, depth, and width", NeurIPS 2023,
§3): with the normalised learning rate c = η·λ0, *sharpness reduction* while the loss decreases
from the start (c < c_loss), the *loss catapult* once the loss first rises above its initial value
before it falls (c_loss < c < c_max), *divergence* beyond c_max. For GD on a quadratic c_loss = 2;
for the wide uv model c_max = 4 (Lewkowycz et al., "The large learning rate phase of deep learning:
the catapult mechanism", 2020, §2); deep and narrow nets push both up.
"""

from __future__ import annotations

import numpy as np

from physlab.core.measures import Measure, Overlay, final_frame, last

from .data import dimensions

CATAPULT_RISE = 1e-3  # a loss this far (relative) above its initial value counts as a catapult
REGIMES = ("sharpness reduction", "catapult", "divergence")
UV_C_MAX = 4.0


def _final_sharpness_ratio(exp) -> float:
    frame = final_frame(exp)
    return last(frame["sharpness"]) * last(frame["lr"]) / 2.0


def _training_loss(frame: dict) -> np.ndarray:
    """The full-batch training loss: every step's, or at the sharpness measurements of a
    minibatch run (whose per-step loss is that of each step's batch, noisy)."""
    return frame["full_loss"] if "full_loss" in frame else frame["loss"]


def _peak_loss_ratio(exp) -> float:
    loss = _training_loss(final_frame(exp))
    peak = np.max(np.where(np.isfinite(loss), loss, np.inf)) if len(loss) else np.nan
    return float(peak / exp.loss0)


def _eos_step(exp) -> float:
    """First measured step with η·λ ≥ 2 (η that step's learning rate)."""
    frame = final_frame(exp)
    steps, sharpness, lr = frame["sharpness_step"], frame["sharpness"], frame["lr"]
    if not len(lr):
        return np.nan
    eta = lr[np.minimum(steps, len(lr) - 1)]
    above = np.flatnonzero(eta * sharpness >= 2.0)
    return float(steps[above[0]]) if above.size else np.nan


def _final_loss(exp) -> float:
    return last(_training_loss(final_frame(exp)))


def regime(exp) -> float:
    if exp.diverged:
        return 2.0
    return 1.0 if _peak_loss_ratio(exp) > 1.0 + CATAPULT_RISE else 0.0


MEASURES = (
    Measure(
        "lambda0",
        "sharpness (top Hessian eigenvalue) at initialisation",
        "",
        read=lambda exp: exp.lambda0,
    ),
    Measure(
        "final_sharpness_ratio",
        "last measured sharpness · η/2 (1 = at the edge of stability 2/η)",
        read=_final_sharpness_ratio,
    ),
    Measure(
        "peak_loss_ratio",
        "largest training loss / initial loss (> 1: a loss catapult)",
        read=_peak_loss_ratio,
    ),
    Measure(
        "diverged", "1 if the run diverged, else 0", read=lambda exp: float(bool(exp.diverged))
    ),
    Measure("eos_step", "first measured step with η·λ ≥ 2 (NaN if never)", "steps", read=_eos_step),
    Measure(
        "final_loss",
        "training loss at the last step (minibatch runs: at the last sharpness measurement)",
        read=_final_loss,
    ),
    Measure(
        "regime", "early-training regime (Kalra & Barkeshli 2023)", categories=REGIMES, read=regime
    ),
)


def sweep_overlays(base: dict, axes: tuple) -> list[Overlay]:
    """On a 2-D map with lr as one axis in normalised units (lr_mode = normalized): the
    stability line c = η·λ0 = 2 and the uv model's divergence boundary c_max = 4, drawn across
    the other axis. None otherwise (in absolute units both lines depend on λ0 of each point)."""
    if len(axes) != 2 or base.get("lr_mode") != "normalized":
        return []
    names = [a.name for a in axes]
    if "lr" not in names:
        return []
    other = axes[1 - names.index("lr")].numeric()
    if other.dtype.kind not in "iuf":
        return []
    span = np.array([other.min(), other.max()], dtype=float)
    out = []
    for label, c in (("η·λ0 = 2", 2.0), ("divergence c_max = 4 (uv, wide)", UV_C_MAX)):
        line = np.full(2, c)
        x, y = (line, span) if names[0] == "lr" else (span, line)
        out.append(Overlay(label, x, y))
    return out


def axis_title(name: str, base: dict) -> str | None:
    """With lr_mode = normalized the lr axis is the normalised rate c = η·λ0, not η."""
    if name == "lr" and base.get("lr_mode") == "normalized":
        return "c = η·λ0 (normalised lr)"
    return None


FLOP_RATE = 1e9  # flop/s one core sustains in these kernels (rough, for refusing huge sweeps)


def point_cost(p: dict) -> tuple[float, float]:
    """(bytes, seconds) of one run, roughly: ~8 flops per sample (of the batch) and parameter per
    step, a Lanczos estimate of ~40 full-batch Hessian-vector products every eig_every steps, and
    ~20 of them a step for the central flow (reference = central_flow)."""
    if p["model"] == "uv":
        n = p["width"][0]
        return 64.0 * n, 20.0 * n * p["steps"] / FLOP_RATE
    dim_in, dim_out = dimensions(p)
    widths = p["width"] * p["depth"] if len(p["width"]) == 1 else p["width"]
    sizes = [dim_in, *widths, dim_out]
    params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    full = 8.0 * params * p["n_samples"]
    per_step = 8.0 * params * (p["batch"] or p["n_samples"])  # a minibatch step sees b samples
    lanczos = 40 * 4 * full / p["eig_every"]
    if p["batch"] and p["optimizer"] != "gd":  # the batch sharpness: a gradient and an HVP a probe
        lanczos += 3 * p["batch_probes"] * per_step / p["eig_every"]
    if p.get("reference", "none") != "none":
        lanczos += 20 * 4 * full
    memory = 8.0 * (10 * params + p["n_samples"] * (sum(sizes) * 4 + dim_in + dim_out))
    return memory + 64.0 * p["steps"], (per_step + lanczos) * p["steps"] / FLOP_RATE
