"""The Diffusion lab: unified diffusion (GUD) — basis, prior and component-wise noise schedule —
with exact Gaussian, empirical and ELS denoisers, streaming frames live."""

from physlab.core.registry import Lab, Paper

from .experiment import DiffusionExperiment
from .frame_keys import FRAME
from .measures import MEASURES, point_cost
from .params import SPEC, memory_estimate

_DIGITS = {
    "data": "digits",
    "basis": "pixel",
    "n_samples": 2,
    "steps": 2,
    "train_size": 4,
    "frames": 2,
}
# the smallest runs of the fused exact-Gaussian step and of the empirical and ELS denoisers
WARMUP = (
    {"size": 4, "n_samples": 2, "steps": 3, "frames": 2},
    {**_DIGITS, "denoiser": "empirical"},
    {**_DIGITS, "denoiser": "els"},
)


LAB = Lab(
    name="diffusion",
    title="Diffusion",
    summary="Unified diffusion (GUD): choose the basis, the prior and the component-wise noise "
    "schedule; watch generation go from simultaneous to coarse-to-fine, with exact, "
    "memorising and creative (ELS) denoisers.",
    spec=SPEC,
    experiment=DiffusionExperiment,
    tab="physlab.diffusion.ui.tab:DiffusionTab",
    frame_spec=FRAME,
    warmup_params=WARMUP,
    order=30,
    memory_estimate=memory_estimate,
    measures=MEASURES,
    point_cost=point_cost,
    papers=(
        Paper(
            "M. Gerdes, M. Welling, M. C. N. Cheng",
            "GUD: Generation with Unified Diffusion",
            2024,
            "arXiv:2410.02667",
        ),
        Paper(
            "M. Kamb, S. Ganguli",
            "An analytic theory of creativity in convolutional diffusion models",
            2024,
            "arXiv:2412.20292",
        ),
        Paper(
            "D. Kingma, T. Salimans, B. Poole, J. Ho",
            "Variational Diffusion Models",
            2021,
            "NeurIPS",
        ),
    ),
)
