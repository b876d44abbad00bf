"""The Collapse lab's parameters (the CLI names are a contract)."""

from __future__ import annotations

from physlab.core.params import Param, ParamError, ParamSpec, check_increasing, check_memory

from .discrete_fits import STRATEGIES as DISCRETE_STRATEGIES
from .gaussian_theory import STRATEGIES as GAUSSIAN_STRATEGIES
from .regression import STRATEGIES
from .tails import N_ITEMS

MODELS = (
    "regression",
    "tails",
    "strong",
    "verify",
    "gaussian",
    "tails-chain",
    "discrete",
    "ridge-scaling",
)

REG = {"model": ("regression",)}
SCALING = "ridge-scaling"  # Dohmatob, Feng & Kempe 2024 §5: tuned ridge on a power law


def _models(*names: str) -> dict:
    return {"model": names}


def memory_estimate(p: dict) -> int:
    """Bytes the run's state takes (the arrays that grow with the parameters)."""
    if p["model"] == "regression":
        pooled = (
            p["repeats"]
            * p["d"] ** 2
            * 8
            * (("accumulate" in p["strategy"]) + (p["design"] == "fixed"))
        )
        return pooled + 8 * p["repeats"] * (4 * p["d"] + 3 * (p["generations"] + 1))
    if p["model"] == SCALING:  # the chain, the kept generators and the errors at every T
        n_kept = 2 + int(p["generations"]).bit_length()
        return 8 * p["repeats"] * (p["d"] * (4 + n_kept) + 21 * n_kept)
    if p["model"] == "gaussian":  # the state, one block of generations, per-generation stats
        d, rows = p["dim"], len(p["gaussian_strategy"])
        state = 8 * p["repeats"] * rows * (d * d + d + 1)
        pool = 8 * p["repeats"] * p["generations"] * p["M"] * d  # accumulate-subsample keeps it
        pool *= "accumulate-subsample" in p["gaussian_strategy"]
        block = 24 * max(1 << 21, p["repeats"])
        return state + pool + block + rows * 200 * (p["generations"] + 1)
    if p["model"] == "verify":
        return 8 * p["repeats"] * 41 * (p["d"] + 4)
    if p["model"] == "discrete":  # every sample's label, per-generation stats, per-thread counts
        rows = len(p["discrete_strategy"])
        pool = 4 * rows * p["repeats"] * p["generations"] * p["M"]
        return (
            pool + 8 * rows * (p["generations"] + 1) * (8 + 4 * p["repeats"]) + 16 * p["outcomes"]
        )
    if p["model"] == "tails-chain":  # per thread: q, its alias table, seen; mean-field chain
        rows = p["tail_generations"] + 1
        return 64 * N_ITEMS + 16 * N_ITEMS * rows + 8 * p["repeats"] * rows * 66
    return 8 * p["repeats"] * (4 * 16 + 2 * p["d"])


def _check_generators(p: dict) -> None:
    """T0 ≥ d + 2: OLS generators; T0 < d: minimum-norm ones (T0 ≤ d − 2 with noise, where
    E tr(XXᵀ)⁻¹ = T0/(d−T0−1) is finite), with a closed form for Σ = I under replace (fresh or
    fixed design) and accumulate (fixed design). In between the expected fit error is infinite."""
    d, T0 = p["d"], p["T0"]
    ols = f"T0 ≥ d + 2 = {d + 2} (OLS generators)"
    top = d - 2 if p["sigma0"] > 0 else d - 1
    if d + 2 <= T0:
        return
    if top < T0:
        raise ParamError(
            "T0",
            f"{T0} is too close to d = {d}: use {ols} or T0 ≤ {top} (minimum-norm generators"
            + (", whose noise term σ0²T0/(d−T0−1) needs T0 ≤ d − 2)" if p["sigma0"] > 0 else ")"),
        )
    unsupported = [s for s in p["strategy"] if s == "mix" or s == "accumulate"]
    if p["design"] == "fixed":
        unsupported = [s for s in unsupported if s == "mix"]
    if unsupported:
        raise ParamError(
            "strategy",
            f"T0 = {T0} < d = {d} makes the generators minimum-norm fits, run for replace "
            f"(fresh or fixed design) and accumulate (fixed design) only: unselect "
            f"{' and '.join(unsupported)}, or use {ols}",
        )
    if p["covariance"] != "isotropic":
        raise ParamError(
            "covariance",
            f"minimum-norm generators (T0 = {T0} < d = {d}) are run with isotropic Σ only "
            f"(their closed form); use isotropic or {ols}",
        )


