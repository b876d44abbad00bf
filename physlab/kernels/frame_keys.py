"""What a Kernels frame and a Scaling-laws frame hold (see :mod:`physlab.core.frames`).

Kernels: T recorded steps, S kernel snapshots, St snapshots the theory reached (its horizon);
P = ``n_samples``, L = ``depth``. Scaling: C curves (one per model or data size), T recorded
times, F points of the compute frontier."""

from physlab.core.frames import FrameKey, FrameSpec

P, L = "n_samples", "depth"
THEORY = "only where the infinite-width theory exists for the run (summary()['theory'])"

FRAME = FrameSpec(
    [
        FrameKey("step", ("T",), "int64", "training step of each recorded row"),
        FrameKey("loss", ("T",), "float64", "training loss"),
        FrameKey("alignment", ("T",), "float64", "kernel–target alignment of the empirical NTK"),
        FrameKey(
            "theory_loss",
            ("T",),
            "float64",
            "the DMFT theory's loss (NaN past its horizon)",
            finite="any",
        ),
        FrameKey(
            "theory_alignment",
            ("T",),
            "float64",
            "the theory's NTK alignment (NaN past it)",
            finite="any",
        ),
        FrameKey("ntk_step", ("S",), "int64", "step of each kernel snapshot"),
        FrameKey("ntk", ("S", P, P), "float64", "empirical NTK on the training inputs"),
        FrameKey("phi", (L, "S", P, P), "float64", "feature kernels Φ^ℓ of each hidden layer"),
        FrameKey(
            "g_kernel", (L, "S", P, P), "float64", "gradient kernels G^ℓ of each hidden layer"
        ),
        FrameKey(
            "theory_step",
            ("St",),
            "int64",
            "step of each theory snapshot; " + THEORY,
            optional=True,
        ),
        FrameKey(
            "theory_ntk",
            ("St", P, P),
            "float64",
            "the theory's NTK; " + THEORY,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "theory_phi",
            (L, "St", P, P),
            "float64",
            "the theory's Φ^ℓ; " + THEORY,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "theory_g",
            (L, "St", P, P),
            "float64",
            "the theory's G^ℓ; " + THEORY,
            optional=True,
            finite="any",
        ),
        FrameKey("y", (P,), "float64", "training targets", finite="all"),
        FrameKey("input_kernel", (P, P), "float64", "input kernel K_x = XXᵀ/D", finite="all"),
    ]
)

FRONTIER = "only with family = widths once two curves are complete"
WIDTHS = {"family": ("widths",)}
RICH = {"rich": (True,)}  # rich runs' N → ∞ curve: optional, as sessions saved before it lack it

SCALING_FRAME = FrameSpec(
    [
        FrameKey("step", ("T",), "int64", "GD step t of each recorded point (log-spaced)"),
        FrameKey("widths", ("C",), "int64", "model size N of each curve"),
        FrameKey("samples", ("C",), "int64", "data set size P of each curve"),
        FrameKey(
            "loss",
            ("C", "T"),
            "float64",
            "test loss Σ λ_k (v*_k − v_k)² (NaN until computed)",
            finite="any",
        ),
        FrameKey(
            "fitted_exponent", ("C",), "float64", "time exponent fitted to each curve", finite="any"
        ),
        FrameKey(
            "fitted_exponent_error",
            ("C",),
            "float64",
            "its standard error (regression)",
            finite="any",
        ),
        FrameKey("theory_exponent", ("C",), "float64", "the theory's time exponent", finite="all"),
        FrameKey(
            "window_fitted_exponent",
            ("C",),
            "float64",
            "slope of the N → ∞ theory curve (the rich one for rich runs) over each curve's "
            "fit window",
            finite="any",
        ),
        FrameKey(
            "late_exponent",
            (),
            "float64",
            "the exponent finite-N curves turn to: 1 − 1/α on easy tasks (β > 1), β otherwise",
            finite="any",
        ),
        FrameKey(
            "theory_loss", ("T",), "float64", "infinite-size loss of the lazy theory", finite="any"
        ),
        FrameKey(
            "rich_theory_loss",
            ("T",),
            "float64",
            "infinite-size loss of the rich model (N, P → ∞, the same γ0 and η; "
            "scaling_rich_theory); NaN past rich_theory_horizon",
            when=RICH,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "rich_theory_late_exponent",
            (),
            "float64",
            "slope of rich_theory_loss over the last decade of its power-law window "
            "(approaches 2β/(1+β) on hard tasks, β on easy ones)",
            when=RICH,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "rich_theory_horizon",
            (),
            "int64",
            "the last step rich_theory_loss reaches: where GD on the N → ∞ model turns unstable "
            "(η·λ_1·(1 + γ|w|²) ≥ 2) or where the run has got to",
            when=RICH,
            optional=True,
        ),
        FrameKey(
            "rich_theory_late_exponent_error",
            (),
            "float64",
            "its standard error",
            when=RICH,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "size_fitted_exponent",
            (),
            "float64",
            "exponent of the final loss vs size, fitted",
            finite="any",
        ),
        FrameKey("size_fitted_exponent_error", (), "float64", "its standard error", finite="any"),
        FrameKey(
            "size_theory_exponent",
            (),
            "float64",
            "the theory's exponent of loss vs size",
            finite="any",
        ),
        FrameKey(
            "frontier_compute",
            ("F",),
            "float64",
            "compute C = N·t along the compute-optimal frontier; " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "frontier_loss",
            ("F",),
            "float64",
            "the lowest loss at that compute; " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "frontier_fitted_exponent",
            (),
            "float64",
            "exponent of the frontier, fitted; " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "frontier_fitted_exponent_error",
            (),
            "float64",
            "its standard error; " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "frontier_fitted_range",
            (2,),
            "float64",
            "the compute range of that fit (where the "
            "optimal size is inside the family); " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "frontier_theory_exponent",
            (),
            "float64",
            "the theory's frontier exponent; " + FRONTIER,
            when=WIDTHS,
            optional=True,
            finite="any",
        ),
    ]
)
