"""The Sharpness lab's parameters (the CLI names are a contract)."""
from __future__ import annotations

from physlab.core.params import Param, ParamError, ParamSpec

from .data import DATASETS
from .mlp import ACTIVATIONS
from .optim import OPTIMIZERS

MLP = {"model": ("mlp",)}
UV = {"model": ("uv",)}


def _check(p: dict) -> None:
    if p["schedule"] != "constant" and p["warmup_steps"] >= p["steps"]:
        raise ParamError("warmup_steps", f"{p['warmup_steps']} must be below steps = {p['steps']}")
    if p["model"] == "uv":
        if len(p["width"]) != 1:
            raise ParamError("width", "the uv model has one width n (a single integer)")
        if p["x"] == 0.0:
            raise ParamError("x", "x = 0 makes the uv model constant; use x ≠ 0")
    elif len(p["width"]) not in (1, p["depth"]):
        raise ParamError("width", f"give one width or depth = {p['depth']} widths, "
                                  f"not {len(p['width'])}")
    if p["model"] == "mlp" and p["dataset"] == "chebyshev" and p["n_samples"] < 2:
        raise ParamError("n_samples", "the Chebyshev set needs at least 2 points")


SPEC = ParamSpec([
    Param("model", "choice", "mlp", "mlp: a fully connected network on a data set; uv: the "
          "two-layer linear uv model f = vᵀu·x/√n on one example", choices=("mlp", "uv"),
          group="Model"),
    Param("depth", "int", 2, "number of hidden layers", low=1, high=6, group="Model", when=MLP),
    Param("width", "ints", [30, 20], "hidden widths: one value for every layer, or one per layer "
          "(e.g. 30,20); for uv the width n", low=1, high=4096, group="Model"),
    Param("activation", "choice", "tanh", "hidden-layer nonlinearity φ",
          choices=tuple(ACTIVATIONS), group="Model", when=MLP),
    Param("param", "choice", "sp", "parameterisation: sp = standard (weights N(0, s²/fan_in)); "
          "mup = the output layer also scaled by 1/√fan_in, so the output starts small (μP-like)",
          choices=("sp", "mup"), group="Model", when=MLP),
    Param("init_scale", "float", 1.0, "initial weight scale s (standard deviation in units of "
          "1/√fan_in for the MLP; of each u_i, v_i for uv)", low=1e-4, high=10.0, log=True,
          group="Model"),
    Param("x", "float", 1.0, "the uv model's input x", low=-10.0, high=10.0, group="Model",
          when=UV),
    Param("y", "float", 1.0, "the uv model's target y", low=-10.0, high=10.0, group="Model",
          when=UV),
    Param("dataset", "choice", "chebyshev", "training set: chebyshev (fit T6 on [−1, 1]), teacher "
          "(teacher–student regression), gaussmix (Gaussian-mixture classification, one-hot MSE)",
          choices=DATASETS, group="Data", when=MLP),
    Param("n_samples", "int", 20, "number of training examples n", low=1, high=20000,
          group="Data", when=MLP),
    Param("input_dim", "int", 10, "input dimension d (teacher and gaussmix)", low=1, high=1024,
          group="Data", when={"model": ("mlp",), "dataset": ("teacher", "gaussmix")}),
    Param("n_classes", "int", 4, "number of classes (gaussmix)", low=2, high=64, group="Data",
          when={"model": ("mlp",), "dataset": ("gaussmix",)}),
    Param("optimizer", "choice", "gd", "full-batch optimiser", choices=tuple(OPTIMIZERS),
          group="Optimiser"),
    Param("lr", "float", 0.2, "learning rate η (target value for warm-up and cosine schedules); "
          "changes take effect at the next chunk", unit="", low=1e-6, high=100.0, log=True,
          live=True, group="Optimiser", label="lr η"),
    Param("lr_mode", "choice", "absolute", "absolute: lr is η; normalized: lr is c = η·λ0 and "
          "η = c/λ0, with λ0 the sharpness at initialisation (Kalra & Barkeshli 2023), so a "
          "sweep axis can be c", choices=("absolute", "normalized"), group="Optimiser"),
    Param("momentum", "float", 0.9, "heavy-ball momentum β", low=0.0, high=0.999, live=True,
          group="Optimiser", when={"optimizer": ("momentum",)}, label="momentum β"),
    Param("beta1", "float", 0.9, "Adam β1", low=0.0, high=0.999, live=True, group="Optimiser",
          when={"optimizer": ("adam",)}, label="β1"),
    Param("beta2", "float", 0.999, "Adam β2", low=0.0, high=0.99999, live=True,
          group="Optimiser", when={"optimizer": ("adam",)}, label="β2"),
    Param("eps", "float", 1e-8, "Adam ε", low=1e-12, high=1.0, log=True, group="Optimiser",
          when={"optimizer": ("adam",)}, label="ε"),
    Param("schedule", "choice", "constant", "learning-rate schedule: constant, linear warm-up to "
          "η, or warm-up then cosine decay to 0", choices=("constant", "warmup", "cosine"),
          group="Optimiser"),
    Param("warmup_steps", "int", 200, "length of the warm-up T_wrm", unit="steps", low=1,
          high=10_000_000, group="Optimiser", when={"schedule": ("warmup", "cosine")}),
    Param("warmup_from", "choice", "critical", "warm-up start: critical = the η_c estimated by "
          "forward passes (Kalra & Barkeshli 2024); zero = η/T_wrm",
          choices=("critical", "zero"), group="Optimiser",
          when={"schedule": ("warmup", "cosine")}),
    Param("steps", "int", 3000, "number of training steps (may be raised while running)",
          unit="steps", low=1, high=10_000_000, live=True, group="Run"),
    Param("k_eigs", "int", 1, "how many top Hessian eigenvalues to track", low=1, high=16,
          group="Run"),
    Param("eig_every", "int", 10, "measure the sharpness every this many steps (the uv model "
          "uses its closed form at every step)", unit="steps", low=1, high=100_000, live=True,
          group="Run"),
], check=_check)
