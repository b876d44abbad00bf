"""The Sharpness lab: edge of stability, progressive sharpening, catapults, warm-up, the uv
model."""

from physlab.core.registry import Lab, Paper

from .experiment import SharpnessExperiment
from .frame_keys import FRAME
from .measures import MEASURES, axis_title, point_cost, sweep_overlays
from .params import SPEC, memory_estimate

# the smallest runs that compile every kernel (the MLP with each optimiser, full-batch and on
# minibatches with the per-class loss and no biases, uv, bifurcation)
WARMUP = tuple(
    {
        "optimizer": optimizer,
        "width": [3],
        "depth": 1,
        "n_samples": 4,
        "steps": 2,
        "eig_every": 1,
        "schedule": "warmup",
        "warmup_steps": 1,
    }
    for optimizer in ("gd", "momentum", "adam")
) + (
    {
        "optimizer": "nesterov",
        "width": [3],
        "depth": 1,
        "n_samples": 4,
        "batch": 2,
        "init": "he",
        "loss_norm": "class",
        "steps": 2,
        "eig_every": 1,
        "batch_probes": 2,
    },
    {"model": "uv", "width": [4], "steps": 2},
    {"width": [3], "depth": 1, "n_samples": 4, "steps": 2, "reference": "central_flow"},
)


LAB = Lab(
    name="sharpness",
    title="Sharpness",
    summary="Top Hessian eigenvalue vs the stability threshold 2/η: progressive sharpening, "
    "edge of stability, catapults, warm-up, and the uv model's route to chaos.",
    spec=SPEC,
    experiment=SharpnessExperiment,
    tab="physlab.sharpness.ui.tab:SharpnessTab",
    frame_spec=FRAME,
    warmup_params=WARMUP,
    order=10,
    memory_estimate=memory_estimate,
    measures=MEASURES,
    sweep_overlays=sweep_overlays,
    point_cost=point_cost,
    axis_title=axis_title,
    papers=(
        Paper(
            "J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar",
            "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability",
            2021,
            "ICLR",
        ),
        Paper(
            "A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari",
            "The large learning rate phase of deep learning: the catapult mechanism",
            2020,
            "arXiv:2003.02218",
        ),
        Paper(
            "D. S. Kalra, M. Barkeshli",
            "Phase diagram of early training dynamics in deep neural networks",
            2023,
            "NeurIPS",
        ),
        Paper(
            "D. S. Kalra, M. Barkeshli",
            "Why Warmup the Learning Rate? Underlying Mechanisms and Improvements",
            2024,
            "NeurIPS",
        ),
        Paper(
            "D. S. Kalra, T. He, M. Barkeshli",
            "Universal Sharpness Dynamics in Neural "
            "Network Training: Fixed Point Analysis, Edge of Stability, and Route to Chaos",
            2023,
            "arXiv:2311.02076",
        ),
        Paper(
            "A. Andreyev, P. Beneventano",
            "Edge of Stochastic Stability: Revisiting the Edge of Stability for SGD",
            2024,
            "arXiv:2412.20553",
        ),
        Paper(
            "J. Cohen et al.",
            "Adaptive Gradient Methods at the Edge of Stability",
            2022,
            "arXiv:2207.14484",
        ),
    ),
)
