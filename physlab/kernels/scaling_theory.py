"""Scaling exponents of the random-feature model, and how the lab fits them to its curves.

Lazy (Bordelon, Atanasov & Pehlevan, ICML 2024, §4–5, capacity α, source β):
    L ~ t^{−β} (time-limited),  L ~ N^{−α·min(β,1)} (model-size limited),
    L ~ P^{−α·min(β,2)} (data-limited),
and, at fixed compute C = N·t with L ≈ t^{−χ} + N^{−a_N}, the compute-optimal frontier
    L* ~ C^{−a_N χ/(a_N + χ)}   (= C^{−αβ/(1+α)} for β < 1).
Rich (Bordelon, Atanasov & Pehlevan, ICLR 2025, eq. for χ(β)): the time exponent improves on hard
tasks, χ(β) = β·max(1, 2/(1+β)); easy tasks (β ≥ 1) are unchanged. The frontier formula above then
gives C^{−2αβ/(α(1+β)+2)} for β < 1.
"""
from __future__ import annotations

import numpy as np

MIN_POINTS = 5


def time_exponent(beta: float, rich: bool) -> float:
    return beta * max(1.0, 2.0 / (1.0 + beta)) if rich else beta


def width_exponent(alpha: float, beta: float) -> float:
    return alpha * min(beta, 1.0)


def data_exponent(alpha: float, beta: float) -> float:
    return alpha * min(beta, 2.0)


def compute_exponent(alpha: float, beta: float, rich: bool) -> float:
    chi, a_n = time_exponent(beta, rich), width_exponent(alpha, beta)
    return a_n * chi / (a_n + chi)


def fit_slope(x: np.ndarray, y: np.ndarray, min_points: int = MIN_POINTS) -> float:
    """−d log y / d log x by least squares over finite positive points (NaN if too few)."""
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if keep.sum() < min_points:
        return float("nan")
    return float(-np.polyfit(np.log(x[keep]), np.log(y[keep]), 1)[0])


def power_law_window(steps: np.ndarray, loss: np.ndarray, lr: float) -> np.ndarray:
    """The part of a loss curve that is a power law in time: after the first modes are learned
    (t ≥ 20/η) and before the curve bends onto its plateau (loss still above twice its final
    value)."""
    final = loss[-1]
    above = np.nonzero(loss > 2.0 * final)[0]
    end = steps[above[-1]] if len(above) else 0
    return (steps >= 20.0 / lr) & (steps <= end)


def fit_time_exponent(steps: np.ndarray, loss: np.ndarray, lr: float) -> float:
    keep = power_law_window(steps, loss, lr)
    return fit_slope(steps[keep].astype(float), loss[keep])


def frontier(steps: np.ndarray, widths: np.ndarray, losses: np.ndarray, points: int = 60):
    """The compute-optimal frontier: for compute C = N·t on a log grid, the lowest loss any model
    size reaches with that compute (log-log interpolation along each curve)."""
    t = steps.astype(float)
    pos = t > 0
    c_lo = min(w * t[pos][0] for w in widths)
    c_hi = max(w * t[-1] for w in widths)
    grid = np.geomspace(c_lo, c_hi, points)
    best = np.full(points, np.inf)
    for w, loss in zip(widths, losses):
        ok = pos & np.isfinite(loss) & (loss > 0)
        if ok.sum() < 2:
            continue
        logc = np.log(w * t[ok])
        inside = (grid >= w * t[ok][0]) & (grid <= w * t[ok][-1])
        vals = np.exp(np.interp(np.log(grid[inside]), logc, np.log(loss[ok])))
        best[inside] = np.minimum(best[inside], vals)
    best[~np.isfinite(best)] = np.nan
    return grid, best
