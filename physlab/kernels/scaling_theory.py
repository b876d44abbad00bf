"""Scaling exponents of the random-feature model, and how the lab fits them to its curves.

Lazy (Bordelon, Atanasov & Pehlevan, ICML 2024, §4–5, capacity α, source β):
    L ~ t^{−β} (time-limited),  L ~ N^{−α·min(β,1)} (model-size limited),
    L ~ P^{−α·min(β,2)} (data-limited).
A model of finite size N trained for time t (gradient flow on the population loss; the same
random-feature model as Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal
Neural Scaling Laws", NeurIPS 2024, with their d = N, their 2α = our α) has three terms,
    L(t, N) ≈ t^{−χ} + N^{−1}·t^{−(1−1/α)}·[β > 1] + N^{−α·min(β,1)},
the middle one (their F_ac, from the random projection of the features) only on easy tasks. So on a
hard task (β < 1) each curve follows t^{−χ} down to its plateau, while on an easy task it follows
t^{−β} only until t× = N^{1/(β−1+1/α)} and then t^{−(1−1/α)} until the plateau at t ≈ N^α: a fit
over the power-law window of a finite-N curve measures a mixture (:func:`late_time_exponent`).
At fixed compute C = N·t the frontier is where the rising term t^{−χ} meets the larger falling one:
    β < 1:  L* ~ C^{−a_N χ/(a_N + χ)}   (= C^{−αβ/(1+α)} lazy),
    β > 1:  L* ~ C^{−αχ/(1 + αχ)}       (t^{−χ} against N^{−1}t^{−(1−1/α)}),
(:func:`compute_exponent`; measured on the interior of a frontier over N = 16…2048 at α = 1.5:
0.317 against 0.300 at β = 0.5, 0.648 against 0.692 at β = 1.5, 0.728 against 0.789 at β = 2.5;
the old formula a_N χ/(a_N + χ) predicted 0.75 and 0.94 for the easy tasks).
Rich (Bordelon, Atanasov & Pehlevan, ICLR 2025, eq. for χ(β)): the time exponent improves on hard
tasks, χ(β) = β·max(1, 2/(1+β)); easy tasks (β ≥ 1) are unchanged. The hard-task frontier is then
C^{−2αβ/(α(1+β)+2)}.
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


def late_time_exponent(alpha: float, beta: float) -> float:
    """The exponent a finite-N curve of an easy task (β > 1) approaches after t× (its
    N^{−1}t^{−(1−1/α)} term); the time exponent itself on a hard task."""
    return 1.0 - 1.0 / alpha if beta > 1 else beta


def compute_exponent(alpha: float, beta: float, rich: bool) -> float:
    """The exponent of the compute-optimal frontier L* ~ C^{−a} (see the module docstring): the
    rising term t^{−χ} = (C/N)^{−χ} meets N^{−a_N} on hard tasks and N^{−1}(C/N)^{−(1−1/α)} on easy
    ones, unless the plateau N^{−α} is still the larger of the two falling terms there."""
    chi, a_n = time_exponent(beta, rich), width_exponent(alpha, beta)
    against_plateau = a_n * chi / (a_n + chi)
    if beta <= 1:
        return against_plateau
    # optimal N* = C^e where t^{−χ} = N^{−1}t^{−(1−1/α)}; is that term above N^{−α} there?
    e = (chi - 1 + 1 / alpha) / (chi + 1 / alpha)
    finite_width_dominates = -(1 - 1 / alpha) + (alpha - 1 / alpha) * e >= 0
    return alpha * chi / (1 + alpha * chi) if finite_width_dominates else against_plateau


def fit_slope_error(
    x: np.ndarray, y: np.ndarray, min_points: int = MIN_POINTS
) -> tuple[float, float]:
    """(−d log y / d log x, its standard error) by least squares over finite positive points;
    (NaN, NaN) if too few. The error is the regression's (residual scatter about the line), so a
    curve that bends within the window gets a large one."""
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    n = int(keep.sum())
    if n < min_points:
        return float("nan"), float("nan")
    lx, ly = np.log(x[keep]), np.log(y[keep])
    slope, intercept = np.polyfit(lx, ly, 1)
    spread = np.sum((lx - lx.mean()) ** 2)
    residual = np.sum((ly - slope * lx - intercept) ** 2)
    error = np.sqrt(residual / (n - 2) / spread) if n > 2 and spread > 0 else float("nan")
    return float(-slope), float(error)


def fit_slope(x: np.ndarray, y: np.ndarray, min_points: int = MIN_POINTS) -> float:
    """−d log y / d log x by least squares over finite positive points (NaN if too few)."""
    return fit_slope_error(x, y, min_points)[0]


def power_law_window(steps: np.ndarray, loss: np.ndarray, lr: float) -> np.ndarray:
    """The part of a loss curve that is a power law in time: after the first modes are learned
    (t ≥ 20/η) and before the curve bends onto its plateau (loss still above twice its final
    value)."""
    final = loss[-1]
    above = np.nonzero(loss > 2.0 * final)[0]
    end = steps[above[-1]] if len(above) else 0
    return (steps >= 20.0 / lr) & (steps <= end)


def fit_time_exponent(steps: np.ndarray, loss: np.ndarray, lr: float) -> tuple[float, float]:
    """(fitted time exponent, its standard error) over the curve's power-law window."""
    keep = power_law_window(steps, loss, lr)
    return fit_slope_error(steps[keep].astype(float), loss[keep])