def _check_scaling(p: dict) -> None:
    """OLS generators (their error passes through the ridge fit in closed form) and a ridge."""
    if p["T0"] < p["d"] + 2:
        raise ParamError(
            "T0", f"{p['T0']} is too small: ridge-scaling needs T0 ≥ d + 2 = {p['d'] + 2}"
        )
    if p["ridge_rule"] == "fixed" and p["ridge"] <= 0.0:
        raise ParamError("ridge", "a fixed ridge must be > 0 (the scaling law starts at T = 10)")


def _check(p: dict) -> None:
    model = p["model"]
    if model == "regression":
        _check_generators(p)
        if p["design"] == "fixed" and "mix" in p["strategy"]:
            raise ParamError(
                "design",
                "fixed applies to replace and accumulate; mix draws fresh "
                "real data every generation (unselect mix or use fresh)",
            )
        if p["ridge"] == 0.0 and p["T"] < p["d"] + 2:
            raise ParamError(
                "T",
                f"{p['T']} is too small for an OLS fit: use T ≥ d + 2 = {p['d'] + 2}, or ridge > 0",
            )
    if model == SCALING:
        _check_scaling(p)
    if model == "tails-chain":
        check_increasing("T_values", p["T_values"])
    if model == "tails":
        if p["narrowed_exponent"] <= p["zipf_exponent"]:
            raise ParamError(
                "narrowed_exponent",
                f"{p['narrowed_exponent']:g} must exceed "
                f"zipf_exponent = {p['zipf_exponent']:g} (narrowing thins the tail)",
            )
        check_increasing("T_values", p["T_values"])
    if model == "gaussian" and p["M"] < p["dim"] + 1:
        raise ParamError(
            "M",
            f"{p['M']} is too small: a covariance fit in dim = {p['dim']} needs "
            f"M ≥ dim + 1 = {p['dim'] + 1} samples",
        )
    if model == "verify" and p["keep_correct"] == 0.0 and p["keep_wrong"] == 0.0:
        raise ParamError("keep_correct", "the verifier keeps nothing when ϕ = ψ = 0")
    check_memory(memory_estimate(p), "repeats", "lower repeats, d or generations")


