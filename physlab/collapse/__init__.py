"""The Collapse lab: model collapse under recursive training on synthetic data, with theory."""

from physlab.core.registry import Lab, Paper

from .experiment import CollapseExperiment
from .frame_keys import FRAME
from .gaussian_theory import STRATEGIES as GAUSSIAN_STRATEGIES
from .measures import MEASURES, point_cost
from .params import SPEC, memory_estimate
from .studies import choose

_SMALL = {"d": 3, "T": 6, "T0": 6, "repeats": 2, "generations": 2}
# the smallest runs of every kernel: the chain with OLS and ridge (and its sweeps), strong
# collapse, Gaussian refitting (and its strategies), tails
WARMUP = (
    {**_SMALL, "ridge": 0.0},
    {**_SMALL, "ridge": 0.1},
    {**_SMALL, "model": "strong"},
    {**_SMALL, "model": "gaussian"},
    {
        **_SMALL,
        "model": "gaussian",
        "dim": 2,
        "M": 4,
        "gaussian_strategy": list(GAUSSIAN_STRATEGIES),
    },
    {"model": "tails", "repeats": 1, "T_values": [2, 4]},
    {**_SMALL, "model": "discrete", "outcomes": 3},
    {"model": "tails-chain", "repeats": 1, "T_values": [2, 4], "tail_generations": 1, "top_p": 0.5},
    {**_SMALL, "strategy": ["replace", "accumulate"], "design": "fixed", "measure": "chain"},
    {**_SMALL, "model": "ridge-scaling"},
)


LAB = Lab(
    name="collapse",
    title="Collapse",
    summary="Model collapse under recursive training on synthetic data: replace vs accumulate vs "
    "mix, changed scaling laws, strong collapse, verification, Gaussian refitting.",
    spec=SPEC,
    experiment=CollapseExperiment,
    choose=choose,
    tab="physlab.collapse.ui.tab:CollapseTab",
    frame_spec=FRAME,
    warmup_params=WARMUP,
    order=40,
    memory_estimate=memory_estimate,
    measures=MEASURES,
    point_cost=point_cost,
    papers=(
        Paper(
            "E. Dohmatob, Y. Feng, J. Kempe",
            "Model Collapse Demystified: The Case of Regression",
            2024,
            "NeurIPS",
        ),
        Paper(
            "M. Gerstgrasser et al.",
            "Is Model Collapse Inevitable? Breaking the Curse of "
            "Recursion by Accumulating Real and Synthetic Data",
            2024,
            "arXiv:2404.01413",
        ),
        Paper(
            "E. Dohmatob, Y. Feng, P. Yang, F. Charton, J. Kempe",
            "A Tale of Tails: Model Collapse as a Change of Scaling Laws",
            2024,
            "ICML",
        ),
        Paper(
            "E. Dohmatob, Y. Feng, A. Subramonian, J. Kempe", "Strong Model Collapse", 2025, "ICLR"
        ),
        Paper(
            "Y. Feng, E. Dohmatob, P. Yang, F. Charton, J. Kempe",
            "Beyond Model Collapse: Scaling Up with Synthesized Data Requires Verification",
            2024,
            "arXiv:2406.07515",
        ),
        Paper(
            "I. Shumailov, Z. Shumaylov, Y. Zhao, N. Papernot, R. Anderson, Y. Gal",
            "AI models collapse when trained on recursively generated data",
            2024,
            "Nature",
        ),
    ),
)
