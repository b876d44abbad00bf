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

The response functions, by Stein's lemma (Novikov's theorem). The notebook averages per-sample
Jacobians (``solve_jacobians_batched``), which needs φ'' and misses ReLU's φ'' = δ(h): a field
that crosses h = 0 changes g = φ'(h)z by a jump no derivative of a sample sees (at depth 2,
γ0 = η = 0.5 that put Φ² 12 % and the NTK 9 % off two N = 3000 networks whose own scatter is
8 %; the notebook itself runs tanh and softplus). For a Gaussian r = L ε, ε ~ N(0, I)
independent of u, and any F,
    ⟨F(r) εᵀ⟩ = ⟨∂F/∂r⟩ L,   so   A^ℓ = ⟨φ(h^ℓ) ε_rᵀ⟩ L_G⁻¹,   B^{ℓ−1} = ⟨g^ℓ ε_uᵀ⟩ L_Φ⁻¹,
exact in expectation for every activation, jumps included (it differentiates the average, not
the samples), at O(S·(TP)²) instead of O(S·(TP)³). L is the Cholesky factor in time order, so
ε_k is the innovation of the field at (time, sample) k: φ(h_t) depends on ε only through times
before t, so ⟨φ_t ε_kᵀ⟩ is zeroed for k ≥ t exactly and A, B stay strictly causal. The
covariances are nearly rank-deficient early on (u¹ and r^L are constant in time and hidden
kernels move by O(c) a step); an innovation whose variance is below ``PIVOT_FLOOR`` of the mean is
predictable from the past and its column is dropped: the fields the response multiplies have no
component there. The estimator's variance is reduced by exact antithetic quadruples
(u, r), (u, −r), (−u, r), (−u, −r) sharing all other normals: the leading part φ(u) of φ is
even in r and the leading part φ'(u) r of g is odd in r, so these large parts, which do not
respond, cancel exactly from ⟨φ ε_rᵀ⟩ and ⟨g ε_uᵀ⟩. The base normals of each field are
whitened (Gram–Schmidt in time order, which keeps the leading times' normals unchanged as the
horizon grows), which makes the estimator the least-squares regression of φ on the innovations
and exact for linear networks.

Differences from the notebook, all in how the same equations are evaluated:
- The fields are marched forward in time (every coupling is strictly causal), exactly, instead of
  the notebook's inner fixed-point sweeps over all times.
- The residual is the network's own output f_t = ⟨z^L_t φ(h^L_t)⟩/γ0, Δ = y − f, with the readout
  in antithetic pairs (±w, the rest shared) so that f(0) = 0 exactly, as in the two-layer
  particle theory. This is the exact GD step; the notebook's Δ ← Δ − (η/P)KΔ drops its O(η²γ0²)
  curvature.
- The same standard normals are reused in every iteration, so the iteration is a deterministic
  map, iterated to a fixed point (tolerance ``tol`` on Δ) instead of a fixed number of mixed,
  resampled sweeps, and marched forward in windows of time (a sweep over a long horizon
  diverges, as Picard iteration of a causal equation does before it converges). The Monte Carlo
  error is O(S^{-1/2}) for S samples, like a network of width S, without its O(1/S) bias.
- Each window keeps the fields of the earlier times (every coupling is causal, and so are the
  Cholesky factors), so its iterations cost O(S·TP·(window·P)) for the fields and kernels plus
  O((TP)³) for the factors. The whitening needs S/4 ≥ T·P samples, so the solution is limited to
  T·P ≤ ``MAX_TP`` and T·P ≤ S/4.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from .activations import activate
from .init_kernels import init_kernels

MAX_TP = 400  # time steps × samples solved (a window's iteration costs O(S·TP·(window·P)))
WINDOW = 4  # steps added per marching window at first; halved (down to MIN_WINDOW) on failure
MIN_WINDOW = 2
MIXING = 0.5  # weight of the new residuals in each iteration (damps the cycles ReLU can make)
PIVOT_FLOOR = 1e-9  # innovation variance (relative to the mean) below which a field is predictable
JITTER = 1e-12  # relative diagonal shift that makes a PSD kernel's Cholesky factor exist
NOT_CONVERGED = (
    "the deep nonlinear DMFT iteration did not converge (features move too fast at this "
    "learning rate; try a smaller γ0 or η)"
)


def _cholesky(K: np.ndarray, P: int) -> np.ndarray:
    """The lower Cholesky factor of a PSD kernel, shifted by the smallest jitter relative to its
    first time block that makes it exist (rounding can leave a nearly singular kernel slightly
    indefinite; the first block, not the whole, sets the scale so that the leading times' factor
    does not change as the horizon grows)."""
    scale = max(float(np.mean(np.diag(K)[:P])), 1e-300)
    jitter = JITTER
    while True:
        try:
            return np.linalg.cholesky(K + jitter * scale * np.eye(len(K)))
        except np.linalg.LinAlgError:
            if jitter > 1e-4:
                raise FloatingPointError(NOT_CONVERGED) from None
            jitter *= 100.0


