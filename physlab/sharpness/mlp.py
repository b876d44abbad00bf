"""numba kernels for a fully connected network: loss, gradient and exact Hessian-vector products.

Architecture: ``sizes = [d_0, …, d_L]``; layer l maps h_l ↦ z_{l+1} = m_l·W_l h_l + b_l with
h_{l+1} = φ(z_{l+1}) for hidden layers and a linear output f = z_L. All weights and biases live in
one flat vector θ (layer by layer: W_l row-major, then b_l); ``w_off``/``b_off`` index into it and
``mult`` holds the per-layer multipliers m_l (1 for standard parameterisation).

Loss: L(θ) = (1/n) Σ_s ℓ(f(x_s), y_s) with ℓ = ½‖f − y‖² (half the mean squared error, as in Cohen
et al., "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability", ICLR 2021)
or the softmax cross-entropy (``loss_kind``, :mod:`.losses`).

Hessian-vector products use Pearlmutter's R-operator ("Fast exact multiplication by the Hessian",
Neural Computation 1994): a forward pass of R{·} = d/dr (·)(θ + r v) and the backward pass of its
derivative, which gives H v exactly (Gauss–Newton term plus the residual term) for the cost of about
two gradients.

Work is split over fixed blocks of samples (``n_blocks`` depends only on n, not on the thread count)
and reduced in a fixed order, so results are bitwise reproducible on any machine.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from physlab.core.numba_setup import JIT

from .losses import output_layer
from .optim import optimizer_step

LINEAR, TANH, RELU = 0, 1, 2
ACTIVATIONS = {"linear": LINEAR, "tanh": TANH, "relu": RELU}
MAX_BLOCKS = 16
SERIAL_WORK = 100_000  # samples × parameters below which a pass runs on one thread


@njit(**JIT)
def _act(z, act):
    if act == TANH:
        return np.tanh(z)
    if act == RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(**JIT)
def _dact(z, h, act):
    """φ'(z), given h = φ(z)."""
    if act == TANH:
        return 1.0 - h * h
    if act == RELU:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


@njit(**JIT)
def _ddact(z, h, act):
    """φ''(z), given h = φ(z) (zero for ReLU and linear)."""
    if act == TANH:
        return -2.0 * h * (1.0 - h * h)
    return 0.0


TILE = 64  # samples a tile of whole blocks holds at most (its activations stay in cache)


@njit(**JIT)
def tile_starts(n_samples):
    """Block boundaries (``blocks + 1`` of them) and the first block of each tile, for tiles of
    whole blocks with at most TILE samples (at least one block each)."""
    blocks = min(MAX_BLOCKS, n_samples)
    bounds = np.empty(blocks + 1, dtype=np.int64)
    for b in range(blocks + 1):
        bounds[b] = b * n_samples // blocks
    first = np.empty(blocks + 1, dtype=np.int64)
    count = 0
    b = 0
    while b < blocks:
        first[count] = b
        count += 1
        e = b + 1
        while e < blocks and bounds[e + 1] - bounds[b] <= TILE:
            e += 1
        b = e
    first[count] = blocks
    return bounds, first[: count + 1]


@njit(**JIT)
def workspace(sizes, samples):
    """Scratch of one tile (not zeroed: every entry is written before it is read): Z, H, RZ, RH,
    D, RD feature-major (layer, unit, sample), H and R{H} sample-major (layer, sample, unit) for
    the weight gradients, and one row of partial sums."""
    depth = sizes.size
    width = sizes.max()
    return (
        np.empty((6, depth, width, samples)),
        np.empty((2, depth, samples, width)),
        np.empty(max(width, 8)),
    )


@njit(**JIT)
def forward(theta, v, X, s0, T, sizes, w_off, b_off, mult, act, F, S, with_r):
    """Forward pass of the tile's T samples X[s0 : s0 + T], vectorised over samples; per sample
    and unit the sum runs over inputs in order, as a scalar loop would. Fills Z, H (and
    R{Z}, R{H} along ``v`` when ``with_r``) and the sample-major copies of H (and R{H})."""
    Z, H, RZ, RH = F[0], F[1], F[2], F[3]
    n_layers = sizes.size - 1
    for j in range(sizes[0]):
        for s in range(T):
            H[0, j, s] = X[s0 + s, j]
            RH[0, j, s] = 0.0
    for l in range(n_layers):
        d_in, d_out = sizes[l], sizes[l + 1]
        m = mult[l]
        hidden = l < n_layers - 1
        for i in range(d_out):
            base = w_off[l] + i * d_in
            z = Z[l + 1, i]
            for s in range(T):
                z[s] = 0.0
            for j in range(d_in):
                w = theta[base + j]
                h = H[l, j]
                for s in range(T):
                    z[s] += w * h[s]
            bias = theta[b_off[l] + i]
            hout = H[l + 1, i]
            for s in range(T):
                zs = m * z[s] + bias
                z[s] = zs
                hout[s] = _act(zs, act) if hidden else zs
            if with_r:
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
                for s in range(T):
                    r = m * rz[s] + vb
                    rz[s] = r
                    rhout[s] = _dact(z[s], hout[s], act) * r if hidden else r
    if not with_r:  # R{f} = 0 at the output: the loss's R-part is then 0 (and unused)
        for c in range(sizes[n_layers]):
            for s in range(T):
                RH[n_layers, c, s] = 0.0
    for l in range(n_layers):
        for s in range(T):
            for j in range(sizes[l]):
                S[0, l, s, j] = H[l, j, s]
                if with_r:
                    S[1, l, s, j] = RH[l, j, s]


