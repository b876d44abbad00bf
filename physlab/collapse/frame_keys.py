"""What a Collapse frame holds, per model (see :mod:`physlab.core.frames`). G: generations so
far (plus the clean one), X: points of the sweep, Q: ranks drawn in the tails view."""

from physlab.core.frames import FrameKey, FrameSpec

REGRESSION, GAUSSIAN = {"model": ("regression",)}, {"model": ("gaussian",)}
TAILS, STRONG, VERIFY = {"model": ("tails",)}, {"model": ("strong",)}, {"model": ("verify",)}
CHAIN, DISCRETE = {"model": ("tails-chain",)}, {"model": ("discrete",)}
SCALING = {"model": ("ridge-scaling",)}  # N: generations shown, X: sample sizes T
D_ROWS = "len(discrete_strategy)"  # one row per selected discrete strategy, in declared order
CHAIN_ROWS = "tail_generations + 1"  # the real data, then each generation
ROWS = "len(strategy)"  # one row per selected strategy, in the order replace, accumulate, mix
SWEEP_ROWS = "len(strategy) + 1"  # the clean model first, then each strategy after n generations
TAIL_ROWS = 4  # clean, tail cut at k, tail narrowed, clean fraction π + cut (tails.CURVES)
PER_REPEAT = "over repeats done so far"
G_ROWS = "len(gaussian_strategy)"  # one row per selected Gaussian strategy, in declared order


def _band(name: str, rows, x: str, what: str, when: dict, finite: str = "any") -> list[FrameKey]:
    """Mean and standard deviation over repeats: NaN where no repeat is done yet (a sweep before
    its first step may be all NaN; ``finite`` says how much of the mean must be finite)."""
    return [
        FrameKey(
            f"{name}_mean", (rows, x), "float64", f"{what}: mean {PER_REPEAT}", when, finite=finite
        ),
        FrameKey(
            f"{name}_std",
            (rows, x),
            "float64",
            f"{what}: standard deviation {PER_REPEAT}",
            when,
            finite="any",
        ),
    ]


