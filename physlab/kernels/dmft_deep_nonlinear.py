"""Infinite-width (DMFT) dynamics of deep nonlinear networks by Monte Carlo over the fields.

Bordelon & Pehlevan, "Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural
Networks" (NeurIPS 2022), §4 and App. (algorithm for the nonlinear DMFT), as implemented in the
authors' notebook ``deep_nonlinear_DMFT.ipynb`` (``DMFT_Theory_Cross_Term``). In discrete time,
with c = ηγ0/P and strictly causal sums over s < t, the single-site fields of layer ℓ are
    h^ℓ_t = u^ℓ_t + Σ_s [A^{ℓ−1}(t,s) + c Φ^{ℓ−1}(t,s) Δ_s] g^ℓ_s,   u^ℓ ~ GP(0, Φ^{ℓ−1}),
    z^ℓ_t = r^ℓ_t + Σ_s [B^ℓ(t,s)   + c G^{ℓ+1}(t,s) Δ_s] φ(h^ℓ_s),  r^ℓ ~ GP(0, G^{ℓ+1}),
with g^ℓ = φ'(h^ℓ) z^ℓ, Φ⁰ = K_x and u¹ = h¹(0) constant in time, G^{L+1} = 1 and r^L = w(0) a
constant scalar (products over the sample index μ are implied: every kernel is (T·P)×(T·P)). The
kernels close the loop, Φ^ℓ = ⟨φ(h^ℓ)φ(h^ℓ)ᵀ⟩ and G^ℓ = ⟨g^ℓ g^ℓᵀ⟩, and so do the response
functions A^ℓ = ⟨∂φ(h^ℓ)/∂r^ℓ⟩ and B^{ℓ−1} = ⟨∂g^ℓ/∂u^ℓ⟩, which carry the correlation between a
layer's forward and backward fields that the shared weight matrix creates.

Differences from the notebook, all in how the same equations are evaluated:
- The fields are marched forward in time (every coupling is strictly causal), exactly, instead of
  the notebook's inner fixed-point sweeps over all times; the response Jacobians likewise, by
  forward substitution, from the first ``JACOBIAN_SAMPLES`` samples (their mean is unbiased; for
  linear networks every sample's Jacobian is the same).
- The residual is the network's own output f_t = ⟨z^L_t φ(h^L_t)⟩/γ0, Δ = y − f, with the readout
  noise in antithetic pairs (±w, the rest shared) so that f(0) = 0 exactly, as in the two-layer
  particle theory. This is the exact GD step; the notebook's Δ ← Δ − (η/P)KΔ drops its O(η²γ0²)
  curvature.
- The same standard normals are reused in every iteration, so the iteration is a deterministic
  map, iterated to a fixed point (tolerance ``tol`` on Δ) instead of a fixed number of mixed,
  resampled sweeps, and marched forward in windows of time (a sweep over a long horizon
  diverges, as Picard iteration of a causal equation does before it converges). The Monte Carlo
  error is O(S^{-1/2}) for S samples, like a network of width S, without its O(1/S) bias.
- The Jacobians cost O((T·P)³) per sample, so the solution is limited to T·P ≤ ``MAX_TP``.
- For ReLU, φ'' = δ(h) is a distribution that per-sample Jacobians miss (⟨δ(h) z ∂h/∂u⟩ ≠ 0):
  the lab does not use this solver for ReLU (at depth 2, γ0 = η = 0.5 it is 21 % off wide
  networks in the NTK where their own scatter is 8 %); the notebook uses tanh and softplus.
"""

from __future__ import annotations

import numpy as np

from .activations import activate
from .init_kernels import init_kernels

MAX_TP = 160  # time steps × samples solved (the response Jacobians cost JACOBIAN_SAMPLES·(TP)³)
JACOBIAN_SAMPLES = 128  # samples whose Jacobians estimate the response functions
WINDOW = 4  # steps added per marching window at first; halved (down to MIN_WINDOW) on failure
MIN_WINDOW = 2
MIXING = 0.5  # weight of the new residuals in each iteration (damps the cycles ReLU can make)
NOT_CONVERGED = (
    "the deep nonlinear DMFT iteration did not converge (features move too fast at this "
    "learning rate; try a smaller γ0 or η)"
)