@njit(**JIT)
def output(Y, s0, T, bounds, b0, n, n_layers, d_out, loss_kind, F, losses, io):
    """The loss of each sample, added to its block's sum in sample order, and D[L] = (∂ℓ/∂f)/n,
    R{D[L]} at the output."""
    H, RH, D, RD = F[1], F[3], F[4], F[5]
    f, y, rf, d, rd = io[0], io[1], io[2], io[3], io[4]
    b = b0
    for s in range(T):
        while s0 + s >= bounds[b + 1]:
            b += 1
        for c in range(d_out):
            f[c] = H[n_layers, c, s]
            rf[c] = RH[n_layers, c, s]
            y[c] = Y[s0 + s, c]
        losses[b] = output_layer(losses[b], f, y, rf, n, loss_kind, d, rd)
        for c in range(d_out):
            D[n_layers, c, s] = d[c]
            RD[n_layers, c, s] = rd[c]


@njit(**JIT)
def weight_sums(
    T, sizes, w_off, b_off, mult, l, bounds, b0, b1, s0, F, S, P, target, direct, with_r
):
    """Layer l's part of the gradient (or, when ``with_r``, of R{gradient} = H v) from the
    deltas D[l+1] (and R{D[l+1]}): for each block of b0 … b1 − 1 its sum over samples, in sample
    order from zero, added to ``target`` (row 0 when ``direct``, else the block's row)."""
    D, RD = F[4], F[5]
    d_in, d_out = sizes[l], sizes[l + 1]
    m = mult[l]
    for b in range(b0, b1):
        row = 0 if direct else b
        lo, hi = bounds[b] - s0, bounds[b + 1] - s0
        for i in range(d_out):
            base = w_off[l] + i * d_in
            p = 0.0
            for s in range(lo, hi):
                p += RD[l + 1, i, s] if with_r else D[l + 1, i, s]
            target[row, b_off[l] + i] += p
            out = target[row, base : base + d_in]
            for s in range(lo, hi):
                # P = 0 + t_lo (+ t_s …); the last sample's term goes straight into the sum
                di = D[l + 1, i, s]
                h = S[0, l, s]
                last = s == hi - 1
                if with_r:
                    rdi = RD[l + 1, i, s]
                    rh = S[1, l, s]
                    if s == lo and last:
                        for j in range(d_in):
                            out[j] += 0.0 + m * (rdi * h[j] + di * rh[j])
                    elif s == lo:
                        for j in range(d_in):
                            P[j] = 0.0 + m * (rdi * h[j] + di * rh[j])
                    elif last:
                        for j in range(d_in):
                            out[j] += P[j] + m * (rdi * h[j] + di * rh[j])
                    else:
                        for j in range(d_in):
                            P[j] += m * (rdi * h[j] + di * rh[j])
                else:
                    mdi = m * di
                    if s == lo and last:
                        for j in range(d_in):
                            out[j] += 0.0 + mdi * h[j]
                    elif s == lo:
                        for j in range(d_in):
                            P[j] = 0.0 + mdi * h[j]
                    elif last:
                        for j in range(d_in):
                            out[j] += P[j] + mdi * h[j]
                    else:
                        for j in range(d_in):
                            P[j] += mdi * h[j]


@njit(**JIT)
def _deltas(theta, v, T, sizes, w_off, mult, act, l, F, with_r):
    """D[l] = φ'(Z[l]) ⊙ (m_l W_lᵀ D[l+1]) (and its R-operator part) for the tile's samples."""
    Z, H, RZ, D, RD = F[0], F[1], F[2], F[4], F[5]
    d_in, d_out = sizes[l], sizes[l + 1]
    m = mult[l]
    G, RG = D[l], RD[l]
    for j in range(d_in):
        for s in range(T):
            G[j, s] = 0.0
            RG[j, s] = 0.0
    for i in range(d_out):
        base = w_off[l] + i * d_in
        di = D[l + 1, i]
        if with_r:
            rdi = RD[l + 1, i]
            for j in range(d_in):
                mw = m * theta[base + j]
                w = theta[base + j]
                vw = v[base + j]
                g = G[j]
                rg = RG[j]
                for s in range(T):
                    g[s] += mw * di[s]
                    rg[s] += m * (vw * di[s] + w * rdi[s])
        else:
            mdi = RG[0]  # scratch: m·D[l+1, i] (RG is unused without R)
            for s in range(T):
                mdi[s] = m * di[s]
            for j in range(d_in):
                w = theta[base + j]
                g = G[j]
                for s in range(T):
                    g[s] += w * mdi[s]
    for j in range(d_in):
        z, h, g = Z[l, j], H[l, j], G[j]
        if with_r:
            rg, rz = RG[j], RZ[l, j]
            for s in range(T):
                d1 = _dact(z[s], h[s], act)
                rg[s] = rg[s] * d1 + g[s] * _ddact(z[s], h[s], act) * rz[s]
                g[s] *= d1
        else:
            for s in range(T):
                g[s] *= _dact(z[s], h[s], act)


