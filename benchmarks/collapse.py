"""Collapse lab workloads: the default regression chain and Hutter's tails model, against
vectorised NumPy that materialises the data (X as arrays, BLAS Gram matrices, batched solves;
``rng.choice`` draws and first-occurrence sorting). Both sides are Monte Carlo with different random
numbers, so they are compared statistically: the largest |Δmean| in units of its standard error."""

from __future__ import annotations

import numpy as np

from physlab.collapse import LAB, tails

from .harness import Workload


def _z(ours, theirs) -> str:
    (m1, s1), (m2, s2) = ours, theirs
    floor = 1e-9 * np.abs(m2)  # deterministic entries (a plateau every repeat reaches) have s.e. 0
    z = np.abs(m1 - m2) / np.sqrt(s1**2 + s2**2 + floor**2 + 1e-300)
    return f"max |Δmean| = {np.max(z):.1f} s.e."


def _physlab_chain(params: dict):
    exp = LAB.build(params, seed=0)
    while not exp.done:
        exp.advance(1)
    f = exp.frame()
    return f["error_mean"], f["error_std"] / np.sqrt(params["repeats"])


def _solve(A, b):
    return np.linalg.solve(A, b[..., None])[..., 0]


def numpy_chain(d, T, T0, generations, repeats, real_fraction, seed=1):
    """Replace, accumulate and mix with explicit Gaussian data, OLS everywhere (σ = σ0 = 1)."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((repeats, d)) / np.sqrt(d)
    W = np.repeat(w0[None], 3, axis=0)
    G_pool = np.zeros((repeats, d, d))
    b_pool = np.zeros((repeats, d))
    n_real = int(round(real_fraction * T0))
    errors = np.empty((generations + 1, 3, repeats))

    def labels(X, w):
        return np.einsum("rtd,rd->rt", X, w) + rng.standard_normal(X.shape[:2])

    def fit(X, y):
        return _solve(X.transpose(0, 2, 1) @ X, np.einsum("rtd,rt->rd", X, y))

    for g in range(generations + 1):
        if g:
            X = rng.standard_normal((repeats, T0, d))
            eps = rng.standard_normal((repeats, T0))
            y_rep = np.einsum("rtd,rd->rt", X, W[0]) + eps
            W[0] = fit(X, y_rep)
            G_pool += X.transpose(0, 2, 1) @ X
            b_pool += np.einsum("rtd,rt->rd", X, np.einsum("rtd,rd->rt", X, W[1]) + eps)
            W[1] = _solve(G_pool, b_pool)
            X = rng.standard_normal((repeats, T0, d))
            y = np.concatenate([labels(X[:, :n_real], w0), labels(X[:, n_real:], W[2])], axis=1)
            W[2] = fit(X, y)
        X = rng.standard_normal((repeats, T, d))
        eps = rng.standard_normal((repeats, T))
        for s in range(3):
            w_hat = fit(X, np.einsum("rtd,rd->rt", X, W[s]) + eps)
            errors[g, s] = np.sum((w_hat - w0) ** 2, axis=1)
    return errors.mean(axis=2).T, errors.std(axis=2, ddof=1).T / np.sqrt(repeats)


def chain_workload(quick: bool) -> Workload:
    size = (
        dict(d=20, T=40, T0=40, generations=5, repeats=50)
        if quick
        else dict(d=100, T=200, T0=200, generations=20, repeats=100)
    )
    params = {**size, "real_fraction": 0.5}
    return Workload(
        "collapse: regression chain, 3 strategies",
        "d={d}, T={T}, {generations} gen., {repeats} repeats".format(**size),
        lambda: _physlab_chain(params),
        {"numpy (explicit data)": lambda: numpy_chain(**params)},
        _z,
    )


def _physlab_tails(params: dict):
    exp = LAB.build({"model": "tails", **params}, seed=0)
    exp.advance(params["repeats"])
    f = exp.frame()
    return f["error_mean"], f["error_std"] / np.sqrt(params["repeats"])


def numpy_tails(
    zipf_exponent, cutoff, narrowed_exponent, clean_fraction, T_values, repeats, seed=1
):
    rng = np.random.default_rng(seed)
    q = tails.generators(zipf_exponent, cutoff, narrowed_exponent)
    p = q[tails.CLEAN]
    mixed = clean_fraction * p + (1 - clean_fraction) * q[tails.CUT]
    T = np.asarray(T_values)
    out = np.empty((4, T.size, repeats))
    for c, qc in enumerate((p, q[tails.CUT], q[tails.NARROW], mixed)):
        cdf = np.cumsum(qc)
        for r in range(repeats):
            draws = np.minimum(np.searchsorted(cdf, rng.random(T[-1]) * cdf[-1]), p.size - 1)
            items, first = np.unique(draws, return_index=True)
            order = np.argsort(first)
            seen = np.concatenate([[0.0], np.cumsum(p[items[order]])])
            out[c, :, r] = 1.0 - seen[np.searchsorted(first[order], T)]
    return out.mean(axis=2), out.std(axis=2, ddof=1) / np.sqrt(repeats)


def tails_workload(quick: bool) -> Workload:
    T_values = [10, 100, 1000, 10_000] if quick else [10, 100, 1000, 10_000, 100_000, 1_000_000]
    params = dict(
        zipf_exponent=2.0,
        cutoff=100,
        narrowed_exponent=3.0,
        clean_fraction=0.1,
        T_values=T_values,
        repeats=5 if quick else 20,
    )
    return Workload(
        "collapse: Hutter tails model, 4 generators",
        f"T up to {T_values[-1]:.0e}, {params['repeats']} repeats",
        lambda: _physlab_tails(params),
        {"numpy (choice + unique)": lambda: numpy_tails(**params)},
        _z,
    )


def workloads(quick: bool) -> list[Workload]:
    return [chain_workload(quick), tails_workload(quick)]