def _stein(F: np.ndarray, eps: np.ndarray, chol: np.ndarray, causal: np.ndarray) -> np.ndarray:
    """⟨∂F/∂r⟩ for fields r = ε Lᵀ (rows are samples; F holds some times, ``causal`` their rows
    of the causal mask): ⟨F εᵀ⟩ L⁻¹ with ⟨F_t ε_k⟩ = 0 for the innovations k at times ≥ t and for
    the predictable ones (pivots below the floor)."""
    M = F.T @ eps / len(F)
    M *= causal
    pivots = np.diag(chol) ** 2
    M[:, pivots < PIVOT_FLOOR * np.mean(pivots)] = 0.0
    return np.linalg.solve(chol.T, M.T).T


def _whiten(base: np.ndarray) -> np.ndarray:
    """``base`` (n × m, n ≥ m) made exactly white, ⟨εεᵀ⟩ = I over its rows, by Gram–Schmidt in
    column (time) order, so that its leading columns do not depend on the later ones."""
    n = base.shape[0]
    q, r = np.linalg.qr(base)
    return q * (np.sign(np.diag(r)) * np.sqrt(n))


class _Layer:
    """One layer's fields over all samples and times, shaped (S, T·P)."""

    def __init__(self, S: int, T: int, P: int):
        self.h = np.empty((S, T * P))
        self.z = np.empty((S, T * P))
        self.phi = np.empty((S, T * P))
        self.g = np.empty((S, T * P))


def _march(layer: _Layer, u, r, MC, MD, activation: str, t0: int, T: int, P: int) -> None:
    """Fields forward in time from step t0 (the earlier ones are kept):
    h_t = u_t + MC[t, <t] g_<t, z_t = r_t + MD[t, <t] φ_<t."""
    S = layer.h.shape[0]
    phi_t, dphi_t = np.empty((S, P)), np.empty((S, P))
    for t in range(t0, T):
        now, past = slice(t * P, (t + 1) * P), slice(0, t * P)
        h_t = u[:, now] + layer.g[:, past] @ MC[now, past].T
        layer.z[:, now] = r[:, now] + layer.phi[:, past] @ MD[now, past].T
        activate(h_t, activation, phi_t, dphi_t)
        layer.h[:, now] = h_t
        layer.phi[:, now] = phi_t
        layer.g[:, now] = dphi_t * layer.z[:, now]


class _Noise:
    """The standard normals of every layer for the whole run (common random numbers: the same in
    every iteration and every window, so the iteration is a deterministic map), whitened, in
    antithetic quadruples (u, r), (u, −r), (−u, r), (−u, −r) per layer: f(0) = 0 exactly
    (r^L = ±w), and the Stein averages cancel the parts of φ and g that do not respond."""

    def __init__(self, Kx, depth, T, samples, rng):
        P, n = Kx.shape[0], samples // 4

        def flip_u(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a, a, -a, -a])

        def flip_r(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a, -a, a, -a])

        def white(m: int) -> np.ndarray:
            return _whiten(rng.standard_normal((n, m)))

        self.u1 = flip_u(white(P)) @ np.linalg.cholesky(Kx + 1e-12 * np.eye(P)).T  # h¹(0)
        self.w = flip_r(white(1))[:, 0]  # r^L = w(0), constant in time
        self.eps_u = [None] + [flip_u(white(T * P)) for _ in range(depth - 1)]
        self.eps_r = [flip_r(white(T * P)) for _ in range(depth - 1)] + [None]


def _update(K: np.ndarray, fields: np.ndarray, new: slice) -> float:
    """Refresh the rows and columns ``new`` of the kernel K = ⟨F Fᵀ⟩ in place; returns how far
    they moved relative to the largest entry (the responses follow the kernels, so the iteration
    stops only when both Δ and the kernels settle)."""
    cross = fields.T @ fields[:, new] / len(fields)
    moved = float(np.max(np.abs(cross - K[:, new])) / max(np.max(np.abs(cross)), 1e-300))
    K[:, new] = cross
    K[new, :] = cross.T
    return moved


