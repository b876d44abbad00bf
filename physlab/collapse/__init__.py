"""The Collapse lab: model collapse under recursive training on synthetic data, with theory."""
from physlab.core.registry import Lab, Paper

from .experiment import CollapseExperiment
from .measures import MEASURES, point_cost
from .params import SPEC


def warmup() -> None:
    """Compile every kernel a run uses (chain with OLS and ridge, sweeps, tails, Gaussian)."""
    small = {"d": 3, "T": 6, "T0": 6, "repeats": 2, "generations": 2}
    for ridge in (0.0, 0.1):
        CollapseExperiment({**small, "ridge": ridge}, seed=0).advance(3)
    CollapseExperiment({**small, "model": "strong"}, seed=0).advance(1)
    CollapseExperiment({**small, "model": "gaussian"}, seed=0).advance(1)
    CollapseExperiment({"model": "tails", "repeats": 1, "T_values": [2, 4]}, seed=0).advance(1)


LAB = Lab(
    name="collapse",
    title="Collapse",
    summary="Model collapse under recursive training on synthetic data: replace vs accumulate vs "
            "mix, changed scaling laws, strong collapse, verification, Gaussian refitting.",
    spec=SPEC,
    experiment=CollapseExperiment,
    tab="physlab.collapse.ui.tab:CollapseTab",
    warmup=warmup,
    measures=MEASURES,
    point_cost=point_cost,
    papers=(
        Paper("E. Dohmatob, Y. Feng, J. Kempe",
              "Model Collapse Demystified: The Case of Regression", 2024, "NeurIPS"),
        Paper("M. Gerstgrasser et al.", "Is Model Collapse Inevitable? Breaking the Curse of "
              "Recursion by Accumulating Real and Synthetic Data", 2024, "arXiv:2404.01413"),
        Paper("E. Dohmatob, Y. Feng, P. Yang, F. Charton, J. Kempe",
              "A Tale of Tails: Model Collapse as a Change of Scaling Laws", 2024, "ICML"),
        Paper("E. Dohmatob, Y. Feng, A. Subramonian, J. Kempe", "Strong Model Collapse", 2025,
              "ICLR"),
        Paper("Y. Feng, E. Dohmatob, P. Yang, F. Charton, J. Kempe", "Beyond Model Collapse: "
              "Scaling Up with Synthesized Data Requires Verification", 2024,
              "arXiv:2406.07515"),
        Paper("I. Shumailov, Z. Shumaylov, Y. Zhao, N. Papernot, R. Anderson, Y. Gal",
              "AI models collapse when trained on recursively generated data", 2024, "Nature"),
    ),
)
