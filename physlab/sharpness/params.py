"""The Sharpness lab's parameters (the CLI names are a contract)."""

from __future__ import annotations

from physlab.core.params import Param, ParamError, ParamSpec, check_memory

from .data import CLASSIFICATION, DATASETS, DIGITS, dimensions
from .init import INITS
from .losses import LOSSES
from .minibatch import BATCHING
from .mlp import ACTIVATIONS, MAX_BLOCKS
from .models import BLAS_WORK
from .optim import ADAM_LIKE, FULL_BATCH, MOMENTUM_LIKE, OPTIMIZERS

MLP = {"model": ("mlp",)}
UV = {"model": ("uv",)}
MINIBATCH = {"model": ("mlp",), "optimizer": tuple(o for o in OPTIMIZERS if o not in FULL_BATCH)}
MAX_DEPTH = 8  # Kalra & Barkeshli's phase diagrams go to depth 8 (and widths of 2048)


LANCZOS_VECTORS = 70  # Lanczos keeps up to MAX_ITER + 1 vectors of θ; optimiser buffers, copies
ACTIVATION_COPIES = 10  # n × width arrays per layer of the batched HVP (Z, H, their R-parts, …)
TRACE_ROWS = 1 << 17  # rows a trace keeps at most (core/traces.py)


def memory_estimate(p: dict) -> int:
    """Bytes of a run at its peak: the Lanczos basis (vectors of all parameters), the per-block
    sums of the per-sample kernels or the batched forward/backward passes with their R-operator
    parts (n × width per layer), and the traces.
    Measured against peak RSS in tests/hostile/test_memory.py."""
    traces = 8 * 8 * 2 * TRACE_ROWS
    if p["model"] == "uv":
        return 8 * 16 * p["width"][0] + traces + 8 * 400 * 2000
    d_in, d_out = dimensions(p)
    widths = p["width"] * p["depth"] if len(p["width"]) == 1 else p["width"]
    sizes = [d_in, *widths, d_out]
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    n = p["n_samples"]
    # the per-sample kernels (small gradients) sum each block of samples into its own vector
    blocks = min(MAX_BLOCKS, n) if n * n_params < BLAS_WORK else 0
    return 8 * ((LANCZOS_VECTORS + blocks) * n_params + ACTIVATION_COPIES * n * sum(sizes)) + traces


def _check(p: dict) -> None:
    if p["schedule"] != "constant" and p["warmup_steps"] >= p["steps"]:
        raise ParamError("warmup_steps", f"{p['warmup_steps']} must be below steps = {p['steps']}")
    if p["model"] == "uv":
        if len(p["width"]) != 1:
            raise ParamError("width", "the uv model has one width n (a single integer)")
        if p["x"] == 0.0:
            raise ParamError("x", "x = 0 makes the uv model constant; use x ≠ 0")
    elif len(p["width"]) not in (1, p["depth"]):
        raise ParamError(
            "width", f"give one width or depth = {p['depth']} widths, not {len(p['width'])}"
        )
    if p["model"] == "mlp" and p["loss"] == "ce" and p["dataset"] not in CLASSIFICATION:
        raise ParamError(
            "loss",
            f"cross-entropy needs class labels: use a dataset of "
            f"{', '.join(CLASSIFICATION)} (or loss=mse)",
        )
    if p["model"] == "mlp" and p["dataset"] == "digits" and p["n_samples"] + p["n_test"] > DIGITS:
        raise ParamError(
            "n_samples",
            f"{p['n_samples']} training + {p['n_test']} held-out is "
            f"more than the {DIGITS} digits shipped",
        )
    if p["model"] == "mlp" and p["dataset"] == "chebyshev" and p["n_samples"] < 2:
        raise ParamError("n_samples", "the Chebyshev set needs at least 2 points")
    if p["model"] == "mlp" and p["optimizer"] not in FULL_BATCH and p["batch"] > p["n_samples"]:
        raise ParamError(
            "batch", f"{p['batch']} is more than the {p['n_samples']} training examples"
        )
    if p["model"] == "mlp" and p["loss_norm"] == "class" and p["loss"] != "mse":
        raise ParamError("loss_norm", "the per-class mean applies to loss=mse")
    if p["model"] == "mlp" and p["reference"] != "none" and p["optimizer"] != "gd":
        raise ParamError(
            "reference",
            f"the central flow is gradient descent's: use optimizer=gd, not {p['optimizer']} "
            "(or reference=none)",
        )
    check_memory(memory_estimate(p), "width", "lower width, depth or n_samples")