def _sqrt(K: np.ndarray) -> np.ndarray:
    """The symmetric square root of a PSD matrix (a continuous function of K, so the fields
    ε K^{1/2} change smoothly from one iteration to the next)."""
    w, V = np.linalg.eigh(K)
    return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T


class _Layer:
    """One layer's fields over all samples and times, shaped (S, T·P)."""

    def __init__(self, S: int, T: int, P: int):
        self.h = np.empty((S, T * P))
        self.z = np.empty((S, T * P))
        self.phi = np.empty((S, T * P))
        self.g = np.empty((S, T * P))


def _march(layer: _Layer, u, r, MC, MD, activation: str, T: int, P: int) -> None:
    """Fields forward in time: h_t = u_t + MC[t, <t] g_<t, z_t = r_t + MD[t, <t] φ_<t."""
    S = layer.h.shape[0]
    phi_t, dphi_t = np.empty((S, P)), np.empty((S, P))
    for t in range(T):
        now, past = slice(t * P, (t + 1) * P), slice(0, t * P)
        h_t = u[:, now] + layer.g[:, past] @ MC[now, past].T
        layer.z[:, now] = r[:, now] + layer.phi[:, past] @ MD[now, past].T
        activate(h_t, activation, phi_t, dphi_t)
        layer.h[:, now] = h_t
        layer.phi[:, now] = phi_t
        layer.g[:, now] = dphi_t * layer.z[:, now]


class _Noise:
    """The standard normals of every layer for the whole run (common random numbers: the same in
    every iteration and every window, so the iteration is a deterministic map). Antithetic
    partners share every normal but the readout w(0), so f(0) = 0 exactly."""

    def __init__(self, Kx, depth, T, samples, rng):
        P, half = Kx.shape[0], samples // 2

        def pairs(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a, a])

        root_x = np.linalg.cholesky(Kx + 1e-12 * np.eye(P))
        self.u1 = pairs(rng.standard_normal((half, P))) @ root_x.T  # h¹(0), constant in time
        w = rng.standard_normal(half)
        self.w = np.concatenate([w, -w])  # r^L = w(0), constant in time
        self.eps_u = [None] + [pairs(rng.standard_normal((half, T * P))) for _ in range(depth - 1)]
        self.eps_r = [pairs(rng.standard_normal((half, T * P))) for _ in range(depth - 1)] + [None]