def _embed(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``new`` with its leading block (the earlier times) replaced by ``old``."""
    n = old.shape[0]
    new[:n, :n] = old
    return new


def _extend(old: np.ndarray, T: int, P: int) -> np.ndarray:
    """A two-time kernel continued to T steps by holding its last time (E K Eᵀ with E repeating
    the last block: still PSD, so its Cholesky factor exists)."""
    t = np.minimum(np.arange(T), old.shape[0] // P - 1)
    idx = (t[:, None] * P + np.arange(P)).reshape(-1)
    return old[np.ix_(idx, idx)]


def _iterate(Kx, y, activation, gamma0, lr, noise, layers, delta, state, max_iter, tol):
    """Fixed-point iteration on the steps t0..T−1 of ``delta`` (T steps, its guess), where t0 is
    the length of the converged shorter window ``state`` (its kernels and responses; or None,
    t0 = 0) whose fields ``layers`` keeps: every coupling is causal and the leading block of a
    Cholesky factor is the factor of the leading block, so the earlier times do not change.
    Iterates until Δ and every kernel change by less than ``tol``; raises FloatingPointError if
    it does not converge."""
    T, P = delta.shape
    TP, L = T * P, len(noise.eps_r)
    S = len(noise.w)
    t0 = 0 if state is None else state[0][0].shape[0] // P
    new = slice(t0 * P, TP)
    c = lr * gamma0 / P
    _, phi0, g0 = init_kernels(Kx, L, activation)
    Phi = [np.tile(p, (T, T)) for p in phi0]
    G = [np.tile(g, (T, T)) for g in g0]
    A = [np.zeros((TP, TP)) for _ in range(L - 1)]  # A^ℓ enters layer ℓ+1's h
    B = [np.zeros((TP, TP)) for _ in range(L - 1)]  # B^ℓ enters layer ℓ's z
    if state is not None:
        Phi, G = ([_extend(o, T, P) for o in old] for old in state[:2])
        A, B = ([_embed(o, n) for o, n in zip(old, now)] for old, now in zip(state[2:], (A, B)))
    Kx_t = np.tile(Kx, (T, T))
    ones = np.ones((TP, TP))
    causal = np.kron(np.tril(np.ones((T, T)), -1), np.ones((P, P)))  # blocks s < t
    u1 = np.tile(noise.u1, T)
    rL = np.repeat(noise.w[:, None], TP, axis=1)
    u, r = np.zeros((S, TP)), np.zeros((S, TP))
    for iteration in range(1, max_iter + 1):
        d_col = delta.reshape(-1)[None, :]
        moved = 0.0
        for ell, layer in enumerate(layers):
            below = Kx_t if ell == 0 else Phi[ell - 1]
            above = ones if ell == L - 1 else G[ell + 1]
            if ell > 0:
                chol_u = _cholesky(below, P)
                eps_u = noise.eps_u[ell][:, :TP]
                u[:, new] = eps_u @ chol_u[new].T
            if ell < L - 1:
                chol_r = _cholesky(above, P)
                eps_r = noise.eps_r[ell][:, :TP]
                r[:, new] = eps_r @ chol_r[new].T
            MC = c * causal * below * d_col
            if ell > 0:
                MC += A[ell - 1]
            MD = c * causal * above * d_col
            if ell < L - 1:
                MD += B[ell]
            _march(
                layer,
                u1 if ell == 0 else u,
                rL if ell == L - 1 else r,
                MC,
                MD,
                activation,
                t0,
                T,
                P,
            )
            phi, g = layer.phi[:, :TP], layer.g[:, :TP]
            moved = max(moved, _update(Phi[ell], phi, new), _update(G[ell], g, new))
            if ell < L - 1:  # A^ℓ = ⟨∂φ(h^ℓ)/∂r^ℓ⟩
                A[ell][new] = _stein(phi[:, new], eps_r, chol_r, causal[new])
            if ell > 0:  # B^{ℓ−1} = ⟨∂g^ℓ/∂u^ℓ⟩
                B[ell - 1][new] = _stein(g[:, new], eps_u, chol_u, causal[new])
        top = layers[-1]
        f = np.mean(top.z[:, :TP] * top.phi[:, :TP], axis=0).reshape(T, P) / gamma0
        new_delta = y[None, :] - f
        change = max(float(np.max(np.abs(new_delta - delta))), moved)
        delta = MIXING * new_delta + (1.0 - MIXING) * delta
        if not np.isfinite(change):
            break
        if change < tol:
            return new_delta, (Phi, G, A, B), iteration
    raise FloatingPointError(NOT_CONVERGED)


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
    """Solve the DMFT of a depth-L network for steps t = 0..``steps`` with ``samples`` S (a multiple
    of 4, at least 4·T·P) Monte Carlo samples of the single-site fields.

    The equations are causal, so the solution is marched forward in windows, each started from
    the previous window's solution continued with its last NTK (only the new steps are unknown,
    the fields of the earlier ones are kept);
    a window that does not converge is retried at half the length, down to ``MIN_WINDOW``.

    Returns ``(delta, ntk, Phi_diag, G_diag, iterations)``: residuals (T×P), NTK (T×P×P), per layer
    the equal-time blocks Φ^ℓ(t,t) and G^ℓ(t,t) (T×P×P each), and the total iterations.
    """
    T, P = steps + 1, len(y)
    if T * P > MAX_TP:
        raise ValueError(f"T·P = {T * P} exceeds {MAX_TP}")
    if samples % 4 or samples < 4 * T * P:
        raise ValueError(
            f"samples must be a multiple of 4 and ≥ 4·T·P = {4 * T * P}, got {samples}"
        )
    # the products are small (S × T·P), and BLAS threads only contend for the cores on them (a
    # depth-2 solve, S = 2000, T·P = 128, took 25 s with threads on a loaded 2-core machine, 2 s
    # on one)
    with threadpool_limits(1):
        return _solve(Kx, y, depth, activation, gamma0, lr, T, samples, rng, max_iter)


def _solve(Kx, y, depth, activation, gamma0, lr, T, samples, rng, max_iter):
    P = len(y)
    noise = _Noise(Kx, depth, T, samples, rng)
    layers = [_Layer(samples, T, P) for _ in range(depth)]
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
                layers,
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
