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


@njit(**JIT)
def _forward(theta, v, x, sizes, w_off, b_off, mult, act, Z, H, RZ, RH, with_r):
    """One sample forward: fills Z, H (and RZ, RH = R{z}, R{h} along ``v`` when ``with_r``)."""
    n_layers = len(sizes) - 1
    for j in range(sizes[0]):
        H[0, j] = x[j]
        RH[0, j] = 0.0
    for l in range(n_layers):
        d_in, d_out = sizes[l], sizes[l + 1]
        m = mult[l]
        for i in range(d_out):
            base = w_off[l] + i * d_in
            s = 0.0
            rs = 0.0
            for j in range(d_in):
                s += theta[base + j] * H[l, j]
                if with_r:
                    rs += v[base + j] * H[l, j] + theta[base + j] * RH[l, j]
            z = m * s + theta[b_off[l] + i]
            Z[l + 1, i] = z
            hidden = l < n_layers - 1
            h = _act(z, act) if hidden else z
            H[l + 1, i] = h
            if with_r:
                rz = m * rs + v[b_off[l] + i]
                RZ[l + 1, i] = rz
                RH[l + 1, i] = _dact(z, h, act) * rz if hidden else rz


@njit(**JIT)
def _backward(theta, v, sizes, w_off, b_off, mult, act, Z, H, RZ, RH, D, RD, out, with_r):
    """One sample backward from D[L] (= ∂loss/∂f) and RD[L]; adds the gradient (or, when
    ``with_r``, R{gradient} = H v) into ``out``."""
    n_layers = len(sizes) - 1
    for l in range(n_layers - 1, -1, -1):
        d_in, d_out = sizes[l], sizes[l + 1]
        m = mult[l]
        if l > 0:
            for j in range(d_in):
                D[l, j] = 0.0
                RD[l, j] = 0.0
        for i in range(d_out):
            di = D[l + 1, i]
            base = w_off[l] + i * d_in
            if with_r:
                rdi = RD[l + 1, i]
                out[b_off[l] + i] += rdi
                for j in range(d_in):
                    out[base + j] += m * (rdi * H[l, j] + di * RH[l, j])
                    if l > 0:
                        D[l, j] += m * theta[base + j] * di
                        RD[l, j] += m * (v[base + j] * di + theta[base + j] * rdi)
            else:
                out[b_off[l] + i] += di
                mdi = m * di
                for j in range(d_in):
                    out[base + j] += mdi * H[l, j]
                    if l > 0:
                        D[l, j] += theta[base + j] * mdi
        if l > 0:
            for j in range(d_in):
                d1 = _dact(Z[l, j], H[l, j], act)
                if with_r:
                    RD[l, j] = RD[l, j] * d1 + D[l, j] * _ddact(Z[l, j], H[l, j], act) * RZ[l, j]
                D[l, j] *= d1


def n_blocks(n_samples: int) -> int:
    return min(MAX_BLOCKS, n_samples)


def _pass_impl(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode):
    """mode 0: loss only; 1: loss and gradient into ``out``; 2: H v into ``out`` (returns loss)."""
    n, d_out = Y.shape
    n_layers = len(sizes) - 1
    width = sizes.max()
    blocks = min(MAX_BLOCKS, n)
    partial = np.zeros((blocks, out.size)) if mode > 0 else np.zeros((blocks, 1))
    losses = np.zeros(blocks)
    with_r = mode == 2
    scratch = np.zeros((6, blocks, n_layers + 1, width))  # Z, H, RZ, RH, D, RD per block
    for b in prange(blocks):
        Z, H, RZ, RH, D, RD = (
            scratch[0, b],
            scratch[1, b],
            scratch[2, b],
            scratch[3, b],
            scratch[4, b],
            scratch[5, b],
        )
        acc = partial[b]
        for s in range(b * n // blocks, (b + 1) * n // blocks):
            _forward(theta, v, X[s], sizes, w_off, b_off, mult, act, Z, H, RZ, RH, with_r)
            losses[b] = output_layer(
                losses[b],
                H[n_layers, :d_out],
                Y[s],
                RH[n_layers, :d_out],
                n,
                loss_kind,
                D[n_layers, :d_out],
                RD[n_layers, :d_out],
            )
            if mode > 0:
                _backward(
                    theta, v, sizes, w_off, b_off, mult, act, Z, H, RZ, RH, D, RD, acc, with_r
                )
    if mode > 0:
        out[:] = 0.0
        for b in range(blocks):
            out += partial[b]
    return losses.sum()


_pass_parallel = njit(parallel=True, **JIT)(_pass_impl)
_pass_serial = njit(**JIT)(_pass_impl)  # prange runs as range: no thread team to wake


@njit(**JIT)
def _pass(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode):
    """Serial below SERIAL_WORK samples × parameters, where waking the thread team for each of
    the several launches per step costs more than the work."""
    if X.shape[0] * theta.size < SERIAL_WORK:
        return _pass_serial(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode)
    return _pass_parallel(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode)


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
