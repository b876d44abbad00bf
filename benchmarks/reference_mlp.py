"""Reference implementations of the Sharpness lab's MLP: vectorised NumPy (batched matrix products,
backprop by hand, HVP by central differences of the gradient) and PyTorch on the CPU (autograd,
double-backward HVP). Same flat parameter layout as :mod:`physlab.sharpness.mlp`: per layer W_l
(d_out × d_in, row-major) then b_l; tanh hidden layers, linear output, loss ½·mean‖f − y‖²."""

from __future__ import annotations

import numpy as np


def _unpack(theta, sizes, w_off, b_off):
    layers = []
    for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = theta[w_off[l] : w_off[l] + d_in * d_out].reshape(d_out, d_in)
        b = theta[b_off[l] : b_off[l] + d_out]
        layers.append((W, b))
    return layers


class NumpyMLP:
    def __init__(self, X, Y, sizes, w_off, b_off, mult):
        self.X, self.Y, self.sizes, self.w_off, self.b_off, self.mult = (
            X,
            Y,
            sizes,
            w_off,
            b_off,
            mult,
        )

    def loss_grad(self, theta):
        layers = _unpack(theta, self.sizes, self.w_off, self.b_off)
        H = [self.X]
        for l, (W, b) in enumerate(layers):
            Z = self.mult[l] * H[-1] @ W.T + b
            H.append(np.tanh(Z) if l < len(layers) - 1 else Z)
        n = self.X.shape[0]
        R = H[-1] - self.Y
        grad = np.empty_like(theta)
        dZ = R / n
        for l in range(len(layers) - 1, -1, -1):
            W, _ = layers[l]
            gW = self.mult[l] * dZ.T @ H[l]
            grad[self.w_off[l] : self.w_off[l] + W.size] = gW.ravel()
            grad[self.b_off[l] : self.b_off[l] + W.shape[0]] = dZ.sum(axis=0)
            if l:
                dZ = (self.mult[l] * dZ @ W) * (1.0 - H[l] ** 2)
        return 0.5 * np.sum(R**2) / n, grad

    def gd(self, theta, lr, steps):
        theta = theta.copy()
        for _ in range(steps):
            theta -= lr * self.loss_grad(theta)[1]
        return theta

    def hvp(self, theta, v, eps=1e-5):
        scale = eps / max(np.linalg.norm(v), 1e-300)
        plus = self.loss_grad(theta + scale * v)[1]
        minus = self.loss_grad(theta - scale * v)[1]
        return (plus - minus) / (2 * scale)


class TorchMLP:
    def __init__(self, X, Y, sizes, w_off, b_off, mult):
        import torch

        self.torch = torch
        torch.set_num_threads(2)
        self.X = torch.from_numpy(X)
        self.Y = torch.from_numpy(Y)
        self.sizes, self.w_off, self.b_off, self.mult = sizes, w_off, b_off, mult

    def _loss(self, theta):
        torch = self.torch
        H = self.X
        n_layers = len(self.sizes) - 1
        for l, (d_in, d_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            W = theta[self.w_off[l] : self.w_off[l] + d_in * d_out].view(int(d_out), int(d_in))
            b = theta[self.b_off[l] : self.b_off[l] + d_out]
            Z = float(self.mult[l]) * H @ W.T + b
            H = torch.tanh(Z) if l < n_layers - 1 else Z
        return 0.5 * ((H - self.Y) ** 2).sum() / self.X.shape[0]

    def gd(self, theta, lr, steps):
        torch = self.torch
        t = torch.tensor(theta, requires_grad=True)
        for _ in range(steps):
            (g,) = torch.autograd.grad(self._loss(t), t)
            with torch.no_grad():
                t -= lr * g
        return t.detach().numpy()

    def hvp_fn(self, theta):
        torch = self.torch
        t = torch.tensor(theta, requires_grad=True)
        (g,) = torch.autograd.grad(self._loss(t), t, create_graph=True)

        def hvp(v):
            (hv,) = torch.autograd.grad(g, t, grad_outputs=torch.from_numpy(v), retain_graph=True)
            return hv.numpy().copy()

        return hvp
