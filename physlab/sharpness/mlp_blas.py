"""The MLP of :mod:`physlab.sharpness.mlp` batched over samples, with the matrix products in BLAS.

Same parameter layout, loss, gradient and exact Hessian-vector products (Pearlmutter's R-operator,
"Fast exact multiplication by the Hessian", Neural Computation 1994) as the per-sample numba
kernels, written layer by layer for all samples at once: with H_l (n × d_l) the activations,
    Z_{l+1} = m_l H_l W_lᵀ + b_l,  R{Z_{l+1}} = m_l (H_l V_lᵀ + R{H_l} W_lᵀ) + v_b,
and backwards, with D_{l+1} = ∂L/∂Z_{l+1} (D_L = (∂ℓ/∂f)/n, :mod:`.losses`) and G_l = m_l D_{l+1} W_l,
    ∇W_l = m_l D_{l+1}ᵀ H_l,   R{∇W_l} = m_l (R{D_{l+1}}ᵀ H_l + D_{l+1}ᵀ R{H_l}),
    D_l = G_l ⊙ φ'(Z_l),       R{D_l} = m_l (R{D_{l+1}} W_l + D_{l+1} V_l) ⊙ φ'(Z_l)
                                        + G_l ⊙ φ''(Z_l) ⊙ R{Z_l}.
The per-sample kernels run scalar loops (no fastmath, so no SIMD reductions): on wide layers they
lose to BLAS by an order of magnitude, on the 701-parameter Chebyshev net they win by avoiding the
per-call overhead; :class:`~.models.MLPModel` picks by the size of a gradient
(``benchmarks/sharpness.py`` measures both).
"""

from __future__ import annotations

from types import FunctionType

import numpy as np

from . import mlp
from .losses import output_layer_batch
from .mlp import RELU, TANH


def _layers(theta, sizes, w_off, b_off):
    for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = theta[w_off[l] : w_off[l] + d_in * d_out].reshape(d_out, d_in)
        yield l, W, theta[b_off[l] : b_off[l] + d_out]


def _derivatives(Z, H, act, second=True):
    """φ'(Z) and φ''(Z) (None unless ``second``), given H = φ(Z)."""
    if act == TANH:
        d1 = H * H
        np.subtract(1.0, d1, out=d1)
        return d1, (-2.0 * H * d1 if second else None)
    if act == RELU:
        return (Z > 0).astype(Z.dtype), None
    return None, None


def _forward(theta, v, X, sizes, w_off, b_off, mult, act, with_r):
    n_layers = len(sizes) - 1
    Hs, Zs, RHs, RZs = [X], [None], [np.zeros_like(X) if with_r else None], [None]
    V = list(_layers(v, sizes, w_off, b_off)) if with_r else None
    for l, W, b in _layers(theta, sizes, w_off, b_off):
        m = float(mult[l])  # a Python float keeps float32 products in float32
        Z = Hs[l] @ W.T
        if m != 1.0:  # 1·x is x: skipping it changes no bit and saves a pass over Z
            Z *= m
        Z += b
        hidden = l < n_layers - 1
        H = (
            (np.tanh(Z) if act == TANH else np.maximum(Z, 0.0) if act == RELU else Z)
            if hidden
            else Z
        )
        Zs.append(Z)
        Hs.append(H)
        if with_r:
            _, Vw, Vb = V[l]
            RZ = m * (Hs[l] @ Vw.T + RHs[l] @ W.T) + Vb
            d1 = _derivatives(Z, H, act)[0] if hidden else None
            RZs.append(RZ)
            RHs.append(RZ * d1 if d1 is not None else RZ)
    return Zs, Hs, RZs, RHs


def _pass(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, mode):
    """mode 0: loss; 1: loss and gradient into ``out``; 2: H v into ``out`` (returns loss)."""
    with_r = mode == 2
    Zs, Hs, RZs, RHs = _forward(theta, v, X, sizes, w_off, b_off, mult, act, with_r)
    value, D, RD = output_layer_batch(Hs[-1], Y, RHs[-1] if with_r else None, loss_kind)
    if mode == 0:
        return value
    layers = list(_layers(theta, sizes, w_off, b_off))
    V = list(_layers(v, sizes, w_off, b_off)) if with_r else None
    for l in range(len(layers) - 1, -1, -1):
        _, W, _ = layers[l]
        m = float(mult[l])  # a Python float keeps float32 products in float32
        d_in, d_out = W.shape[1], W.shape[0]
        gw = out[w_off[l] : w_off[l] + d_in * d_out].reshape(d_out, d_in)
        if with_r:
            gw[:] = m * (RD.T @ Hs[l] + D.T @ RHs[l])
            out[b_off[l] : b_off[l] + d_out] = RD.sum(axis=0)
        else:
            np.matmul(D.T, Hs[l], out=gw)
            if m != 1.0:
                gw *= m
            out[b_off[l] : b_off[l] + d_out] = D.sum(axis=0)
        if l == 0:
            break
        G = D @ W
        if m != 1.0:
            G *= m
        d1, d2 = _derivatives(Zs[l], Hs[l], act, with_r)
        if with_r:
            RG = m * (RD @ W + D @ V[l][1])
            RD = RG * d1 if d1 is not None else RG
            if d2 is not None:
                RD += G * d2 * RZs[l]
        if d1 is not None:
            G *= d1  # in place: G is not needed after this
        D = G
    return value


def loss(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind):
    return _pass(theta, theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, None, 0)


def loss_grad(theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad):
    return _pass(theta, theta, X, Y, sizes, w_off, b_off, mult, act, loss_kind, grad, 1)


def hvp(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out):
    return _pass(theta, v, X, Y, sizes, w_off, b_off, mult, act, loss_kind, out, 2)


def _interpreted(kernel, **calls) -> FunctionType:
    """The Python function a numba kernel was compiled from, calling ``calls`` in place of the
    module functions of the same names. numba cannot cache a kernel that takes another kernel as an
    argument or closes over one, so a loop shared by the numba and the BLAS kernels is written once
    (in the numba module) and run here as Python around the BLAS products."""
    py = kernel.py_func
    return FunctionType(
        py.__code__, {**py.__globals__, **calls}, py.__name__, py.__defaults__, py.__closure__
    )


# the training loop of mlp.train (same steps, same stopping rule) around the batched loss_grad
train = _interpreted(mlp.train, loss_grad=loss_grad)
