"""The Kernels lab's parameters (the CLI names are a contract)."""

from __future__ import annotations

from physlab.core.params import Param, ParamSpec, check_memory

from .activations import ACTIVATIONS
from .data import TASKS
from .dmft_deep_linear import MAX_TP
from .dmft_deep_nonlinear import MAX_TP as MC_MAX_TP


def memory_estimate(p: dict) -> int:
    """Bytes at the peak: the N×N weights of the hidden layers plus the N×N update a GD step
    builds (and a copy BLAS makes), the N×P activations and signals, the theory (the two-layer
    particles, the deep-linear DMFT's (TP)×(TP) matrices, or the deep nonlinear one's fields,
    normals, kernels and responses), and the kernel snapshots (stored,
    theory beside them, and copied into each frame). Measured in tests/hostile/test_memory.py."""
    N, P, L = p["width"], p["n_samples"], p["depth"]
    net = 8 * (1.1 * (L - 1) * N * N + (1.5 * N * N if L > 1 else 0) + (4 * L + 8) * N * P)
    theory = 0
    if p["theory"] == "auto" and L == 1 and p["activation"] != "linear":
        theory = 8 * 7 * p["particles"] * P
    elif p["theory"] == "auto" and L > 1 and p["activation"] == "linear":
        theory = 8 * 4 * L * (min(p["steps"] + 1, MAX_TP // P) * P) ** 2
    elif p["theory"] == "auto" and L > 1:
        tp = min(p["steps"] + 1, MC_MAX_TP // P) * P
        theory = 8 * ((6 * L + 3) * p["mc_samples"] * tp + (6 * L + 8) * tp * tp)
    snaps = 8 * 4 * (2 * L + 1) * p["snapshots"] * P * P
    return int(net + theory + snaps)


def _check(p: dict) -> None:
    check_memory(memory_estimate(p), "width", "lower width, depth, particles or snapshots")


SPEC = ParamSpec(
    [
        Param(
            "depth",
            "int",
            1,
            "hidden layers L (depth 1 = a two-layer network)",
            low=1,
            high=4,
            group="Network",
        ),
        Param(
            "width",
            "int",
            1000,
            "hidden width N",
            low=4,
            high=20_000,
            log=True,
            group="Network",
            label="width N",
        ),
        Param(
            "activation",
            "choice",
            "relu",
            "activation φ of the hidden layers",
            choices=ACTIVATIONS,
            group="Network",
        ),
        Param(
            "gamma0",
            "float",
            1.0,
            "richness γ0 of the mean-field parameterisation: γ0 → 0 is the "
            "lazy (NTK) limit, γ0 ~ 1 learns features (the tab re-runs when it changes)",
            low=1e-3,
            high=10.0,
            log=True,
            restart=True,
            group="Network",
            label="γ0 (richness)",
        ),
        Param(
            "lr",
            "float",
            1.0,
            "learning rate η (the weights move with η γ0² N); the residual obeys Δ ← Δ − (η/P) K Δ",
            low=1e-4,
            high=1000.0,
            log=True,
            group="Training",
            label="lr η",
        ),
        Param(
            "steps",
            "int",
            150,
            "full-batch GD steps",
            low=1,
            high=1_000_000,
            log=True,
            group="Training",
        ),
        Param(
            "n_samples",
            "int",
            16,
            "training samples P (the kernels are P×P)",
            low=2,
            high=64,
            group="Data",
            label="n_samples P",
        ),
        Param(
            "input_dim",
            "int",
            32,
            "input dimension D (inputs on the sphere of radius √D)",
            low=1,
            high=100_000,
            log=True,
            group="Data",
            label="input_dim D",
        ),
        Param(
            "task",
            "choice",
            "teacher",
            "labels: random ±1, or a linear teacher y = β·x/√D",
            choices=TASKS,
            group="Data",
        ),
        Param(
            "theory",
            "choice",
            "auto",
            "overlay the infinite-width (DMFT) theory where it exists",
            choices=("auto", "none"),
            group="Theory",
        ),
        Param(
            "particles",
            "int",
            10_000,
            "particles M sampling the two-layer single-site process (theory error ∝ M^-1/2)",
            low=100,
            high=1_000_000,
            log=True,
            group="Theory",
            when={"depth": (1,), "activation": ("relu", "tanh"), "theory": ("auto",)},
        ),
        Param(
            "mc_samples",
            "int",
            1000,
            "Monte Carlo samples S of the deep relu/tanh DMFT's fields (theory error ∝ S^-1/2; "
            "a multiple of 4, S ≥ 4·steps·P covers the steps)",
            low=128,
            high=8000,
            log=True,
            group="Theory",
            label="MC samples S",
            when={"depth": (2, 3, 4), "activation": ("relu", "tanh"), "theory": ("auto",)},
        ),
        Param(
            "snapshots",
            "int",
            41,
            "kernel snapshots stored over the run (heatmaps, export)",
            low=2,
            high=400,
            group="Theory",
        ),
    ],
    check=_check,
)
