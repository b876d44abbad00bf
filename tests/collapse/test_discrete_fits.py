"""Refitting a discrete distribution under replace, accumulate and accumulate-subsample (the
KoyejoLab code's discrete model, Kazdan, Schaeffer et al., "Collapse or Thrive?", 2024) against
the exact moment recursions: replace loses diversity as Wright–Fisher drift, E H_n/H_0 =
(1 − 1/M)ⁿ; accumulate keeps Π_k(1 − 1/(Mk²)) → sin(π/√M)/(π/√M)."""

import numpy as np
import pytest

from physlab.collapse import LAB


def run(seed=6, **params):
    exp = LAB.build({"model": "discrete", **params}, seed=seed)
    exp.advance(10**6)
    assert exp.done and exp.diverged is None
    return exp.frame(), exp.summary()


def test_diversity_and_distance_follow_the_exact_recursions():
    M, K, n, R = 10, 6, 60, 2000  # K = 6: the KoyejoLab code's default die
    f, s = run(M=M, outcomes=K, generations=n, repeats=R)
    rows = ["replace", "accumulate", "accumulate-subsample"]
    assert f["theory_diversity"][0][-1] == pytest.approx((1 - 1 / M) ** n)
    assert f["theory_diversity"][1][-1] == pytest.approx(
        np.prod(1 - 1 / (M * np.arange(1, n + 1) ** 2))
    )
    assert s["accumulate_diversity_limit"] == pytest.approx(0.843436, abs=1e-6)
    for i, name in enumerate(rows):
        for key in ("diversity", "distance"):
            se = f[key + "_std"][i] / np.sqrt(R)
            gap = np.abs(f[key + "_mean"][i] - f["theory_" + key][i])
            assert (gap < 4.5 * se + 1e-12).all(), (name, key)
    # replace fixes on one outcome (entropy → 0, K − 1 outcomes lost); accumulate keeps most
    assert f["entropy_mean"][0][-1] < 0.1 and f["zero_fraction_mean"][0][-1] > 0.75
    assert f["entropy_mean"][1][-1] > 0.7 * np.log(K)  # 1.37 of log 6 = 1.79
    assert f["diversity_mean"][0][-1] < f["diversity_mean"][2][-1] < f["diversity_mean"][1][-1]
