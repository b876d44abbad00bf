"""Hessian-vector products of the per-sample network at one fixed θ, for Lanczos.

Every product H v of a Lanczos run is taken at the same θ, and most of what the R-operator pass
(Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 1994) computes does
not depend on v: the forward pass Z_l, H_l = φ(Z_l), the loss's deltas D_l = ∂L/∂Z_l, φ'(Z_l) and
(m_l W_lᵀ D_{l+1}) ⊙ φ''(Z_l). :func:`prepare` computes them once, with the expressions of
:func:`physlab.sharpness.mlp.hvp`; :func:`hvp` then runs only the parts along v,

    R{Z_{l+1}} = m_l (V_l H_l + W_l R{H_l}) + v_b,   R{H_l} = φ'(Z_l) ⊙ R{Z_l},
    R{∇W_l} = m_l (R{D_{l+1}} H_lᵀ + D_{l+1} R{H_l}ᵀ),
    R{D_l} = φ'(Z_l) ⊙ m_l (V_lᵀ D_{l+1} + W_lᵀ R{D_{l+1}}) + (m_l W_lᵀ D_{l+1}) ⊙ φ''(Z_l) ⊙ R{Z_l},

so each product is bitwise the one :func:`~physlab.sharpness.mlp.hvp` returns, for about two
thirds of its arithmetic and no activation function calls.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT

from .losses import output_layer
from .mlp import SERIAL_WORK, _dact, _ddact, forward, output, tile_starts, weight_sums

D1, CURV = 6, 7  # cache slots after mlp's Z, H, RZ, RH, D, RD: φ'(Z) and (m Wᵀ D) ⊙ φ''(Z)


@njit(**JIT)
def cache(sizes, n_samples):
    """(bounds, first, C, S): the block and tile boundaries of :func:`mlp.tile_starts`, the
    feature-major cache of every tile (tile, slot, layer, unit, sample) and its sample-major
    copies of H and R{H} (tile, 2, layer, sample, unit)."""
    bounds, first = tile_starts(n_samples)
    n_tiles = first.size - 1
    longest = 0
    for t in range(n_tiles):
        longest = max(longest, bounds[first[t + 1]] - bounds[first[t]])
    depth, width = sizes.size, sizes.max()
    C = np.empty((n_tiles, 8, depth, width, longest))
    S = np.empty((n_tiles, 2, depth, longest, width))
    return bounds, first, C, S


def _prepare_impl(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S):
    n, d_out = Y.shape
    n_layers = sizes.size - 1
    losses = np.zeros(bounds.size - 1)
    for t in prange(first.size - 1):
        F = C[t]
        b0 = first[t]
        s0 = bounds[b0]
        T = bounds[first[t + 1]] - s0
        io = np.zeros((5, d_out))
        forward(theta, theta, X, s0, T, sizes, w_off, b_off, mult, act, F, S[t], False)
        output(Y, s0, T, bounds, b0, n, n_layers, d_out, loss_kind, F, losses, io)
        Z, H, D = F[0], F[1], F[4]
        for l in range(n_layers - 1, 0, -1):
            d_in, d_outl = sizes[l], sizes[l + 1]
            m = mult[l]
            G = D[l]
            for j in range(d_in):
                for s in range(T):
                    G[j, s] = 0.0
            for i in range(d_outl):
                base = w_off[l] + i * d_in
                di = D[l + 1, i]
                for j in range(d_in):
                    mw = m * theta[base + j]
                    g = G[j]
                    for s in range(T):
                        g[s] += mw * di[s]
            for j in range(d_in):
                z, h, g, d1, curv = Z[l, j], H[l, j], G[j], F[D1, l, j], F[CURV, l, j]
                for s in range(T):
                    d1[s] = _dact(z[s], h[s], act)
                    curv[s] = g[s] * _ddact(z[s], h[s], act)
                    g[s] *= d1[s]


def _hvp_impl(
    theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S, out, serial
):
    n, d_out = Y.shape
    n_layers = sizes.size - 1
    blocks = bounds.size - 1
    n_tiles = first.size - 1
    direct = serial or n_tiles == 1
    target = np.zeros((1 if direct else blocks, out.size))
    for t in prange(n_tiles):
        F = C[t]
        St = S[t]
        b0, b1 = first[t], first[t + 1]
        s0 = bounds[b0]
        T = bounds[b1] - s0
        P = np.empty(max(sizes.max(), 8))
        io = np.zeros((5, d_out))
        H, RZ, RH, D, RD = F[1], F[2], F[3], F[4], F[5]
        for j in range(sizes[0]):
            for s in range(T):
                RH[0, j, s] = 0.0
        for l in range(n_layers):
            d_in, d_outl = sizes[l], sizes[l + 1]
            m = mult[l]
            hidden = l < n_layers - 1
            for i in range(d_outl):
                base = w_off[l] + i * d_in
                rz = RZ[l + 1, i]
                for s in range(T):
                    rz[s] = 0.0
                for j in range(d_in):
                    vw = v[base + j]
                    w = theta[base + j]
                    h = H[l, j]
                    rh = RH[l, j]
                    for s in range(T):
                        rz[s] += vw * h[s] + w * rh[s]
                vb = v[b_off[l] + i]
                rhout = RH[l + 1, i]
                d1 = F[D1, l + 1, i]
                for s in range(T):
                    r = m * rz[s] + vb
                    rz[s] = r
                    rhout[s] = d1[s] * r if hidden else r
        for l in range(n_layers):
            for s in range(T):
                for j in range(sizes[l]):
                    St[1, l, s, j] = RH[l, j, s]
        f, y, rf, d, rd = io[0], io[1], io[2], io[3], io[4]
        for s in range(T):
            for c in range(d_out):
                f[c] = H[n_layers, c, s]
                rf[c] = RH[n_layers, c, s]
                y[c] = Y[s0 + s, c]
            output_layer(0.0, f, y, rf, n, loss_kind, d, rd)
            for c in range(d_out):
                RD[n_layers, c, s] = rd[c]
        for l in range(n_layers - 1, -1, -1):
            weight_sums(
                T, sizes, w_off, b_off, mult, l, bounds, b0, b1, s0, F, St, P, target, direct, True
            )
            if l == 0:
                break
            d_in, d_outl = sizes[l], sizes[l + 1]
            m = mult[l]
            RG = RD[l]
            for j in range(d_in):
                for s in range(T):
                    RG[j, s] = 0.0
            for i in range(d_outl):
                base = w_off[l] + i * d_in
                di, rdi = D[l + 1, i], RD[l + 1, i]
                for j in range(d_in):
                    vw = v[base + j]
                    w = theta[base + j]
                    rg = RG[j]
                    for s in range(T):
                        rg[s] += m * (vw * di[s] + w * rdi[s])
            for j in range(d_in):
                rg, rz, d1, curv = RG[j], RZ[l, j], F[D1, l, j], F[CURV, l, j]
                for s in range(T):
                    rg[s] = rg[s] * d1[s] + curv[s] * rz[s]
    out[:] = 0.0
    for r in range(target.shape[0]):
        out += target[r]


_prepare_serial = njit(**JIT)(_prepare_impl)
_prepare_parallel = njit(parallel=True, **JIT)(_prepare_impl)
_hvp_serial = njit(**JIT)(_hvp_impl)
_hvp_parallel = njit(parallel=True, **JIT)(_hvp_impl)


@njit(**JIT)
def prepare(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S):
    """Fill the cache (:func:`cache`) with what H v at θ needs besides v."""
    if X.shape[0] * theta.size < SERIAL_WORK:
        _prepare_serial(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S)
    else:
        _prepare_parallel(
            theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S
        )


@njit(**JIT)
def hvp(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, bounds, first, C, S, out):
    """Write ∇²L(θ)·v into ``out`` from a cache that :func:`prepare` filled at this θ."""
    if X.shape[0] * theta.size < SERIAL_WORK:
        _hvp_serial(
            theta,
            v,
            X,
            Y,
            sizes,
            w_off,
            b_off,
            mult,
            act,
            loss_kind,
            bounds,
            first,
            C,
            S,
            out,
            True,
        )
    else:
        _hvp_parallel(
            theta,
            v,
            X,
            Y,
            sizes,
            w_off,
            b_off,
            mult,
            act,
            loss_kind,
            bounds,
            first,
            C,
            S,
            out,
            False,
        )
