"""What a Sharpness frame holds (see :mod:`physlab.core.frames`). T: recorded training steps
(decimated on long runs), E: sharpness measurements (every ``eig_every`` steps; every step for
the uv model)."""

from physlab.core.frames import FrameKey, FrameSpec

UV = {"model": ("uv",)}
MLP = {"model": ("mlp",)}
FLOW = {"model": ("mlp",), "reference": ("central_flow",)}

FRAME = FrameSpec(
    [
        FrameKey("step", ("T",), "int64", "training step of each recorded row"),
        FrameKey(
            "loss",
            ("T",),
            "float64",
            "training loss L(θ) at the step, before it (on the step's minibatch when batch < n)",
        ),
        FrameKey("lr", ("T",), "float64", "learning rate η of the step (after the schedule)"),
        FrameKey(
            "threshold",
            ("T",),
            "float64",
            "stability threshold c/η of the optimiser: 2/η (GD, SGD), "
            "(2 + 2β)/η (momentum), (2 + 2β)/((1 + 2β)η) (Nesterov), "
            "(2 + 2β1)/((1 − β1)η) (Adam, preconditioned sharpness)",
        ),
        FrameKey("f", ("T",), "float64", "the uv model's output f = vᵀu·x/√n", when=UV),
        FrameKey("ntk", ("T",), "float64", "the uv model's NTK λ = x²(‖u‖² + ‖v‖²)/n", when=UV),
        FrameKey("sharpness_step", ("E",), "int64", "step of each sharpness measurement"),
        FrameKey(
            "eigenvalues",
            ("E", "k_eigs"),
            "float64",
            "top Hessian eigenvalues of the loss, largest first",
        ),
        FrameKey(
            "sharpness", ("E",), "float64", "top Hessian eigenvalue λ_max (eigenvalues[:, 0])"
        ),
        FrameKey(
            "precond_sharpness",
            ("E",),
            "float64",
            "top eigenvalue of Adam's preconditioned Hessian P⁻¹H (Cohen et al. 2022)",
            when={"optimizer": ("adam", "gi-adam"), "model": ("mlp",)},
            finite="any",
        ),
        FrameKey(
            "test_loss",
            ("E",),
            "float64",
            "loss on the held-out digits at each sharpness "
            "measurement (dataset=digits with n_test > 0)",
            when=MLP,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "batch_sharpness",
            ("E",),
            "float64",
            "batch sharpness E_B[g_BᵀH_Bg_B/‖g_B‖²] over batch_probes minibatches at each "
            "sharpness measurement: what settles at 2/η under SGD (Andreyev & Beneventano 2024); "
            "minibatch runs only",
            when=MLP,
            optional=True,
            finite="any",
        ),
        FrameKey(
            "full_loss",
            ("E",),
            "float64",
            "full-batch training loss at each sharpness measurement (minibatch runs, whose "
            "`loss` is that of the step's batch)",
            when=MLP,
            optional=True,
        ),
        FrameKey(
            "grad_overlap",
            ("E",),
            "float64",
            "|cos| of the angle between the gradient ∇L and the top Hessian eigenvector u1 at each "
            "sharpness measurement (near 1 at the edge of stability, where the gradient is GD's "
            "oscillation along u1: Damian, Nichani & Lee 2023)",
            when=MLP,
            finite="some",
        ),
        *(
            FrameKey(name, ("T",), "float64", meaning, when=FLOW, finite="any")
            for name, meaning in (
                (
                    "flow_loss",
                    "loss L(w) of the central flow w(t) (Cohen et al. 2024); all flow rows are "
                    "NaN from where the flow stops (more eigenvalues at 2/η than it tracks)",
                ),
                (
                    "flow_predicted_loss",
                    "the time-averaged GD loss the central flow predicts, L(w) + ½ Σ λ_i X_ii",
                ),
                ("flow_sharpness", "top Hessian eigenvalue of the central flow, held at ≤ 2/η"),
                (
                    "flow_variance",
                    "tr X: the mean square of GD's oscillation around w the flow predicts",
                ),
                (
                    "displacement",
                    "GD's displacement x = u1·(θ − w) from the central flow along its top "
                    "eigenvector (Damian et al.'s x_t)",
                ),
            )
        ),
        FrameKey(
            "bifurcation_lr",
            ("B",),
            "float64",
            "learning rates η of the uv bifurcation diagram (Kalra, He & Barkeshli 2023, Fig. 1)",
            when=UV,
            finite="all",
        ),
        FrameKey(
            "bifurcation_sharpness",
            ("B", 64),
            "float64",
            "late-time ηλ of the closed uv map "
            "at each η: its last 64 iterates (NaN where it diverged)",
            when=UV,
            finite="any",
        ),
    ]
)
