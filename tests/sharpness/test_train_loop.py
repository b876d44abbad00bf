"""One training loop for both MLP back ends: the BLAS kernels run the loop of the numba kernels
(mlp.train, interpreted around the batched products), so the two take the same steps and stop at
the same step when the loss blows up."""

import numpy as np
import pytest

from physlab.sharpness import mlp, mlp_blas
from physlab.sharpness.experiment import SharpnessExperiment
from physlab.sharpness.optim import OPTIMIZERS


def test_the_blas_loop_is_the_numba_loop():
    assert mlp_blas.train.__code__ is mlp.train.py_func.__code__
    assert mlp_blas.train.__globals__["loss_grad"] is mlp_blas.loss_grad


@pytest.mark.parametrize("optimizer", ["gd", "adam"])
@pytest.mark.parametrize("lr,stops", [(0.05, False), (1e3, True)])
def test_both_back_ends_take_the_same_steps(optimizer, lr, stops):
    exp = SharpnessExperiment(
        {
            "dataset": "gaussmix",
            "width": [12, 7],
            "depth": 2,
            "n_samples": 30,
            "optimizer": optimizer,
        },
        0,
    )
    m = exp.model
    arch = (m.sizes, m.w_off, m.b_off, m.mult, m.act, m.loss_kind)
    lrs = np.full(20, lr)
    limit = 1e3 * exp.loss0
    runs = []
    for kernels in (mlp, mlp_blas):
        theta, buf1, buf2 = exp.theta.copy(), np.zeros_like(exp.theta), np.zeros_like(exp.theta)
        losses = np.full(lrs.size, np.nan)
        taken = kernels.train(
            theta,
            m.X,
            m.Y,
            *arch,
            OPTIMIZERS[optimizer],
            lrs,
            0.9,
            0.9,
            0.999,
            1e-8,
            buf1,
            buf2,
            0,
            limit,
            losses,
        )
        runs.append((taken, theta, losses))
    (n1, theta1, loss1), (n2, theta2, loss2) = runs
    assert n1 == n2 and (n1 < lrs.size) == stops
    np.testing.assert_allclose(loss2[:n1], loss1[:n1], rtol=1e-9)
    np.testing.assert_allclose(theta2, theta1, rtol=1e-9, atol=1e-12)
