"""Sharpness lab workloads: full-batch GD and one top-eigenvalue estimate on the Chebyshev net and
a 2×200 tanh MLP, and the uv model's bifurcation diagram."""

from __future__ import annotations

import numpy as np

from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.hessian import lanczos_top
from physlab.sharpness.optim import OPTIMIZERS
from physlab.sharpness.uv import bifurcation

from .harness import Workload, have_torch, max_rel
from .reference_mlp import NumpyMLP, TorchMLP

NETS = {
    "Chebyshev net (701 params, n = 20)": dict(
        dataset="chebyshev", width=[30, 20], depth=2, n_samples=20, lr=0.05
    ),
    "2×200 tanh MLP (n = 1000, d = 10)": dict(
        dataset="teacher", width=[200], depth=2, n_samples=1000, input_dim=10, lr=0.05
    ),
}


WIDE = "2×200 tanh MLP (n = 1000, d = 10)"
EOS = dict(dataset="chebyshev", width=[30, 20], depth=2, n_samples=20, lr=0.2, eig_every=10)


def _net(params: dict):
    exp = SharpnessExperiment({k: v for k, v in params.items() if k != "lr"}, seed=0)
    m = exp.model
    return exp.theta.copy(), m, (m.X, m.Y, m.sizes, m.w_off, m.b_off, m.mult)


def gd_workloads(quick: bool) -> list[Workload]:
    nets = {**NETS, f"{WIDE}, float32": {**NETS[WIDE], "dtype": "float32"}}
    out = []
    for name, params in nets.items():
        single = params.get("dtype") == "float32"
        if single and not have_torch():
            continue  # its row is against PyTorch float32 (NumPy's reference is float64)
        theta0, model, arch = _net(params)
        lr = params["lr"]
        steps = 20 if quick else (2000 if params["dataset"] == "chebyshev" else 100)

        def ours(theta0=theta0, model=model, steps=steps, lr=lr):
            theta = theta0.copy()
            rows = {"loss": np.empty(steps)}
            model.train(
                theta,
                OPTIMIZERS["gd"],
                np.full(steps, lr),
                (0.0, 0.9, 0.999, 1e-8),
                np.zeros_like(theta),
                np.zeros_like(theta),
                0,
                1e300,
                rows,
            )
            return theta

        refs = {}
        if not single:
            refs["numpy"] = lambda arch=arch, t=theta0, s=steps, lr=lr: NumpyMLP(*arch).gd(t, lr, s)
        if have_torch():
            torch_net = TorchMLP(*arch)
            refs["torch-cpu" + (" float32" if single else "")] = (
                lambda t=theta0, s=steps, lr=lr, net=torch_net: net.gd(t, lr, s)
            )
        out.append(
            Workload(
                f"GD steps, {name}",
                f"{steps} steps",
                ours,
                refs,
                lambda a, b: f"max |Δθ| = {np.max(np.abs(a - b)):.1e}",
            )
        )
    return out