def late_theory_exponent(steps: np.ndarray, loss: np.ndarray, lr: float) -> tuple[float, float]:
    """(slope, its standard error) of a theory curve over the last decade of its own power-law
    window: the local exponent it has reached by the end of the run (the rich theory's approaches
    χ(β) only as the feature-learning rate 1 + γ|w|² grows, see :mod:`.scaling_rich_theory`), up
    to the last finite point (a theory curve may stop short of the run's end)."""
    reached = np.isfinite(loss)
    steps, loss = steps[reached], loss[reached]
    keep = power_law_window(steps, loss, lr) if len(loss) else np.zeros(0, bool)
    if keep.any():
        keep &= steps >= steps[keep][-1] / 10.0
    return fit_slope_error(steps[keep].astype(float), loss[keep])


def window_fitted_exponent(
    steps: np.ndarray, loss: np.ndarray, reference: np.ndarray, lr: float
) -> float:
    """The slope of ``reference`` (the N → ∞ theory curve) over ``loss``'s power-law window: what
    the infinite-size theory itself gives at those finite times."""
    keep = power_law_window(steps, loss, lr)
    return fit_slope(steps[keep].astype(float), reference[keep])


def frontier(steps: np.ndarray, widths: np.ndarray, losses: np.ndarray, points: int = 60):
    """The compute-optimal frontier: for compute C = N·t on a log grid, the lowest loss any model
    size reaches with that compute (log-log interpolation along each curve); returns (C, loss,
    which size attains it: an index into ``widths``, −1 where none does)."""
    t = steps.astype(float)
    pos = t > 0
    c_lo = min(w * t[pos][0] for w in widths)
    c_hi = max(w * t[-1] for w in widths)
    grid = np.geomspace(c_lo, c_hi, points)
    best = np.full(points, np.inf)
    which = np.full(points, -1)
    for j, (w, loss) in enumerate(zip(widths, losses)):
        ok = pos & np.isfinite(loss) & (loss > 0)
        if ok.sum() < 2:
            continue
        logc = np.log(w * t[ok])
        inside = np.nonzero((grid >= w * t[ok][0]) & (grid <= w * t[ok][-1]))[0]
        vals = np.exp(np.interp(np.log(grid[inside]), logc, np.log(loss[ok])))
        better = vals < best[inside]
        best[inside[better]] = vals[better]
        which[inside[better]] = j
    best[~np.isfinite(best)] = np.nan
    return grid, best, which


def interior(which: np.ndarray, sizes: int) -> np.ndarray:
    """The stretch of a frontier whose optimal size lies strictly inside the family (from the
    first point an inner size wins to the last): beyond it the largest model's own curve, not the
    trade-off, sets the slope."""
    inner = (which > 0) & (which < sizes - 1)
    keep = np.zeros(len(which), bool)
    if inner.any():
        first, last = np.nonzero(inner)[0][[0, -1]]
        keep[first : last + 1] = True
    return keep
