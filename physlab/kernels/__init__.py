"""The Kernels lab: mean-field / DMFT kernel dynamics (lazy vs rich) and, as a second view in the
same tab, neural scaling laws of the random-feature model."""

from physlab.core.registry import Lab, Paper

from .experiment import KernelsExperiment
from .frame_keys import FRAME, SCALING_FRAME
from .measures import KERNEL_MEASURES, SCALING_MEASURES, kernels_cost, scaling_cost
from .params import SPEC, memory_estimate
from .scaling_experiment import SPEC as SCALING_SPEC
from .scaling_experiment import ScalingExperiment
from .scaling_experiment import memory_estimate as scaling_memory_estimate

DMFT_PAPER = Paper(
    "B. Bordelon, C. Pehlevan",
    "Self-Consistent Dynamical Field Theory of Kernel Evolution in Wide Neural Networks",
    2022,
    "NeurIPS",
)


LAB = Lab(
    name="kernels",
    title="Kernel dynamics",
    summary="A wide network in the mean-field parameterisation: NTK, feature and gradient kernels "
    "evolving live, lazy (γ0 → 0) vs rich (γ0 ~ 1), against the infinite-width DMFT.",
    spec=SPEC,
    experiment=KernelsExperiment,
    tab="physlab.kernels.ui.tab:KernelsTab",
    frame_spec=FRAME,
    # the activation kernels, one run per activation
    warmup_params=tuple(
        {
            "activation": activation,
            "width": 8,
            "steps": 2,
            "n_samples": 4,
            "particles": 100,
            "snapshots": 2,
        }
        for activation in ("linear", "relu", "tanh")
    ),
    order=20,
    memory_estimate=memory_estimate,
    measures=KERNEL_MEASURES,
    point_cost=kernels_cost,
    papers=(
        DMFT_PAPER,
        Paper("Y. Cho, L. K. Saul", "Kernel Methods for Deep Learning", 2009, "NeurIPS"),
    ),
    group="Kernels",
)

SCALING_LAB = Lab(
    name="scaling",
    title="Scaling laws",
    summary="The random-feature model of neural scaling laws: loss vs time for a family of model "
    "(or data) sizes, the compute-optimal frontier, fitted vs predicted exponents, lazy "
    "or rich.",
    spec=SCALING_SPEC,
    experiment=ScalingExperiment,
    tab="physlab.kernels.ui.scaling_tab:ScalingTab",
    frame_spec=SCALING_FRAME,
    warmup_params=({"rich": True, "widths": [4, 8], "features": 32, "steps": 10},),  # rich kernel
    order=21,
    memory_estimate=scaling_memory_estimate,
    measures=SCALING_MEASURES,
    point_cost=scaling_cost,
    papers=(
        Paper(
            "B. Bordelon, A. Atanasov, C. Pehlevan",
            "A Dynamical Model of Neural Scaling Laws",
            2024,
            "ICML",
        ),
        Paper(
            "B. Bordelon, A. Atanasov, C. Pehlevan",
            "How Feature Learning Can Improve Neural Scaling Laws",
            2025,
            "ICLR",
        ),
    ),
    group="Kernels",
)
