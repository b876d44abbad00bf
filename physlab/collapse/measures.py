"""The Collapse lab's sweep measures (names are a contract) and cost estimate.

For the regression chains: the test error of each strategy after the last generation, simulated
(``error_<strategy>``) and in theory (``theory_<strategy>``) — replace grows without bound,
accumulate stays bounded, mixing a fixed real fraction stops the growth (Dohmatob, Feng & Kempe,
"Model Collapse Demystified: The Case of Regression", NeurIPS 2024, Thm 4.1; Gerstgrasser et al.,
"Is Model Collapse Inevitable?", 2024). For the other models, ``final_value``: the main curve at
its last point.
"""

from __future__ import annotations

import numpy as np

from physlab.core.measures import Measure, final_frame

from .regression import STRATEGIES

FLOP_RATE = 1e9  # flop/s of one core (rough, for refusing huge sweeps)
MAIN_CURVE = {
    "gaussian": "log_variance_mean",
    "tails": "error_mean",
    "tails-chain": "error_mean",
    "discrete": "diversity_mean",
    "strong": "error_mean",
    "verify": "accuracy_mean",
    "ridge-scaling": "error_mean",
}


def _strategy_row(exp, strategy: str, key: str) -> float:
    p = exp.params
    if p["model"] != "regression" or strategy not in p["strategy"]:
        return np.nan
    row = list(p["strategy"]).index(strategy)  # the frame keeps the selected ones, in order
    values = final_frame(exp)[key][row]
    return float(values[-1]) if len(values) else np.nan


def _final_value(exp) -> float:
    key = MAIN_CURVE.get(exp.params["model"])
    if key is None:
        return np.nan
    curve = np.asarray(final_frame(exp)[key])
    return float(curve.reshape(-1, curve.shape[-1])[0, -1])


MEASURES = (
    tuple(
        Measure(
            f"error_{s}",
            f"test error of the {s} chain after the last generation (simulated)",
            read=lambda e, s=s: _strategy_row(e, s, "error_mean"),
        )
        for s in STRATEGIES
    )
    + tuple(
        Measure(
            f"theory_{s}",
            f"test error of the {s} chain after the last generation (theory)",
            read=lambda e, s=s: _strategy_row(e, s, "theory"),
        )
        for s in STRATEGIES
    )
    + (
        Measure(
            "final_value",
            "the model's main curve at its last point (gaussian: mean log "
            "variance; tails, strong: test error; tails-chain: the real data's test error; "
            "verify: accuracy; discrete: diversity H/H0; ridge-scaling: the clean fit's error at the "
            "largest T); NaN for regression",
            read=_final_value,
        ),
    )
)


def point_cost(p: dict) -> tuple[float, float]:
    """(bytes, seconds): a d×d fit on T0 samples per generation, strategy and repeat."""
    d = p["d"]
    flops = 2.0 * p["repeats"] * (p["generations"] + 1) * 3 * (p["T0"] * d * d + d**3)
    return 8.0 * p["repeats"] * 4 * d * d, flops / FLOP_RATE
