"""Kernels lab workloads: finite-width kernel tracking (N = 2000, P = 32), the deep-linear DMFT
solve (T = 100, P = 10, L = 3), and the scaling-law model, lazy and rich.

References: the straightforward NumPy (and, for the network, PyTorch CPU) versions of the same
computations — the network with explicit first-layer weights, the DMFT with the reference
notebook's (TP)×(TP) inverses over the whole run, the scaling model stepped by plain GD."""

from __future__ import annotations

import numpy as np

from physlab.kernels.data import make_dataset
from physlab.kernels.dmft_deep_linear import solve_deep_linear
from physlab.kernels.network import Network
from physlab.kernels.scaling_experiment import ScalingExperiment
from physlab.kernels.scaling_model import FeatureSpace, RichRun

from .harness import Workload, have_torch, max_rel


def _rel(a, b) -> str:
    return f"max rel. Δ = {max_rel(a, b):.1e}"


# -- finite-width kernel tracking ---------------------------------------------------------------
def _setup(N, P, D, depth, seed=0):
    X, Kx, y = make_dataset(P, D, "random", np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    W0 = rng.standard_normal((N, D))
    Ws = [rng.standard_normal((N, N)) for _ in range(depth - 1)]
    w = rng.standard_normal(N)
    return X, Kx, y, W0, Ws, w


def physlab_tracking(setup, activation, gamma0, lr, steps):
    X, Kx, y, W0, Ws, w = setup
    N, D = W0.shape
    net = Network(Kx, y, len(Ws) + 1, N, activation, gamma0, lr, np.random.default_rng(0))
    net.h1, net.W, net.w = W0 @ X.T / np.sqrt(D), [W.copy() for W in Ws], w.copy()
    net.f0 = 0.0
    net.forward()
    net.f0 = net.f.copy()
    net.forward()
    for _ in range(steps):
        net.kernels()
        net.step()
    return net.kernels()[0]


def _explicit_tracking(xp, act, setup, gamma0, lr, steps):
    """The network with explicit weights, written once for NumPy and PyTorch (``xp``)."""
    X, Kx, y, W0, Ws, w = (
        xp.asarray(a) if not isinstance(a, list) else [xp.asarray(b) for b in a] for a in setup
    )
    N, D = W0.shape
    P = len(y)
    c = lr * gamma0 / P
    Ws = [W.clone() if hasattr(W, "clone") else W.copy() for W in Ws]
    W0 = W0.clone() if hasattr(W0, "clone") else W0.copy()
    w = w.clone() if hasattr(w, "clone") else w.copy()

    def forward():
        hs, phis, dphis = [W0 @ X.T / D**0.5], [], []
        for ell in range(len(Ws) + 1):
            phi, dphi = act(hs[-1])
            phis.append(phi)
            dphis.append(dphi)
            if ell < len(Ws):
                hs.append(Ws[ell] @ phi / N**0.5)
        return phis, dphis, w @ phis[-1] / (gamma0 * N)

    def ntk(phis, gs):
        K = Kx * (gs[0].T @ gs[0] / N) + phis[-1].T @ phis[-1] / N
        for ell in range(len(Ws)):
            K = K + (phis[ell].T @ phis[ell] / N) * (gs[ell + 1].T @ gs[ell + 1] / N)
        return K

    f0 = forward()[2]
    for step in range(steps + 1):
        phis, dphis, f = forward()
        delta = y - (f - f0)
        gs = [None] * (len(Ws) + 1)
        z = w[:, None]
        for ell in range(len(Ws), -1, -1):
            gs[ell] = dphis[ell] * z
            if ell:
                z = Ws[ell - 1].T @ gs[ell] / N**0.5
        K = ntk(phis, gs)
        if step == steps:
            return K
        w = w + c * (phis[-1] @ delta)
        for ell in range(len(Ws)):
            Ws[ell] = Ws[ell] + (c / N**0.5) * ((gs[ell + 1] * delta) @ phis[ell].T)
        W0 = W0 + (c / D**0.5) * ((gs[0] * delta) @ X)


def numpy_tracking(setup, activation, gamma0, lr, steps):
    act = {
        "relu": lambda h: (np.maximum(h, 0.0), (h > 0).astype(float)),
        "tanh": lambda h: (np.tanh(h), 1.0 - np.tanh(h) ** 2),
    }[activation]
    return _explicit_tracking(np, act, setup, gamma0, lr, steps)


def torch_tracking(setup, activation, gamma0, lr, steps):
    import torch

    torch.set_num_threads(2)
    act = {
        "relu": lambda h: (torch.relu(h), (h > 0).double()),
        "tanh": lambda h: (torch.tanh(h), 1.0 - torch.tanh(h) ** 2),
    }[activation]

    class XP:  # the array namespace _explicit_tracking needs
        @staticmethod
        def asarray(a):
            return torch.from_numpy(np.ascontiguousarray(a))

    return _explicit_tracking(XP, act, setup, gamma0, lr, steps).numpy()


def tracking_workloads(quick: bool) -> list[Workload]:
    out = []
    for depth in (1, 2):
        N, P, D, steps = (200, 8, 16, 3) if quick else (2000, 32, 64, 20)
        setup = _setup(N, P, D, depth)
        args = ("relu", 1.0, 1.0, steps)
        refs = {"numpy (explicit weights)": lambda s=setup, a=args: numpy_tracking(s, *a)}
        if have_torch():
            refs["torch (explicit weights)"] = lambda s=setup, a=args: torch_tracking(s, *a)
        out.append(
            Workload(
                f"kernels: finite-width kernel tracking, depth {depth}",
                f"N={N}, P={P}, {steps} GD steps + kernels",
                lambda s=setup, a=args: physlab_tracking(s, *a),
                refs,
                _rel,
            )
        )
    return out


# -- deep-linear DMFT -----------------------------------------------------------------------------
def numpy_deep_linear(Kx, y, depth, gamma0, lr, steps, tol=1e-8, max_iter=200):
    """The reference notebook's algorithm (Linear_DMFT.ipynb, solve_kernels_full): Jacobi sweeps
    over the whole run with explicit (TP)×(TP) inverses, from the lazy residuals."""
    T, P = steps + 1, len(y)
    k = gamma0 * lr / P
    H0 = np.tile(Kx, (T, T))
    H, G = [H0] * depth, [np.ones((T, T))] * depth
    A, B = [np.zeros((T * P, T))] * (depth - 1), [np.zeros((T, T * P))] * (depth - 1)
    causal = np.tril(np.ones((T, T)), -1)

    def residuals():
        delta = np.empty((T, P))
        delta[0] = y
        for t in range(T - 1):
            blk = slice(t * P, (t + 1) * P)
            K = G[0][t, t] * Kx + sum(
                (G[l + 1][t, t] if l + 1 < depth else 1.0) * H[l][blk, blk] for l in range(depth)
            )
            delta[t + 1] = delta[t] - lr / P * K @ delta[t]
        return delta

    delta = residuals()
    for _ in range(max_iter):
        nH, nG, nA, nB = [], [], [None] * (depth - 1), [None] * (depth - 1)
        for l in range(depth):
            Hm = H0 if l == 0 else H[l - 1]
            Gp = np.ones((T, T)) if l == depth - 1 else G[l + 1]
            Hd = np.einsum("tmsn,sn->tms", Hm.reshape(T, P, T, P), delta) * causal[:, None, :]
            C = k * Hd.reshape(T * P, T) + (A[l - 1] if l else 0.0)
            D = k * ((causal * Gp)[:, :, None] * delta[None]).reshape(T, T * P) + (
                B[l] if l < depth - 1 else 0.0
            )
            inv_cd = np.linalg.inv(np.eye(T * P) - C @ D)
            inv_dc = np.linalg.inv(np.eye(T) - D @ C)
            A_new = inv_cd @ C
            nH.append(inv_cd @ Hm @ inv_cd.T + A_new @ Gp @ A_new.T)
            B_new = inv_dc @ D
            nG.append(inv_dc @ Gp @ inv_dc.T + B_new @ Hm @ B_new.T)
            if l < depth - 1:
                nA[l] = A_new
            if l:
                nB[l - 1] = B_new
        H, G, A, B = nH, nG, nA, nB
        new = residuals()
        change = np.max(np.abs(new - delta))
        delta = new
        if change < tol:
            break
    return delta


def dmft_workload(quick: bool) -> Workload:
    steps, P, depth = (20, 6, 2) if quick else (100, 10, 3)
    _, Kx, y = make_dataset(P, 20, "random", np.random.default_rng(0))
    args = (Kx, y, depth, 0.3, 1.0, steps)
    return Workload(
        "kernels: deep-linear DMFT solve",
        f"T={steps}, P={P}, L={depth}",
        lambda: solve_deep_linear(*args)[0],
        {"numpy (notebook: (TP)² inverses)": lambda: numpy_deep_linear(*args)},
        _rel,
    )


# -- scaling laws ---------------------------------------------------------------------------------
def _problem(N, M, seed=0):
    space = FeatureSpace(1.5, 0.5, M, N, 0, np.random.default_rng(seed))
    return space.readout_problem(N, 0)[2:]


def physlab_rich(K, b, lr, gamma, steps):
    return RichRun(K, b, lr, gamma).advance_to(steps)


def plain_rich(K, b, lr, gamma, steps):
    N = len(b)
    U, w, u = np.zeros((N, N)), np.zeros(N), np.zeros(N)
    for _ in range(steps):
        q = b - K @ u
        dw = lr * (q + U @ q)
        U += (lr * gamma) * np.outer(w, q)
        w = w + dw
        u = w + U.T @ w
    return u


def torch_rich(K, b, lr, gamma, steps):
    import torch

    torch.set_num_threads(2)
    K, b = torch.from_numpy(K), torch.from_numpy(b)
    N = len(b)
    U = torch.zeros((N, N), dtype=torch.float64)
    w, u = torch.zeros(N, dtype=torch.float64), torch.zeros(N, dtype=torch.float64)
    for _ in range(steps):
        q = b - K @ u
        dw = lr * (q + U @ q)
        U.add_(torch.outer(w, q), alpha=lr * gamma)
        w = w + dw
        u = w + U.T @ w
    return u.numpy()


def scaling_workloads(quick: bool) -> list[Workload]:
    N, M, steps = (64, 256, 50) if quick else (512, 4000, 1000)
    K, b = _problem(N, M)
    args = (K, b, 0.5, 0.1, steps)
    refs = {"numpy (plain GD)": lambda: plain_rich(*args)}
    if have_torch():
        refs["torch (plain GD)"] = lambda: torch_rich(*args)
    rich = Workload(
        "scaling: rich random-feature model",
        f"N={N}, M={M}, {steps} steps",
        lambda: physlab_rich(*args),
        refs,
        _rel,
    )
    params = {"widths": [16, 32, 64], "steps": 200, "features": 256} if quick else {}

    def physlab_lazy():
        exp = ScalingExperiment(params, 0)
        exp.advance(10**9)
        return exp.frame()["loss"][:, -1]

    def stepped_lazy():
        exp = ScalingExperiment(params, 0)
        out = []
        for width, samples in exp.configs:
            Kt, bt, K_hat, b_hat = exp.space.readout_problem(width, samples)
            w = np.zeros(width)
            for _ in range(exp.params["steps"]):
                w += exp.params["lr"] * (b_hat - K_hat @ w)
            out.append(exp.space.test_loss(Kt, bt, w[:, None])[0])
        return np.array(out)

    size = "6 widths 16–512, M=4000, 10⁴ steps" if not quick else "3 widths, 200 steps"
    lazy = Workload(
        "scaling: lazy curves, all widths",
        size,
        physlab_lazy,
        {"numpy (stepped GD)": stepped_lazy},
        _rel,
    )
    return [rich, lazy]


def workloads(quick: bool) -> list[Workload]:
    return [*tracking_workloads(quick), dmft_workload(quick), *scaling_workloads(quick)]