def eos_workload(quick: bool, steps: int | None = None) -> Workload:
    """The Chebyshev edge-of-stability set-up as the lab runs it: GD at η = 0.2 with the top
    Hessian eigenvalue (Lanczos, tol 1e-7, warm-started from the last top eigenvector) every 10
    steps. The references take the same steps and estimates with their gradients and HVPs."""
    steps = steps or (40 if quick else 2000)
    params = {**EOS, "steps": steps}
    theta0, _, arch = _net(params)

    def ours():
        exp = SharpnessExperiment({k: v for k, v in params.items()}, seed=0)
        exp.advance(steps)
        return exp.frame()["sharpness"]

    def measured(net, hvp_of):
        def run():
            rng = np.random.default_rng(1)
            theta, top, values = theta0.copy(), rng.standard_normal(theta0.size), []
            for chunk in range(steps // EOS["eig_every"] + 1):
                if chunk:
                    theta = net.gd(theta, EOS["lr"], EOS["eig_every"])
                ritz = lanczos_top(hvp_of(net, theta), top, k=1)
                noise = rng.standard_normal(theta.size)
                top = ritz.top_vector + 1e-3 * noise / np.linalg.norm(noise)
                values.append(ritz.values[0])
            return np.array(values)

        return run

    refs = {"numpy (FD-HVP)": measured(NumpyMLP(*arch), lambda net, t: lambda v: net.hvp(t, v))}
    if have_torch():
        refs["torch-cpu"] = measured(TorchMLP(*arch), lambda net, t: net.hvp_fn(t))
    return Workload(
        "EoS run, Chebyshev net: GD η = 0.2 + top eigenvalue every 10 steps",
        f"{steps} steps, {steps // EOS['eig_every']} estimates",
        ours,
        refs,
        lambda a, b: f"max rel. Δλ = {max_rel(a[:11], b[:11]):.1e} over the first 100 steps",
    )


def eig_workloads(quick: bool) -> list[Workload]:
    out = []
    for name, params in NETS.items():
        theta, model, arch = _net(params)
        v0 = np.random.default_rng(1).standard_normal(theta.size)

        def top(hvp, v0=v0):
            return lanczos_top(hvp, v0, k=1).values[0]

        def ours(model=model, theta=theta, v0=v0):
            return model.top_eigenvalues(theta, v0, 1).values[0]

        np_net = NumpyMLP(*arch)
        refs = {
            "numpy (FD-HVP)": lambda top=top, net=np_net, theta=theta: top(
                lambda v: net.hvp(theta, v)
            )
        }
        if have_torch():
            torch_net = TorchMLP(*arch)
            refs["torch-cpu"] = lambda top=top, net=torch_net, theta=theta: top(net.hvp_fn(theta))
        out.append(
            Workload(
                f"top Hessian eigenvalue (Lanczos, tol 1e-7), {name}",
                f"{theta.size} params",
                ours,
                refs,
                lambda a, b: f"rel. Δλ = {max_rel(a, b):.1e}",
            )
        )
    return out


def _numpy_bifurcation(etas, f0, lam0, x, y, n, steps, keep):
    f = np.full(etas.size, f0)
    lam = np.full(etas.size, lam0)
    out = np.full((etas.size, keep), np.nan)
    alive = np.ones(etas.size, dtype=bool)
    with np.errstate(all="ignore"):  # diverging η overflow; they are marked NaN below
        _iterate(f, lam, etas, y, x, n, steps, keep, alive, out)
    out[~alive] = np.nan
    return out


def _iterate(f, lam, etas, y, x, n, steps, keep, alive, out):
    for t in range(steps):
        r = f - y
        f, lam = (
            f - etas * lam * r + (etas * etas * x * x / n) * r * r * f,
            lam + (etas * x * x * r / n) * (etas * lam * r - 4.0 * f),
        )
        alive &= (np.abs(f) < 1e6) & (np.abs(lam) < 1e6)
        if t >= steps - keep:
            out[:, t - (steps - keep)] = etas * lam


def uv_workload(quick: bool) -> Workload:
    n_eta, steps, keep = (40, 200, 16) if quick else (400, 2000, 64)
    etas = np.linspace(0.5, 2.0, n_eta)
    args = (0.1, 1.0, 1.0, 1.0, 1.0)  # f0, λ0, x, y, n

    def ours():
        out = np.full((n_eta, keep), np.nan)
        bifurcation(etas, *args, steps, keep, out)
        return out

    def compare(a, b):
        same_nan = np.array_equal(np.isnan(a), np.isnan(b))
        ok = ~np.isnan(a) & ~np.isnan(b)
        finite_rows = ~np.isnan(b).any(axis=1)
        periodic = np.zeros(n_eta, dtype=bool)
        periodic[finite_rows] = np.std(b[finite_rows], axis=1) < 1e-6
        diff = np.max(np.abs(a - b)[ok & periodic[:, None]], initial=0.0)
        return (
            f"max |Δηλ| = {diff:.1e} on fixed points ({periodic.sum()} of {n_eta} η); "
            f"divergence {'agrees' if same_nan else 'differs'}"
        )

    return Workload(
        "uv bifurcation diagram (closed map)",
        f"{n_eta} η × {steps} steps",
        ours,
        {"numpy": lambda: _numpy_bifurcation(etas, *args, steps, keep)},
        compare,
    )


def workloads(quick: bool) -> list[Workload]:
    return [eos_workload(quick), *gd_workloads(quick), *eig_workloads(quick), uv_workload(quick)]