SPEC = ParamSpec(
    [
        Param(
            "model",
            "choice",
            "mlp",
            "mlp: a fully connected network on a data set; uv: the "
            "two-layer linear uv model f = vᵀu·x/√n on one example",
            choices=("mlp", "uv"),
            group="Model",
        ),
        Param(
            "depth",
            "int",
            2,
            "number of hidden layers",
            low=1,
            high=MAX_DEPTH,
            group="Model",
            when=MLP,
        ),
        Param(
            "width",
            "ints",
            [30, 20],
            "hidden widths: one value for every layer, or one per layer "
            "(e.g. 30,20); for uv the width n",
            low=1,
            high=4096,
            group="Model",
        ),
        Param(
            "activation",
            "choice",
            "tanh",
            "hidden-layer nonlinearity φ",
            choices=tuple(ACTIVATIONS),
            group="Model",
            when=MLP,
        ),
        Param(
            "param",
            "choice",
            "sp",
            "parameterisation: sp = standard (weights N(0, s²/fan_in)); "
            "mup = the output layer also scaled by 1/√fan_in, so the output starts small (μP-like)",
            choices=("sp", "mup"),
            group="Model",
            when=MLP,
        ),
        Param(
            "init",
            "choice",
            "normal",
            "initialisation: normal = W ~ N(0, s²/fan_in), biases 0; uniform = "
            "PyTorch's default, W and b ~ U(±s/√fan_in) (Cohen et al. 2021); he = W ~ "
            "N(0, 2s²/fan_in) in hidden layers, N(0, s²/fan_in) in the last, no biases (Kalra & "
            "Barkeshli 2023)",
            choices=INITS,
            group="Model",
            when=MLP,
        ),
        Param(
            "dtype",
            "choice",
            "float64",
            "arithmetic of the network: float64, or float32 for wide nets (the batched BLAS "
            "products in single precision, about twice as fast; Lanczos still sums in float64)",
            choices=("float64", "float32"),
            group="Model",
            when=MLP,
        ),
        Param(
            "init_scale",
            "float",
            1.0,
            "initial weight scale s (standard deviation in units of "
            "1/√fan_in for the MLP; of each u_i, v_i for uv)",
            low=1e-4,
            high=10.0,
            log=True,
            group="Model",
        ),
        Param(
            "x",
            "float",
            1.0,
            "the uv model's input x",
            low=-10.0,
            high=10.0,
            group="Model",
            when=UV,
        ),
        Param(
            "y",
            "float",
            1.0,
            "the uv model's target y",
            low=-10.0,
            high=10.0,
            group="Model",
            when=UV,
        ),
        Param(
            "dataset",
            "choice",
            "chebyshev",
            "training set: chebyshev (fit T6 on [−1, 1]), teacher "
            "(teacher–student regression), gaussmix (Gaussian-mixture classification, one-hot), "
            "digits (the 8×8 handwritten digits, 10 classes one-hot, as Cohen et al. use CIFAR-10)",
            choices=DATASETS,
            group="Data",
            when=MLP,
        ),
        Param(
            "n_samples",
            "int",
            20,
            "number of training examples n",
            low=1,
            high=20000,
            group="Data",
            when=MLP,
        ),
        Param(
            "input_dim",
            "int",
            10,
            "input dimension d (teacher and gaussmix)",
            low=1,
            high=1024,
            group="Data",
            when={"model": ("mlp",), "dataset": ("teacher", "gaussmix")},
        ),
        Param(
            "n_classes",
            "int",
            4,
            "number of classes (gaussmix)",
            low=2,
            high=64,
            group="Data",
            when={"model": ("mlp",), "dataset": ("gaussmix",)},
        ),
        Param(
            "n_test",
            "int",
            0,
            "held-out digits (after the training ones) whose loss is recorded "
            "at every sharpness measurement (0 = none)",
            low=0,
            high=DIGITS - 1,
            group="Data",
            when={"model": ("mlp",), "dataset": ("digits",)},
        ),
        Param(
            "loss",
            "choice",
            "mse",
            "training loss: mse = ½‖f − y‖² averaged over samples; ce = "
            "softmax cross-entropy (classification sets; Cohen et al. show the edge of stability "
            "under both)",
            choices=tuple(LOSSES),
            group="Data",
            when=MLP,
        ),
        Param(
            "loss_norm",
            "choice",
            "sample",
            "mse normalisation: sample = ½‖f − y‖² averaged over samples (Cohen et al.); "
            "class = also averaged over the k outputs (Kalra & Barkeshli 2023), which divides the "
            "loss, its gradient and the sharpness by k",
            choices=("sample", "class"),
            group="Data",
            when={"model": ("mlp",), "loss": ("mse",)},
        ),
        Param(
            "optimizer",
            "choice",
            "gd",
            "optimiser: gd (always the full batch), sgd (GD on minibatches of "
            "`batch`), heavy-ball momentum, nesterov momentum, adam, or gi-adam (Adam with "
            "v0 = g0², Kalra & Barkeshli 2024); all but gd step on minibatches of `batch`",
            choices=tuple(OPTIMIZERS),
            group="Optimiser",
        ),
        Param(
            "lr",
            "float",
            0.2,
            "learning rate η (target value for warm-up and cosine schedules); "
            "changes take effect at the next chunk",
            unit="",
            low=1e-6,
            high=100.0,
            log=True,
            live=True,
            group="Optimiser",
            label="lr η",
        ),
        Param(
            "lr_mode",
            "choice",
            "absolute",
            "absolute: lr is η; normalized: lr is c = η·λ0 and "
            "η = c/λ0, with λ0 the sharpness at initialisation (Kalra & Barkeshli 2023), so a "
            "sweep axis can be c",
            choices=("absolute", "normalized"),
            group="Optimiser",
        ),
        Param(
            "momentum",
            "float",
            0.9,
            "momentum β (heavy-ball or Nesterov)",
            low=0.0,
            high=0.999,
            live=True,
            group="Optimiser",
            when={"optimizer": MOMENTUM_LIKE},
            label="momentum β",
        ),
        Param(
            "batch",
            "int",
            0,
            "minibatch size b: each step uses the gradient of b examples; 0 (or n_samples) = "
            "the full batch. The sharpness is measured on the full batch",
            low=0,
            high=20000,
            group="Optimiser",
            when=MINIBATCH,
        ),
        Param(
            "batching",
            "choice",
            "replacement",
            "how minibatches are drawn: replacement = b indices i.i.d. uniform at each step; "
            "epochs = reshuffle each epoch and cut it into ⌊n/b⌋ batches",
            choices=BATCHING,
            group="Optimiser",
            when=MINIBATCH,
        ),
        Param(
            "beta1",
            "float",
            0.9,
            "Adam β1",
            low=0.0,
            high=0.999,
            live=True,
            group="Optimiser",
            when={"optimizer": ADAM_LIKE},
            label="β1",
        ),
        Param(
            "beta2",
            "float",
            0.999,
            "Adam β2",
            low=0.0,
            high=0.99999,
            live=True,
            group="Optimiser",
            when={"optimizer": ADAM_LIKE},
            label="β2",
        ),
        Param(
            "eps",
            "float",
            1e-8,
            "Adam ε",
            low=1e-12,
            high=1.0,
            log=True,
            group="Optimiser",
            when={"optimizer": ADAM_LIKE},
            label="ε",
        ),
        Param(
            "schedule",
            "choice",
            "constant",
            "learning-rate schedule: constant, linear warm-up to "
            "η, or warm-up then cosine decay to 0",
            choices=("constant", "warmup", "cosine"),
            group="Optimiser",
        ),
        Param(
            "warmup_steps",
            "int",
            200,
            "length of the warm-up T_wrm",
            unit="steps",
            low=1,
            high=10_000_000,
            group="Optimiser",
            when={"schedule": ("warmup", "cosine")},
        ),
        Param(
            "warmup_from",
            "choice",
            "critical",
            "warm-up start: critical = the η_c estimated by "
            "forward passes (Kalra & Barkeshli 2024); zero = η/T_wrm",
            choices=("critical", "zero"),
            group="Optimiser",
            when={"schedule": ("warmup", "cosine")},
        ),
        Param(
            "steps",
            "int",
            3000,
            "number of training steps (may be raised while running)",
            unit="steps",
            low=1,
            high=10_000_000,
            live=True,
            group="Run",
        ),
        Param(
            "k_eigs",
            "int",
            1,
            "how many top Hessian eigenvalues to track",
            low=1,
            high=16,
            group="Run",
        ),
        Param(
            "eig_every",
            "int",
            10,
            "measure the sharpness every this many steps (the uv model "
            "uses its closed form at every step)",
            unit="steps",
            low=1,
            high=100_000,
            live=True,
            group="Run",
        ),
        Param(
            "batch_probes",
            "int",
            20,
            "minibatches averaged for the batch sharpness E[g_BᵀH_Bg_B/‖g_B‖²] at each "
            "sharpness measurement (Andreyev & Beneventano 2024)",
            low=1,
            high=1000,
            group="Run",
            when=MINIBATCH,
        ),
        Param(
            "reference",
            "choice",
            "none",
            "theory trajectory integrated alongside GD: central_flow = the central flow "
            "(Cohen et al. 2024; Damian et al.'s constrained trajectory), gradient flow held at "
            "sharpness ≤ 2/η, with the time-averaged loss it predicts (about 20 extra Hessian-vector "
            "products a step)",
            choices=("none", "central_flow"),
            group="Run",
            when=MLP,
        ),
    ],
    check=_check,
)
