"""Initialisations of the Sharpness lab's MLP, as the papers draw them (``init`` parameter).

With s the ``init_scale`` and fan_in the input width of a layer:

- ``normal``: W ~ N(0, s²/fan_in), biases 0 (the lab's default);
- ``uniform``: PyTorch's ``nn.Linear`` default, W and b ~ U(−s/√fan_in, s/√fan_in) (variance
  s²/(3·fan_in)): the networks of Cohen et al., "Gradient Descent on Neural Networks Typically
  Occurs at the Edge of Stability" (ICLR 2021), built with PyTorch's defaults;
- ``he``: W ~ N(0, σ_w² s²/fan_in) with σ_w² = 2 in the hidden layers and 1 in the last one, and
  no biases: Kalra & Barkeshli, "Phase diagram of early training dynamics in deep neural
  networks" (NeurIPS 2023), §2. A network without biases is the lab's network with its biases
  held at 0: their entries of θ are masked out of every gradient and Hessian-vector product
  (:class:`~.models.MLPModel`), so the Hessian is that of the weights alone.
"""

from __future__ import annotations

import numpy as np

INITS = ("normal", "uniform", "he")


def init_weights(
    law: str,
    sizes: np.ndarray,
    w_off: np.ndarray,
    b_off: np.ndarray,
    n_params: int,
    scale: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(θ, mask): the initial parameters, and for ``he`` the 0/1 mask of the trainable entries
    (weights 1, biases 0; None when every entry trains). The ``normal`` law draws exactly what the
    lab drew before the other laws existed, so default runs are unchanged."""
    theta = np.zeros(n_params)
    n_layers = len(sizes) - 1
    for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = slice(w_off[l], w_off[l] + d_in * d_out)
        if law == "normal":
            theta[w] = rng.standard_normal(d_in * d_out) * scale / np.sqrt(d_in)
        elif law == "uniform":
            bound = scale / np.sqrt(d_in)
            theta[w] = rng.uniform(-bound, bound, d_in * d_out)
            theta[b_off[l] : b_off[l] + d_out] = rng.uniform(-bound, bound, d_out)
        elif law == "he":
            gain = 1.0 if l == n_layers - 1 else 2.0
            theta[w] = rng.standard_normal(d_in * d_out) * scale * np.sqrt(gain / d_in)
        else:
            raise ValueError(f"unknown init {law!r}")
    if law != "he":
        return theta, None
    mask = np.ones(n_params)
    for l, d_out in enumerate(sizes[1:]):
        mask[b_off[l] : b_off[l] + d_out] = 0.0
    return theta, mask