def _embed(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``new`` with its leading block (the earlier times) replaced by ``old``."""
    n = old.shape[0]
    new[:n, :n] = old
    return new


def _iterate(Kx, y, activation, gamma0, lr, noise, delta, state, max_iter, tol):
    """Fixed-point iteration on the first T = len(delta) steps from the guess ``delta`` and the
    kernels and responses ``state`` of a shorter window (or None); raises FloatingPointError if it
    does not converge."""
    T, P = delta.shape
    TP, L = T * P, len(noise.eps_r)
    S = len(noise.w)
    c = lr * gamma0 / P
    _, phi0, g0 = init_kernels(Kx, L, activation)
    Phi = [np.tile(p, (T, T)) for p in phi0]
    G = [np.tile(g, (T, T)) for g in g0]
    A = [np.zeros((TP, TP)) for _ in range(L - 1)]  # A^ℓ enters layer ℓ+1's h
    B = [np.zeros((TP, TP)) for _ in range(L - 1)]  # B^ℓ enters layer ℓ's z
    if state is not None:
        Phi, G, A, B = (
            [_embed(o, n) for o, n in zip(old, now)] for old, now in zip(state, (Phi, G, A, B))
        )
    Kx_t = np.tile(Kx, (T, T))
    ones = np.ones((TP, TP))
    causal = np.kron(np.tril(np.ones((T, T)), -1), np.ones((P, P)))  # blocks s < t
    u1 = np.tile(noise.u1, T)
    rL = np.repeat(noise.w[:, None], TP, axis=1)
    layers = [_Layer(S, T, P) for _ in range(L)]
    for iteration in range(1, max_iter + 1):
        d_col = delta.reshape(-1)[None, :]
        for ell, layer in enumerate(layers):
            below = Kx_t if ell == 0 else Phi[ell - 1]
            above = ones if ell == L - 1 else G[ell + 1]
            u = u1 if ell == 0 else noise.eps_u[ell][:, :TP] @ _sqrt(below)
            r = rL if ell == L - 1 else noise.eps_r[ell][:, :TP] @ _sqrt(above)
            MC = c * causal * below * d_col
            if ell > 0:
                MC += A[ell - 1]
            MD = c * causal * above * d_col
            if ell < L - 1:
                MD += B[ell]
            _march(layer, u, r, MC, MD, activation, T, P)
            Phi[ell] = layer.phi.T @ layer.phi / S
            G[ell] = layer.g.T @ layer.g / S
            if ell < L - 1:  # A^ℓ = ⟨∂φ(h^ℓ)/∂r^ℓ⟩
                A[ell] = _response(layer, MC, MD, activation, T, P, "r")
            if ell > 0:  # B^{ℓ−1} = ⟨∂g^ℓ/∂u^ℓ⟩
                B[ell - 1] = _response(layer, MC, MD, activation, T, P, "u")
        top = layers[-1]
        f = np.mean(top.z * top.phi, axis=0).reshape(T, P) / gamma0
        new_delta = y[None, :] - f
        change = float(np.max(np.abs(new_delta - delta)))
        delta = MIXING * new_delta + (1.0 - MIXING) * delta
        if not np.isfinite(change):
            break
        if change < tol:
            return new_delta, (Phi, G, A, B), iteration
    raise FloatingPointError(NOT_CONVERGED)


def _derivatives(h: np.ndarray, activation: str):
    """φ'(h) and φ''(h) (zero for linear and ReLU, −2 tanh·(1 − tanh²) for tanh)."""
    if activation == "linear":
        return np.ones_like(h), np.zeros_like(h)
    if activation == "relu":
        return (h > 0.0).astype(float), np.zeros_like(h)
    th = np.tanh(h)
    slope = 1.0 - th * th
    return slope, -2.0 * th * slope


def _response(layer, MC, MD, activation, T, P, wrt, batch=JACOBIAN_SAMPLES):
    """The sample mean of a per-sample Jacobian, as the notebook's ``solve_jacobians_batched``:
    ⟨∂φ(h)/∂r⟩ (``wrt="r"``) or ⟨∂g/∂u⟩ (``wrt="u"``). Linearising the fields,
        δh = δu + MC (a δh + b δz),  δz = δr + MD (b δh),  b = φ'(h), a = φ''(h) z,
    solved by forward substitution in time (MC, MD are strictly causal, so only directions at
    earlier times enter: the Jacobians are block lower-triangular)."""
    TP = layer.h.shape[1]
    h, z = layer.h[:batch], layer.z[:batch]
    b, curvature = _derivatives(h, activation)
    a = curvature * z if activation == "tanh" else None
    n = len(h)
    Jh, Jz = np.zeros((n, TP, TP)), np.zeros((n, TP, TP))
    (Jz if wrt == "r" else Jh)[:, np.arange(TP), np.arange(TP)] = 1.0
    for t in range(1, T):
        now, past = slice(t * P, (t + 1) * P), slice(0, t * P)
        X = b[:, past, None] * Jh[:, past, past]
        Y = b[:, past, None] * Jz[:, past, past]
        if a is not None:
            Y += a[:, past, None] * Jh[:, past, past]
        Jh[:, now, past] = MC[now, past] @ Y
        Jz[:, now, past] = MD[now, past] @ X
    if wrt == "r":
        out = np.einsum("nt,nts->ts", b, Jh)
    else:
        out = np.einsum("nt,nts->ts", b, Jz)
        if a is not None:
            out += np.einsum("nt,nts->ts", a, Jh)
    out /= n
    out *= np.kron(np.tril(np.ones((T, T)), -1), np.ones((P, P)))
    return out


def solve_deep_nonlinear(
    Kx: np.ndarray,
    y: np.ndarray,
    depth: int,
    activation: str,
    gamma0: float,
    lr: float,
    steps: int,
    samples: int,
    rng: np.random.Generator,
    max_iter: int = 100,
):
    """Solve the DMFT of a depth-L network for steps t = 0..``steps`` with ``samples`` S (even)
    Monte Carlo samples of the single-site fields.

    The equations are causal, so the solution is marched forward in windows, each started from
    the previous window's solution continued with its last NTK (only the new steps are unknown);
    a window that does not converge is retried at half the length, down to ``MIN_WINDOW``.

    Returns ``(delta, ntk, Phi_diag, G_diag, iterations)``: residuals (T×P), NTK (T×P×P), per layer
    the equal-time blocks Φ^ℓ(t,t) and G^ℓ(t,t) (T×P×P each), and the total iterations.
    """
    T, P = steps + 1, len(y)
    if T * P > MAX_TP:
        raise ValueError(f"T·P = {T * P} exceeds {MAX_TP}")
    if samples < 2 or samples % 2:
        raise ValueError(f"samples must be even and ≥ 2, got {samples}")
    noise = _Noise(Kx, depth, T, samples, rng)
    # a ReLU sample crossing h = 0 flips its g, so the map is only piecewise smooth and can end
    # in small cycles: converge to a tenth of the Monte Carlo error O(S^{-1/2})
    tol = 0.1 / np.sqrt(samples)
    ntk, _, _ = init_kernels(Kx, depth, activation)
    delta, state = y[None, :].copy(), None
    total, grow = 0, WINDOW
    while len(delta) < T:
        end = min(len(delta) + grow, T)
        guess = [delta[-1]]
        for _ in range(end - len(delta)):
            guess.append(guess[-1] - lr / P * ntk @ guess[-1])
        try:
            new_delta, new_state, iterations = _iterate(
                Kx,
                y,
                activation,
                gamma0,
                lr,
                noise,
                np.concatenate([delta, guess[1:]]),
                state,
                max_iter,
                tol,
            )
        except FloatingPointError:
            if grow <= MIN_WINDOW:
                raise
            grow //= 2
            continue
        delta, state = new_delta, new_state
        ntk = _equal_time(Kx, state[0], state[1], len(delta), P)[0][-1]
        total += iterations
        grow = min(2 * grow, WINDOW)
    return (delta, *_equal_time(Kx, state[0], state[1], T, P), total)


def _equal_time(Kx, Phi, G, T, P):
    """NTK(t) = G¹⊙K_x + Σ_ℓ G^{ℓ+1}⊙Φ^ℓ + Φ^L and the equal-time blocks of Φ^ℓ, G^ℓ."""
    idx = np.arange(T)
    phi = [p.reshape(T, P, T, P)[idx, :, idx, :] for p in Phi]
    g = [q.reshape(T, P, T, P)[idx, :, idx, :] for q in G]
    ntk = g[0] * Kx + phi[-1]
    for ell in range(len(Phi) - 1):
        ntk = ntk + g[ell + 1] * phi[ell]
    return ntk, phi, g


class DeepNonlinearDMFT:
    """The deep nonlinear solution served step by step like the stepped theories; its label
    carries the Monte Carlo sample count."""

    def __init__(self, Kx, y, depth, activation, gamma0, lr, steps, samples, rng):
        self.label = f"DMFT, {samples:,} Monte Carlo samples (depth-{depth} {activation})"
        self.delta_all, self.ntk_all, self.phi_all, self.g_all, self.iterations = (
            solve_deep_nonlinear(Kx, y, depth, activation, gamma0, lr, steps, samples, rng)
        )
        self.t = 0
        self._update()

    def _update(self) -> None:
        t = self.t
        self.delta = self.delta_all[t]
        self.kernels = (self.ntk_all[t], [p[t] for p in self.phi_all], [g[t] for g in self.g_all])

    def step(self) -> None:
        self.t += 1
        self._update()
