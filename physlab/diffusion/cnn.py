"""A small convolutional denoiser trained by NumPy on the denoising objective, the trained network
whose samples Kamb & Ganguli's ELS machine predicts ("An analytic theory of creativity in
convolutional diffusion models", 2024, §5 and Fig. 3; their networks are ResNets and UNets of 3×3
convolutions with zero padding, trained on ε-prediction, code ``Kambm/convolutional_diffusion``).

The network: two 3×3 convolutions (zero padding, as their ``mode='zeros'`` networks, whose
machine is the bbELS one) and two 1×1 convolutions, ReLU between, so its receptive field is 5×5 —
the patch size of the lab's calibrated ELS schedule at 8×8 (3 → 5 pixels). It is translation
equivariant away from the border by construction. The noise level enters as a per-channel bias
of every hidden layer, a linear function of Fourier features of γ = log(σ²/α²) (their ResNet adds
an MLP time embedding to every layer the same way).

Output: the estimate of the clean image in the preconditioned form of Karras et al. ("Elucidating
the design space of diffusion-based generative models", 2022, eq. 7):
x̂0 = c_skip·z + c_out·F(c_in·z, γ) with c_in = 1/√(α²v + σ²), c_skip = αv/(α²v + σ²),
c_out = σ√v/√(α²v + σ²) (v the data's pixel variance), so that c_skip·z alone is the best
pixelwise linear denoiser and the network learns a unit-variance residual at every noise level.
The loss is E‖F − (x0 − c_skip z)/c_out‖² = E‖x̂0 − x0‖²/c_out², with γ uniform on the lab's log-SNR
range [γ̃_min, γ̃_max] (uniform t of the sampler's schedule); it is minimised by Adam.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .schedule import alpha_sigma2

FEATURES = 8  # Fourier features of the noise level (γ, then sin/cos at three frequencies, 1)


def noise_features(gamma: np.ndarray, gamma_min: float, gamma_max: float) -> np.ndarray:
    """(n, FEATURES) features of the log-SNR γ, rescaled to g ∈ [−1, 1] on the trained range."""
    g = 2.0 * (np.asarray(gamma, dtype=float) - gamma_min) / (gamma_max - gamma_min) - 1.0
    waves = [f(np.pi * m * g / 2) for m in (1, 2, 3) for f in (np.sin, np.cos)]
    return np.stack([np.ones_like(g), g, *waves], axis=1)


def _im2col(x: np.ndarray) -> np.ndarray:
    """(B, S, S, C) → (B·S·S, 9·C): the zero-padded 3×3 neighbourhood of every pixel."""
    b, s, _, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    view = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    return view.transpose(0, 1, 2, 4, 5, 3).reshape(b * s * s, 9 * c)


def _col2im(cols: np.ndarray, shape: tuple) -> np.ndarray:
    """The adjoint of :func:`_im2col`: scatter-add each neighbourhood back onto its pixels."""
    b, s, _, c = shape
    cols = cols.reshape(b, s, s, 3, 3, c)
    padded = np.zeros((b, s + 2, s + 2, c))
    for dy in range(3):
        for dx in range(3):
            padded[:, dy : dy + s, dx : dx + s] += cols[:, :, :, dy, dx]
    return padded[:, 1:-1, 1:-1]


@dataclass
class ConvDenoiser:
    """Weights (a dict of arrays) and the constants of the preconditioning."""

    weights: dict
    variance: float  # v: the data's pixel variance
    gamma_min: float
    gamma_max: float

    @classmethod
    def initial(
        cls,
        channels: int,
        variance: float,
        gamma_min: float,
        gamma_max: float,
        rng: np.random.Generator,
    ) -> ConvDenoiser:
        """He-initialised weights; the output layer starts at zero (x̂0 = c_skip z)."""
        c = channels

        def he(fan_in, *shape):
            return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

        w = {
            "w1": he(9, 9, c),
            "w2": he(9 * c, 9 * c, c),
            "w3": he(c, c, c),
            "w4": np.zeros((c, 1)),
            "b4": np.zeros(1),
        }
        for layer in (1, 2, 3):
            w[f"e{layer}"] = np.zeros((FEATURES, c))
        return cls(w, variance, gamma_min, gamma_max)

    def coefficients(self, gamma: np.ndarray):
        """(c_in, c_skip, c_out) per image for log-SNR γ (n,)."""
        alpha, sigma2 = alpha_sigma2(np.asarray(gamma, dtype=float))
        v = self.variance
        total = alpha**2 * v + sigma2
        return 1.0 / np.sqrt(total), alpha * v / total, np.sqrt(sigma2 * v / total)

    def _forward(self, z: np.ndarray, gamma: np.ndarray):
        """F(c_in z, γ) for images z (B, S, S) and the activations backprop needs."""
        w = self.weights
        b, s, _ = z.shape
        c_in, _, _ = self.coefficients(gamma)
        feats = noise_features(gamma, self.gamma_min, self.gamma_max)
        x = (c_in[:, None, None] * z)[..., None]
        cache = []
        h = x
        for layer, kind in ((1, "conv"), (2, "conv"), (3, "dense")):
            cols = _im2col(h) if kind == "conv" else h.reshape(b * s * s, -1)
            bias = feats @ w[f"e{layer}"]  # (B, C)
            pre = (cols @ w[f"w{layer}"]).reshape(b, s, s, -1) + bias[:, None, None, :]
            cache.append((cols, h.shape, pre))
            h = np.maximum(pre, 0.0)
        out = (h.reshape(b * s * s, -1) @ w["w4"] + w["b4"]).reshape(b, s, s)
        return out, (feats, cache, h)

    def denoise(self, z: np.ndarray, gamma: float) -> np.ndarray:
        """x̂0 for noisy images z (n, S, S), all at the log-SNR γ."""
        g = np.full(len(z), float(gamma))
        _, c_skip, c_out = self.coefficients(g)
        out, _ = self._forward(z, g)
        return c_skip[:, None, None] * z + c_out[:, None, None] * out

    def loss_and_gradient(self, x0: np.ndarray, gamma: np.ndarray, noise: np.ndarray):
        """The mean squared residual error and its gradient for clean images x0 (B, S, S)."""
        alpha, sigma2 = alpha_sigma2(gamma)
        z = alpha[:, None, None] * x0 + np.sqrt(sigma2)[:, None, None] * noise
        _, c_skip, c_out = self.coefficients(gamma)
        target = (x0 - c_skip[:, None, None] * z) / c_out[:, None, None]
        out, (feats, cache, h) = self._forward(z, gamma)
        diff = out - target
        loss = float(np.mean(diff**2))
        w, grad = self.weights, {}
        b, s, _ = z.shape
        d_out = (2.0 / diff.size) * diff.reshape(b * s * s, 1)
        flat_h = h.reshape(b * s * s, -1)
        grad["w4"] = flat_h.T @ d_out
        grad["b4"] = d_out.sum(axis=0)
        d_h = (d_out @ w["w4"].T).reshape(h.shape)
        for layer in (3, 2, 1):
            cols, in_shape, pre = cache[layer - 1]
            d_pre = d_h * (pre > 0)
            grad[f"e{layer}"] = feats.T @ d_pre.sum(axis=(1, 2))
            flat = d_pre.reshape(b * s * s, -1)
            grad[f"w{layer}"] = cols.T @ flat
            if layer > 1:
                d_cols = flat @ w[f"w{layer}"].T
                d_h = _col2im(d_cols, in_shape) if layer == 2 else d_cols.reshape(in_shape)
        return loss, grad


class Adam:
    """Adam (Kingma & Ba 2015) on a dict of arrays, in place."""

    def __init__(self, weights: dict, lr: float, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in weights.items()}
        self.v = {k: np.zeros_like(v) for k, v in weights.items()}
        self.t = 0

    def step(self, weights: dict, grad: dict, lr: float | None = None) -> None:
        self.t += 1
        lr = self.lr if lr is None else lr
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for k, g in grad.items():
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * g * g
            weights[k] -= lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)


class Trainer:
    """Minibatch Adam on the denoising loss, a few steps at a time (so a run can stream its
    progress and be stopped); the learning rate decays by cosine to a tenth over the run."""

    def __init__(
        self,
        images: np.ndarray,
        steps: int,
        channels: int,
        gamma_min: float,
        gamma_max: float,
        rng: np.random.Generator,
        batch: int = 64,
        lr: float = 3e-3,
    ):
        self.images, self.steps, self.batch, self.rng = images, steps, batch, rng
        self.model = ConvDenoiser.initial(
            channels, float(np.var(images)), gamma_min, gamma_max, rng
        )
        self.adam = Adam(self.model.weights, lr)
        self.lr = lr
        self.losses = np.empty(steps)
        self.step = 0

    def advance(self, n: int, should_stop: Callable[[], bool] = lambda: False) -> None:
        model, rng = self.model, self.rng
        for _ in range(min(n, self.steps - self.step)):
            if should_stop():
                return
            picked = rng.integers(len(self.images), size=self.batch)
            gamma = rng.uniform(model.gamma_min, model.gamma_max, self.batch)
            noise = rng.standard_normal(self.images[picked].shape)
            loss, grad = model.loss_and_gradient(self.images[picked], gamma, noise)
            frac = self.step / max(self.steps - 1, 1)
            self.adam.step(model.weights, grad, self.lr * (0.55 + 0.45 * np.cos(np.pi * frac)))
            self.losses[self.step] = loss
            self.step += 1

    @property
    def done(self) -> bool:
        return self.step >= self.steps