SPEC = ParamSpec(
    [
        Param(
            "model",
            "choice",
            "regression",
            "regression: linear regression retrained on its own "
            "labels; tails: Hutter's Zipf memorisation model; strong: a fixed synthetic fraction; "
            "verify: synthetic labels filtered by a verifier; gaussian: refitting a Gaussian; "
            "tails-chain: Hutter's model over several generations of memorisers; discrete: "
            "refitting a discrete distribution's proportions; ridge-scaling: the scaling law of a "
            "tuned ridge fit on synthetic data (power-law spectrum, source condition)",
            choices=MODELS,
            group="Model",
        ),
        Param(
            "d",
            "int",
            100,
            "input dimension d",
            low=1,
            high=500,
            group="Data",
            when=_models("regression", "strong", "verify", SCALING),
        ),
        Param(
            "T",
            "int",
            200,
            "samples of the measured (downstream) fit; for verify, synthetic "
            "samples before verification",
            low=2,
            high=10_000_000,
            log=True,
            group="Data",
            when=_models("regression", "verify"),
        ),
        Param(
            "T0",
            "int",
            200,
            "samples per generation of the generators: OLS fits when T0 ≥ d + 2, "
            "minimum-norm (pseudo-inverse) fits when T0 < d (isotropic Σ; replace, or "
            "accumulate with the fixed design)",
            low=1,
            high=10_000_000,
            log=True,
            group="Data",
            when=_models("regression", SCALING),
        ),
        Param(
            "sigma",
            "float",
            1.0,
            "label noise σ of the measured fit (and of strong's data)",
            low=0.0,
            high=100.0,
            group="Data",
            when=_models("regression", "strong", SCALING),
            label="σ",
        ),
        Param(
            "sigma0",
            "float",
            1.0,
            "label noise σ0 each generator adds",
            low=0.0,
            high=100.0,
            group="Data",
            when=_models("regression", SCALING),
            label="σ0",
        ),
        Param(
            "covariance",
            "choice",
            "isotropic",
            "input covariance Σ: isotropic (I) or power law (eigenvalues i^−a)",
            choices=("isotropic", "powerlaw"),
            group="Data",
            when=REG,
        ),
        Param(
            "cov_exponent",
            "float",
            1.5,
            "power-law exponent a of Σ's eigenvalues i^−a",
            low=0.1,
            high=4.0,
            group="Data",
            when={"model": ("regression",), "covariance": ("powerlaw",)},
        ),
        Param(
            "beta",
            "float",
            2.0,
            "capacity exponent β > 1 of Σ's eigenvalues i^−β (ridge-scaling)",
            low=1.1,
            high=4.0,
            group="Data",
            when=_models(SCALING),
            label="β",
        ),
        Param(
            "source_exponent",
            "float",
            0.75,
            "source exponent r of w0: λᵢ·E w0ᵢ² ∝ i^−(1+2βr) (ridge saturates at r = 1)",
            low=0.05,
            high=1.0,
            group="Data",
            when=_models(SCALING),
            label="r",
        ),
        Param(
            "ridge_rule",
            "choice",
            "tuned",
            "ridge of the measured fit: tuned = λ = T^−ℓ_crit, ℓ_crit = β/(1 + 2βr) (the "
            "paper's rule for clean data); fixed = the value of ridge at every T",
            choices=("tuned", "fixed"),
            group="Recursion",
            when=_models(SCALING),
        ),
        Param(
            "strategy",
            "multi",
            list(STRATEGIES),
            "what each generation trains on: replace = only "
            "the previous model's synthetic data; accumulate = all data so far; mix = a fresh real "
            "fraction plus synthetic",
            choices=STRATEGIES,
            group="Recursion",
            when=REG,
        ),
        Param(
            "real_fraction",
            "float",
            0.5,
            "fresh real fraction of each generation's data (mix)",
            low=0.0,
            high=1.0,
            live=True,
            group="Recursion",
            when=REG,
        ),
        Param(
            "generations",
            "int",
            20,
            "number of generations n (may be raised while running)",
            low=1,
            high=100_000,
            live=True,
            group="Recursion",
            when=_models("regression", "gaussian", "discrete", SCALING),
        ),
        Param(
            "design",
            "choice",
            "fresh",
            "inputs of the generators: fresh = new X every "
            "generation; fixed = one X reused by every generation (Gerstgrasser et al.'s theorem "
            "and the KoyejoLab code; replace and accumulate only)",
            choices=("fresh", "fixed"),
            group="Recursion",
            when=REG,
        ),
        Param(
            "measure",
            "choice",
            "downstream",
            "what is measured: downstream = a fresh fit on T "
            "samples labelled by ŵₙ (Dohmatob et al.); chain = the generator ŵₙ itself "
            "(Gerstgrasser et al.)",
            choices=("downstream", "chain"),
            group="Recursion",
            when=REG,
        ),
        Param(
            "ridge",
            "float",
            0.0,
            "ridge penalty λ of the measured fit (0 = OLS; the objective is ‖Xw − y‖²/T + λ‖w‖²)",
            low=0.0,
            high=100.0,
            group="Recursion",
            when=_models("regression", SCALING),
        ),
        Param(
            "M",
            "int",
            10,
            "samples drawn from each generation's Gaussian",
            low=2,
            high=1_000_000,
            log=True,
            group="Recursion",
            when=_models("gaussian", "discrete"),
        ),
        Param(
            "gaussian_strategy",
            "multi",
            ["replace"],
            "what each Gaussian fit sees: replace = the previous "
            "generation's M samples; accumulate = all data so far; accumulate-subsample = M points "
            "drawn from all data so far (Kazdan et al. 2024, KoyejoLab code); mix = a fraction "
            "original_fraction of fresh real samples plus synthetic ones (Shumailov et al. 2024)",
            choices=GAUSSIAN_STRATEGIES,
            group="Recursion",
            when=_models("gaussian"),
        ),
        Param(
            "discrete_strategy",
            "multi",
            list(DISCRETE_STRATEGIES),
            "what each discrete fit sees: replace = the previous generation's M samples; "
            "accumulate = all samples so far; accumulate-subsample = M of them (the KoyejoLab "
            "code's three settings)",
            choices=DISCRETE_STRATEGIES,
            group="Recursion",
            when=_models("discrete"),
        ),
        Param(
            "outcomes",
            "int",
            100,
            "number K of outcomes (uniform at generation 0)",
            low=2,
            high=100_000,
            log=True,
            group="Recursion",
            when=_models("discrete"),
        ),
        Param(
            "dim",
            "int",
            1,
            "dimension d of the Gaussian (N(0, I_d) at generation 0; multivariate fits as in "
            "Shumailov et al. and the KoyejoLab code)",
            low=1,
            high=32,
            group="Recursion",
            when=_models("gaussian"),
        ),
        Param(
            "variance_fit",
            "choice",
            "unbiased",
            "covariance estimator: unbiased (divide by N − 1, Shumailov et al.) or mle (divide "
            "by N, the KoyejoLab code's np.cov(bias=True))",
            choices=("unbiased", "mle"),
            group="Recursion",
            when=_models("gaussian"),
        ),
        Param(
            "original_fraction",
            "float",
            0.1,
            "fraction of each generation's M samples drawn fresh from the original N(0, I) (mix)",
            low=0.0,
            high=1.0,
            group="Recursion",
            when=_models("gaussian"),
        ),
        Param(
            "zipf_exponent",
            "float",
            2.0,
            "Zipf exponent β of the input frequencies p_i ∝ i^−β",
            low=1.2,
            high=5.0,
            group="Tails",
            when=_models("tails", "tails-chain"),
            label="zipf_exponent β",
        ),
        Param(
            "cutoff",
            "int",
            100,
            "rank k beyond which the tail-cutting generator never produces",
            low=1,
            high=N_ITEMS - 1,
            log=True,
            group="Tails",
            when=_models("tails"),
        ),
        Param(
            "narrowed_exponent",
            "float",
            3.0,
            "exponent β' > β of the tail-narrowing generator",
            low=1.2,
            high=10.0,
            group="Tails",
            when=_models("tails"),
            label="narrowed β'",
        ),
        Param(
            "clean_fraction",
            "float",
            0.1,
            "clean fraction π mixed with the tail-cut data",
            low=0.0,
            high=1.0,
            group="Tails",
            when=_models("tails"),
            label="clean_fraction π",
        ),
        Param(
            "T_values",
            "ints",
            [
                10,
                20,
                50,
                100,
                200,
                500,
                1000,
                2000,
                5000,
                10_000,
                20_000,
                50_000,
                100_000,
                200_000,
                500_000,
                1_000_000,
            ],
            "training-set sizes T where the error is recorded (increasing)",
            low=1,
            high=10_000_000,
            max_len=64,
            group="Tails",
            when=_models("tails", "tails-chain"),
        ),
        Param(
            "tail_T0",
            "int",
            10_000,
            "samples T0 each generation's memoriser is trained on (its cut-off k ~ T0^(1/β))",
            low=1,
            high=10_000_000,
            log=True,
            group="Tails",
            when=_models("tails-chain"),
            label="tail_T0 T0",
        ),
        Param(
            "tail_generations",
            "int",
            5,
            "generations n of memorisers, each trained on the previous one's samples",
            low=1,
            high=30,
            group="Tails",
            when=_models("tails-chain"),
        ),
        Param(
            "temperature",
            "float",
            1.0,
            "sampling temperature τ of every generator (q ∝ q_prev^(1/τ); τ < 1 thins the tail)",
            low=0.2,
            high=2.0,
            group="Tails",
            when=_models("tails-chain"),
            label="temperature τ",
        ),
        Param(
            "top_p",
            "float",
            1.0,
            "nucleus sampling: every generator keeps the smallest head of mass ≥ top_p",
            low=0.01,
            high=1.0,
            group="Tails",
            when=_models("tails-chain"),
        ),
        Param(
            "synthetic_fraction",
            "float",
            0.2,
            "fraction p2 of the training data that is synthetic",
            low=0.0,
            high=1.0,
            group="Strong",
            when=_models("strong"),
            label="synthetic_fraction p2",
        ),
        Param(
            "shift",
            "float",
            1.0,
            "distance c = ‖w2 − w1‖ between the synthetic and the true labelling",
            low=0.0,
            high=100.0,
            group="Strong",
            when=_models("strong"),
            label="shift c",
        ),
        Param(
            "flip",
            "float",
            0.3,
            "operating point p: probability that a synthetic label is "
            "flipped (the sweep covers p ∈ [0, 1])",
            low=0.0,
            high=1.0,
            group="Verify",
            when=_models("verify"),
            label="flip p",
        ),
        Param(
            "keep_correct",
            "float",
            0.9,
            "probability ϕ that the verifier keeps a correct sample",
            low=0.0,
            high=1.0,
            group="Verify",
            when=_models("verify"),
            label="keep_correct ϕ",
        ),
        Param(
            "keep_wrong",
            "float",
            0.3,
            "probability ψ that the verifier keeps a wrong sample",
            low=0.0,
            high=1.0,
            group="Verify",
            when=_models("verify"),
            label="keep_wrong ψ",
        ),
        Param(
            "mu_norm",
            "float",
            1.5,
            "class separation ‖μ‖ (x | y ~ N(yμ, I))",
            low=0.01,
            high=10.0,
            group="Verify",
            when=_models("verify"),
            label="mu_norm ‖μ‖",
        ),
        Param(
            "repeats",
            "int",
            100,
            "independent repeats averaged (bands show ±1 standard error)",
            low=1,
            high=100_000,
            log=True,
            group="Run",
        ),
    ],
    check=_check,
)
