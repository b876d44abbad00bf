"""The two model families of the Sharpness lab behind one small interface.

Both hold their data and architecture, draw initial parameters θ from the run's generator, and
offer ``loss``, ``loss_grad``, ``hvp`` and ``train`` (a chunk of optimiser steps in numba).
"""

from __future__ import annotations

import numpy as np

from . import mlp, mlp_blas, uv
from .data import make_dataset
from .hessian import MAX_ITER, TOL, Ritz, lanczos_mlp, lanczos_top
from .init import init_weights
from .losses import LOSSES
from .minibatch import train_batches, train_batches_blas
from .theory import uv_hessian_eigenvalues

BLAS_WORK = 1_000_000  # samples × parameters from which the batched BLAS kernels are faster


class MLPModel:
    """A fully connected network on a data set: the per-sample numba kernels of
    :mod:`physlab.sharpness.mlp` for small gradients (whole training chunks run inside one kernel
    call), the batched BLAS ones of :mod:`physlab.sharpness.mlp_blas` from ``BLAS_WORK`` on.

    The loss it trains and measures is ``loss_scale``·L, with L of :mod:`.mlp` (the mean over
    samples): ``loss_norm`` = class divides by the k outputs as well (the per-class mean of Kalra
    & Barkeshli 2023, whose sharpness is ours/k). With ``init`` = he the network has no biases:
    ``mask`` zeroes their entries of every gradient and Hessian-vector product."""

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
        self.init_law = p["init"]
        self.loss_scale = 1.0 / self.Y.shape[1] if p["loss_norm"] == "class" else 1.0
        self.mask: np.ndarray | None = None  # set by init(): 0 on absent biases
        self.kernels = self._kernels_for(self.X.shape[0])
        self.batched = self.kernels is mlp_blas

    def _kernels_for(self, n: int):
        # float32 runs on the BLAS kernels (the per-sample ones are float64 code)
        if n * self.n_params >= BLAS_WORK or self.dtype != np.float64:
            return mlp_blas
        return mlp

    @property
    def plain(self) -> bool:
        """Whether the loss is the kernels' own (no per-class normalisation, every entry of θ
        trains): then full-batch training runs the kernels' own loop, as before these options."""
        return self.mask is None and self.loss_scale == 1.0

    def _project(self, out: np.ndarray) -> np.ndarray:
        """A gradient or Hessian-vector product of L made one of loss_scale·L over the trained
        entries (in place)."""
        if self.loss_scale != 1.0:
            out *= self.loss_scale
        if self.mask is not None:
            out *= self.mask
        return out

    @property
    def _arch(self):
        return self.sizes, self.w_off, self.b_off, self.mult, self.act, self.loss_kind

    def init(self, rng: np.random.Generator) -> np.ndarray:
        """θ drawn by the ``init`` law of :mod:`.init` (default: W_l ~ N(0, s²/fan_in), biases 0),
        in float64, then stored in ``dtype``."""
        theta, self.mask = init_weights(
            self.init_law, self.sizes, self.w_off, self.b_off, self.n_params, self.init_scale, rng
        )
        return theta.astype(self.dtype, copy=False)

    @property
    def n_trained(self) -> int:
        """How many entries of θ train (all but absent biases)."""
        return self.n_params if self.mask is None else int(self.mask.sum())

    def loss(self, theta: np.ndarray) -> float:
        theta = theta.astype(self.dtype, copy=False)
        return self.loss_scale * self.kernels.loss(theta, self.X, self.Y, *self._arch)

    def loss_grad(self, theta: np.ndarray, grad: np.ndarray) -> float:
        value = self.kernels.loss_grad(theta, self.X, self.Y, *self._arch, grad)
        self._project(grad)
        return self.loss_scale * value

    def test_loss(self, theta: np.ndarray) -> float:
        """The loss on the held-out set (NaN without one)."""
        if self.X_test is None:
            return np.nan
        return self.loss_scale * self.kernels.loss(theta, self.X_test, self.Y_test, *self._arch)

    def hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """H v of the trained loss (v is taken on the trained entries)."""
        out = np.empty_like(theta)
        v = v if self.mask is None else v * self.mask
        self.kernels.hvp(theta, v.astype(self.dtype, copy=False), self.X, self.Y, *self._arch, out)
        return self._project(out)

    def grad_on(self, theta: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """∇L_B(θ) of the batch ``rows``."""
        grad = np.empty_like(theta)
        X, Y = self.X[rows], self.Y[rows]
        self._kernels_for(len(rows)).loss_grad(theta, X, Y, *self._arch, grad)
        return self._project(grad)

    def hvp_on(self, theta: np.ndarray, v: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """H_B v of the batch ``rows`` (v on the trained entries)."""
        out = np.empty_like(theta)
        v = v if self.mask is None else v * self.mask
        X, Y = self.X[rows], self.Y[rows]
        self._kernels_for(len(rows)).hvp(theta, v, X, Y, *self._arch, out)
        return self._project(out)

    def train(self, theta, opt, lrs, hyper, buf1, buf2, t0, limit, rows: dict, batches=None) -> int:
        """``len(lrs)`` steps; ``batches`` (steps × b indices) for minibatches, None for the
        full batch."""
        if batches is not None or not self.plain:
            full = batches is None
            batches = np.empty((len(lrs), 0), dtype=np.int64) if full else batches
            n = self.X.shape[0] if full else batches.shape[1]
            loop = train_batches_blas if self._kernels_for(n) is mlp_blas else train_batches
            mask = np.ones_like(theta) if self.mask is None else self.mask
            return loop(
                theta,
                self.X,
                self.Y,
                *self._arch,
                batches,
                self.loss_scale,
                mask,
                opt,
                lrs,
                *hyper,
                buf1,
                buf2,
                t0,
                limit,
                rows["loss"],
            )
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
        HVP for wide networks. H is the Hessian of the trained loss (:meth:`hvp`)."""
        if self.mask is not None:
            v0 = v0 * self.mask  # the Krylov space of the trained entries
        if self.batched:  # self.hvp is already that of the trained loss
            if scale is None:
                return lanczos_top(lambda v: self.hvp(theta, v), v0, k=k)
            return lanczos_top(lambda v: scale * self.hvp(theta, scale * v), v0, k=k)
        # the numba Lanczos runs the kernels' HVP of L: D = √loss_scale·mask·scale makes D H D
        # that of the trained loss
        d = np.ones_like(theta) if scale is None else scale.copy()
        if not self.plain:
            d *= np.sqrt(self.loss_scale)
            if self.mask is not None:
                d *= self.mask
        values, top = np.empty(k), np.empty_like(theta)
        iterations = lanczos_mlp(
            theta,
            self.X,
            self.Y,
            *self._arch,
            d,
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
        """Late-time ηλ against η from (f0, λ0), for η from η_max/8 to η_max, where η_max is the
        smaller of a = η|xy|/√n = 1.6 (the period-doubling route to chaos starts at a = 1: Kalra,
        He & Barkeshli 2023) and ηλ0 = 4.4 (a wide model catapults for 2 < ηλ0 < 4 and diverges
        beyond: Lewkowycz et al. 2020). A narrow model shows the route to chaos, a wide one the
        lazy, catapult and divergent phases; with a = 1.6 alone, a wide model's whole range
        diverged."""
        scale = np.sqrt(self.n) / abs(self.x * self.y) if self.y != 0 else np.sqrt(self.n)
        eta_max = min(1.6 * scale, 4.4 / lam0) if lam0 > 0 else 1.6 * scale
        etas = np.linspace(eta_max / 8, eta_max, n_lr)
        out = np.full((n_lr, keep), np.nan)
        uv.bifurcation(etas, f0, lam0, self.x, self.y, float(self.n), steps, keep, out)
        return etas, out