def n_blocks(n_samples: int) -> int:
    return min(MAX_BLOCKS, n_samples)


def _pass_impl(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode, serial):
    """mode 0: loss only; 1: loss and gradient into ``out``; 2: H v into ``out`` (returns loss).

    The samples are cut into ``min(MAX_BLOCKS, n)`` fixed blocks, each summed in sample order
    from zero, and the block sums added in block order: the result does not depend on the
    thread count. Tiles of whole blocks run in parallel (``prange``) in the parallel build; the
    serial build adds each block's sum to ``out`` as soon as it is done."""
    n, d_out = Y.shape
    n_layers = sizes.size - 1
    bounds, first = tile_starts(n)
    blocks = bounds.size - 1
    n_tiles = first.size - 1
    direct = serial or n_tiles == 1
    target = np.zeros((1 if direct else blocks, out.size if mode > 0 else 1))
    losses = np.zeros(blocks)
    with_r = mode == 2
    for t in prange(n_tiles):
        b0, b1 = first[t], first[t + 1]
        s0 = bounds[b0]
        T = bounds[b1] - s0
        F, S, P = workspace(sizes, T)
        io = np.zeros((5, d_out))  # f, y, R{f}, ∂ℓ/∂f, R{∂ℓ/∂f} of one sample
        forward(theta, v, X, s0, T, sizes, w_off, b_off, mult, act, F, S, with_r)
        output(Y, s0, T, bounds, b0, n, n_layers, d_out, loss_kind, F, losses, io)
        if mode > 0:
            for l in range(n_layers - 1, -1, -1):
                weight_sums(
                    T,
                    sizes,
                    w_off,
                    b_off,
                    mult,
                    l,
                    bounds,
                    b0,
                    b1,
                    s0,
                    F,
                    S,
                    P,
                    target,
                    direct,
                    with_r,
                )
                if l > 0:
                    _deltas(theta, v, T, sizes, w_off, mult, act, l, F, with_r)
    if mode > 0:
        out[:] = 0.0
        for r in range(target.shape[0]):
            out += target[r]
    total = 0.0
    for b in range(blocks):  # in order (an array sum in a parallel build may be split by thread)
        total += losses[b]
    return total


_pass_parallel = njit(parallel=True, **JIT)(_pass_impl)
_pass_serial = njit(**JIT)(_pass_impl)  # prange runs as range: no thread team to wake


@njit(**JIT)
def _pass(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode):
    """Serial below SERIAL_WORK samples × parameters, where waking the thread team for each of
    the several launches per step costs more than the work."""
    if X.shape[0] * theta.size < SERIAL_WORK:
        return _pass_serial(
            theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode, True
        )
    return _pass_parallel(
        theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode, False
    )


@njit(**JIT)
def loss(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind):
    """L(θ) = (1/n) Σ ℓ(f(x_s), y_s) (ℓ of :mod:`.losses`)."""
    dummy = np.zeros(1)
    return _pass(theta, dummy, X, Y, sizes, w_off, b_off, mult, act, loss_kind, dummy, 0)


@njit(**JIT)
def loss_grad(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad):
    """Returns L(θ) and writes ∇L(θ) into ``grad``."""
    return _pass(theta, theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad, 1)


@njit(**JIT)
def hvp(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out):
    """Writes the exact Hessian-vector product ∇²L(θ)·v into ``out`` (R-operator)."""
    return _pass(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, 2)


@njit(**JIT)
def train(
    theta,
    X,
    Y,
    sizes,
    w_off,
    b_off,
    mult,
    act,
    loss_kind,
    opt,
    lrs,
    beta,
    beta1,
    beta2,
    eps,
    buf1,
    buf2,
    t0,
    loss_limit,
    losses,
):
    """Take ``len(lrs)`` full-batch steps (step k uses η = lrs[k]); ``losses[k]`` gets L(θ_k),
    the loss *before* step k. Stops early, without applying the step, when the loss is not finite
    or exceeds ``loss_limit``; returns the number of steps taken."""
    grad = np.zeros_like(theta)
    for k in range(lrs.size):
        value = loss_grad(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad)
        losses[k] = value
        if not np.isfinite(value) or value > loss_limit:
            return k
        optimizer_step(theta, grad, opt, lrs[k], beta, beta1, beta2, eps, buf1, buf2, t0 + k + 1)
    return lrs.size
