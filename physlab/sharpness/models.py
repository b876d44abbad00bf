"""The two model families of the Sharpness lab behind one small interface.

Both hold their data and architecture, draw initial parameters θ from the run's generator, and
offer ``loss``, ``loss_grad``, ``hvp`` and ``train`` (a chunk of optimiser steps in numba).
"""

from __future__ import annotations

import numpy as np

from . import mlp, mlp_blas, uv
from .data import make_dataset
from .hessian import MAX_ITER, TOL, Ritz, lanczos_mlp, lanczos_top
from .losses import LOSSES
from .theory import uv_hessian_eigenvalues

BLAS_WORK = 1_000_000  # samples × parameters from which the batched BLAS kernels are faster


class MLPModel:
    """A fully connected network on a data set: the per-sample numba kernels of
    :mod:`physlab.sharpness.mlp` for small gradients (whole training chunks run inside one kernel
    call), the batched BLAS ones of :mod:`physlab.sharpness.mlp_blas` from ``BLAS_WORK`` on."""

    traces: tuple[str, ...] = ()

    def __init__(self, p: dict, rng: np.random.Generator):
        self.dtype = np.dtype(p["dtype"])
        X, Y = make_dataset(p["dataset"], p["n_samples"], p["input_dim"], p["n_classes"], rng)
        self.X, self.Y = X.astype(self.dtype), Y.astype(self.dtype)
        self.X_test = self.Y_test = None
        if p["dataset"] == "digits" and p["n_test"]:
            X, Y = make_dataset("digits", p["n_samples"] + p["n_test"], 0, 0, rng)
            held_out = slice(p["n_samples"], None)
            self.X_test, self.Y_test = (
                X[held_out].astype(self.dtype),
                Y[held_out].astype(self.dtype),
            )
        widths = p["width"] * p["depth"] if len(p["width"]) == 1 else p["width"]
        self.sizes = np.array([self.X.shape[1], *widths, self.Y.shape[1]], dtype=np.int64)
        fan_in, fan_out = self.sizes[:-1], self.sizes[1:]
        counts = fan_in * fan_out + fan_out
        self.w_off = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.b_off = (self.w_off + fan_in * fan_out).astype(np.int64)
        self.n_params = int(counts.sum())
        self.mult = np.ones(len(fan_in))
        if p["param"] == "mup":
            self.mult[-1] = 1.0 / np.sqrt(fan_in[-1])
        self.act = mlp.ACTIVATIONS[p["activation"]]
        self.loss_kind = LOSSES[p["loss"]]
        self.init_scale = p["init_scale"]
        # float32 runs on the BLAS kernels (the per-sample ones are float64 code)
        self.batched = self.X.shape[0] * self.n_params >= BLAS_WORK or self.dtype != np.float64
        self.kernels = mlp_blas if self.batched else mlp

    @property
    def _arch(self):
        return self.sizes, self.w_off, self.b_off, self.mult, self.act, self.loss_kind

    def init(self, rng: np.random.Generator) -> np.ndarray:
        """W_l ~ N(0, s²/fan_in), biases 0 (drawn in float64, then stored in ``dtype``)."""
        theta = np.zeros(self.n_params)
        for l, (d_in, d_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            w = rng.standard_normal(d_in * d_out) * self.init_scale / np.sqrt(d_in)
            theta[self.w_off[l] : self.w_off[l] + w.size] = w
        return theta.astype(self.dtype, copy=False)

    def loss(self, theta: np.ndarray) -> float:
        theta = theta.astype(self.dtype, copy=False)
        return self.kernels.loss(theta, self.X, self.Y, *self._arch)

    def loss_grad(self, theta: np.ndarray, grad: np.ndarray) -> float:
        return self.kernels.loss_grad(theta, self.X, self.Y, *self._arch, grad)

    def test_loss(self, theta: np.ndarray) -> float:
        """The loss on the held-out set (NaN without one)."""
        if self.X_test is None:
            return np.nan
        return self.kernels.loss(theta, self.X_test, self.Y_test, *self._arch)

    def hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        out = np.empty_like(theta)
        self.kernels.hvp(theta, v.astype(self.dtype, copy=False), self.X, self.Y, *self._arch, out)
        return out

    def train(self, theta, opt, lrs, hyper, buf1, buf2, t0, limit, rows: dict) -> int:
        return self.kernels.train(
            theta,
            self.X,
            self.Y,
            *self._arch,
            opt,
            lrs,
            *hyper,
            buf1,
            buf2,
            t0,
            limit,
            rows["loss"],
        )

    def top_eigenvalues(
        self, theta: np.ndarray, v0: np.ndarray, k: int, scale: np.ndarray | None = None
    ) -> Ritz:
        """The top ``k`` eigenvalues of D H D (D = diag(``scale``), identity by default) by
        warm-started Lanczos: one numba call for the per-sample kernels, NumPy around the BLAS
        HVP for wide networks."""
        if self.batched:
            if scale is None:
                return lanczos_top(lambda v: self.hvp(theta, v), v0, k=k)
            return lanczos_top(lambda v: scale * self.hvp(theta, scale * v), v0, k=k)
        values, top = np.empty(k), np.empty_like(theta)
        iterations = lanczos_mlp(
            theta,
            self.X,
            self.Y,
            *self._arch,
            np.ones_like(theta) if scale is None else scale,
            v0,
            k,
            MAX_ITER,
            TOL,
            values,
            top,
        )
        return Ritz(values=values, top_vector=top, iterations=iterations)


class UVModel:
    """The uv model f = vᵀu·x/√n (see :mod:`physlab.sharpness.uv`), θ = (u, v)."""

    traces = ("f", "ntk")

    def __init__(self, p: dict, rng: np.random.Generator):
        self.n = p["width"][0]
        self.x, self.y = p["x"], p["y"]
        self.n_params = 2 * self.n
        self.init_scale = p["init_scale"]

    def init(self, rng: np.random.Generator) -> np.ndarray:
        """u_i, v_i ~ N(0, s²)."""
        return rng.standard_normal(2 * self.n) * self.init_scale

    def observables(self, theta: np.ndarray) -> tuple[float, float]:
        return uv.observables(theta, self.x)

    def loss(self, theta: np.ndarray) -> float:
        f, _ = self.observables(theta)
        return 0.5 * (f - self.y) ** 2

    def loss_grad(self, theta: np.ndarray, grad: np.ndarray) -> float:
        return uv.loss_grad(theta, self.x, self.y, grad)[0]

    def train(self, theta, opt, lrs, hyper, buf1, buf2, t0, limit, rows: dict) -> int:
        return uv.train(
            theta,
            self.x,
            self.y,
            opt,
            lrs,
            *hyper,
            buf1,
            buf2,
            t0,
            limit,
            rows["loss"],
            rows["f"],
            rows["ntk"],
        )

    def hessian_eigenvalues(self, f: float, lam: float, k: int) -> np.ndarray:
        return uv_hessian_eigenvalues(f, lam, self.x, self.y, self.n, k)

    def bifurcation(
        self, f0: float, lam0: float, n_lr: int = 400, steps: int = 2000, keep: int = 64
    ) -> tuple[np.ndarray, np.ndarray]:
        """Late-time ηλ against η from (f0, λ0), for η spanning a = η|xy|/√n ∈ [0.2, 1.6]
        (the period-doubling route starts at a = 1)."""
        scale = np.sqrt(self.n) / abs(self.x * self.y) if self.y != 0 else np.sqrt(self.n)
        etas = np.linspace(0.2, 1.6, n_lr) * scale
        out = np.full((n_lr, keep), np.nan)
        uv.bifurcation(etas, f0, lam0, self.x, self.y, float(self.n), steps, keep, out)
        return etas, out