FRAME = FrameSpec(
    [
        FrameKey(
            "generation", ("G",), "int64", "generation n (0 = trained on real data)", REGRESSION
        ),
        *_band("error", ROWS, "G", "test error ‖ŵ − w₀‖²_Σ per strategy", REGRESSION),
        FrameKey(
            "theory",
            (ROWS, "G"),
            "float64",
            "the theory's test error per strategy "
            "(Dohmatob, Feng & Kempe 2024; Gerstgrasser et al. 2024)",
            REGRESSION,
            finite="any",
        ),
        FrameKey(
            "T_values",
            ("X",),
            "int64",
            "downstream sample sizes T of the scaling-law view",
            REGRESSION,
        ),
        *_band(
            "sweep_error",
            SWEEP_ROWS,
            "X",
            "test error vs T, clean and after the last generation",
            REGRESSION,
            finite="some",
        ),  # the clean row is there from the start
        FrameKey(
            "sweep_theory",
            (SWEEP_ROWS, "X"),
            "float64",
            "the theory of that view",
            REGRESSION,
            finite="any",
        ),
        FrameKey("generation", ("G",), "int64", "generation n", GAUSSIAN),
        FrameKey(
            "log_variance_paths",
            ("min(8, repeats)", "G"),
            "float64",
            "log σ²ₙ of single repeats of the first strategy",
            GAUSSIAN,
        ),
        FrameKey(
            "log_variance_median",
            (G_ROWS, "G"),
            "float64",
            "median log σ²ₙ over repeats (σ² = det Σ^(1/d))",
            GAUSSIAN,
        ),
        *_band("log_variance", G_ROWS, "G", "log σ²ₙ = (1/d) log det Σₙ", GAUSSIAN),
        FrameKey(
            "theory_log_variance",
            (G_ROWS, "G"),
            "float64",
            "E log σ²ₙ where a closed form exists, else NaN (Shumailov et al. 2024; "
            "gaussian_theory)",
            GAUSSIAN,
            finite="any",
        ),
        FrameKey(
            "theory_log_variance_std",
            (G_ROWS, "G"),
            "float64",
            "sd of log σ²ₙ under replace (Bartlett), else NaN",
            GAUSSIAN,
            finite="any",
        ),
        FrameKey(
            "mean_sq_drift", (G_ROWS, "G"), "float64", f"‖μₙ − μ₀‖²: mean {PER_REPEAT}", GAUSSIAN
        ),
        FrameKey(
            "mean_sq_drift_std",
            (G_ROWS, "G"),
            "float64",
            "its standard deviation",
            GAUSSIAN,
            finite="any",
        ),
        FrameKey(
            "theory_mean_drift",
            (G_ROWS, "G"),
            "float64",
            "E‖μₙ − μ₀‖² (replace: n·d/M for the unbiased fit)",
            GAUSSIAN,
        ),
        *_band("variance", G_ROWS, "G", "σ²ₙ = tr Σₙ/d", GAUSSIAN),
        FrameKey(
            "theory_variance",
            (G_ROWS, "G"),
            "float64",
            "E tr Σₙ/d (exact linear recursions, gaussian_theory.moments)",
            GAUSSIAN,
        ),
        FrameKey("T_values", ("len(T_values)",), "int64", "training-set sizes T", TAILS),
        *_band(
            "error", TAIL_ROWS, "len(T_values)", "test error (unseen mass) per generator", TAILS
        ),
        FrameKey(
            "theory",
            (TAIL_ROWS, "len(T_values)"),
            "float64",
            "Σ p_i (1 − q_i)^T (Dohmatob et al., A Tale of Tails, 2024)",
            TAILS,
            finite="any",
        ),
        FrameKey(
            "plateau", (1,), "float64", "tail mass beyond the cut-off rank k", TAILS, finite="any"
        ),
        FrameKey("rank", ("Q",), "int64", "ranks i shown in the generator view", TAILS),
        FrameKey(
            "generator_probability",
            (TAIL_ROWS, "Q"),
            "float64",
            "q_i of each generator",
            TAILS,
            finite="any",
        ),
        FrameKey("generation", ("G",), "int64", "generation n", DISCRETE),
        *_band(
            "diversity", D_ROWS, "G", "Gini–Simpson diversity Hₙ/H₀ = (1 − Σq²)/(1 − 1/K)", DISCRETE
        ),
        FrameKey(
            "theory_diversity",
            (D_ROWS, "G"),
            "float64",
            "E Hₙ/H₀ (exact moment recursions; Kazdan et al. 2024 set-up)",
            DISCRETE,
        ),
        *_band("entropy", D_ROWS, "G", "entropy of the fitted proportions (nats)", DISCRETE),
        *_band("zero_fraction", D_ROWS, "G", "fraction of outcomes with proportion 0", DISCRETE),
        *_band("distance", D_ROWS, "G", "‖qₙ − q₀‖²", DISCRETE),
        FrameKey("theory_distance", (D_ROWS, "G"), "float64", "E‖qₙ − q₀‖² (exact)", DISCRETE),
        FrameKey("T_values", ("len(T_values)",), "int64", "training-set sizes T", CHAIN),
        *_band(
            "error",
            CHAIN_ROWS,
            "len(T_values)",
            "test error (unseen p-mass) trained on T draws of each generation",
            CHAIN,
        ),
        FrameKey(
            "theory",
            (CHAIN_ROWS, "len(T_values)"),
            "float64",
            "mean-field Σ p_i[1 − P_i(1 − q_i)^T] (Dohmatob et al., A Tale of Tails, 2024)",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "plateau_mean",
            (CHAIN_ROWS,),
            "float64",
            f"p-mass each generation never produces: mean {PER_REPEAT}",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "plateau_std",
            (CHAIN_ROWS,),
            "float64",
            f"its standard deviation {PER_REPEAT}",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "theory_plateau",
            (CHAIN_ROWS,),
            "float64",
            "its mean-field expectation",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "paper_law",
            (CHAIN_ROWS, "len(T_values)"),
            "float64",
            "the paper's law C_β(T^−c + n·T0^−c) (Dohmatob et al. 2024; NaN unless τ = 1, top-p = 1)",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "plateau_law",
            (CHAIN_ROWS,),
            "float64",
            "ours: the plateau C_β·S_n·T0^−c, S_n = Σ_k (−1)^(k+1) C(n, k) k^−c (NaN as paper_law)",
            CHAIN,
            finite="any",
        ),
        FrameKey(
            "cutoff_rank",
            (CHAIN_ROWS,),
            "int64",
            "mean-field cut-off k_g (last rank kept with probability ≥ ½)",
            CHAIN,
        ),
        FrameKey("rank", ("Q",), "int64", "ranks i shown in the generator view", CHAIN),
        FrameKey(
            "generator_probability",
            (CHAIN_ROWS, "Q"),
            "float64",
            "mean-field q_i of each generation",
            CHAIN,
            finite="any",
        ),
        FrameKey("T_values", ("X",), "int64", "training sample sizes n", STRONG),
        *_band("error", 2, "X", "test error ‖ŵ − w₁‖², mixed then clean", STRONG),
        FrameKey(
            "theory",
            (2, "X"),
            "float64",
            "the theory (Dohmatob et al., Strong Model Collapse, 2025)",
            STRONG,
            finite="any",
        ),
        FrameKey("floor", (1,), "float64", "the error floor p₂²c²", STRONG, finite="any"),
        FrameKey(
            "flip_values", ("X",), "float64", "label-flip probabilities p", VERIFY, finite="all"
        ),
        *_band("accuracy", 2, "X", "clean test accuracy, with then without the verifier", VERIFY),
        FrameKey(
            "theory",
            (2, "X"),
            "float64",
            "finite-T theory of the accuracy (Feng et al. 2024)",
            VERIFY,
            finite="any",
        ),
        FrameKey(
            "critical_flip",
            (2,),
            "float64",
            "the critical flip probability p*",
            VERIFY,
            finite="any",
        ),
        FrameKey(
            "kept_noise",
            (2, "X"),
            "float64",
            "label noise p′ left after verification",
            VERIFY,
            finite="any",
        ),
        FrameKey("bayes_accuracy", (2,), "float64", "Bayes accuracy Φ(±‖μ‖)", VERIFY, finite="any"),
        FrameKey("n_values", ("N",), "int64", "generations n shown (0 = clean labels)", SCALING),
        FrameKey("T_values", ("X",), "int64", "downstream sample sizes T", SCALING),
        FrameKey("ridge_values", ("X",), "float64", "ridge penalty λ at each T", SCALING),
        *_band(
            "error",
            "N",
            "X",
            "test error ‖ŵ − w₀‖²_Σ of the ridge fit vs T, per generation n",
            SCALING,
        ),
        FrameKey(
            "theory",
            ("N", "X"),
            "float64",
            "deterministic equivalent at finite d (Dohmatob, Feng & Kempe 2024 set-up)",
            SCALING,
        ),
        FrameKey(
            "rate_theory",
            ("N", "X"),
            "float64",
            "the paper's rates T^(−2ℓr) + [σ² + nσ0²T/((1−φ0)T0)]·T^−(1−ℓ/β), constants 1",
            SCALING,
        ),
        FrameKey(
            "crossover_T",
            ("N",),
            "float64",
            "T* where the generations' term reaches the clean error (NaN: none on the grid)",
            SCALING,
            finite="any",
        ),
        FrameKey(
            "exponent_measured",
            ("N", 2),
            "float64",
            "slope of log E vs log T before (T ≤ T*/10) and after (T ≥ 10T*) the crossover",
            SCALING,
            finite="any",
        ),
        FrameKey(
            "exponent_theory",
            ("N", 2),
            "float64",
            "the same slopes of the deterministic equivalent",
            SCALING,
            finite="any",
        ),
        FrameKey(
            "exponent_paper",
            (2,),
            "float64",
            "the paper's exponents: −min(2ℓr, 1 − ℓ/β) before, +ℓ/β after the crossover",
            SCALING,
        ),
    ]
)
