"""The arrays of a Kernel-dynamics run and of a Scaling-laws run (what their tabs draw)."""
from physlab.core.frames import Array, FrameSchema

TRACE = Array(("T",))
THEORY = Array(("T",), finite="any")  # NaN where the theory does not reach

FRAME = FrameSchema({
    "step": Array(("T",), "int", "all"), "loss": TRACE, "alignment": TRACE,
    "theory_loss": THEORY, "theory_alignment": THEORY,
    "ntk_step": Array(("S",), "int", "all"), "ntk": Array(("S", "P", "P")),
    "phi": Array(("L", "S", "P", "P")), "g_kernel": Array(("L", "S", "P", "P")),
    "theory_step": Array(("Q",), "int", "all"), "theory_ntk": Array(("Q", "P", "P"), finite="any"),
    "theory_phi": Array(("L", "Q", "P", "P"), finite="any"),
    "theory_g": Array(("L", "Q", "P", "P"), finite="any"),
    "y": Array(("P",), finite="all"), "input_kernel": Array(("P", "P"), finite="all"),
}, required=lambda p: ["step", "loss", "alignment", "theory_loss", "theory_alignment",
                       "ntk_step", "ntk", "phi", "g_kernel", "y", "input_kernel"],
    dims=lambda p: {"P": p["n_samples"], "L": p["depth"]})

EXPONENT = Array((), finite="any")  # a fit that could not be made is NaN


def _scaling_required(p: dict) -> list[str]:
    return ["step", "widths", "samples", "loss", "fitted_exponent", "theory_exponent",
            "theory_loss", "size_fitted_exponent", "size_theory_exponent"]


# the frontier arrays come once two curves are done (widths family)
SCALING_FRAME = FrameSchema({
    "step": Array(("T",), "int", "all"), "widths": Array(("C",), "int", "all"),
    "samples": Array(("C",), "int", "all"), "loss": Array(("C", "T"), finite="any"),
    "fitted_exponent": Array(("C",), finite="any"),
    "theory_exponent": Array(("C",), finite="all"), "theory_loss": Array(("T",)),
    "size_fitted_exponent": EXPONENT, "size_theory_exponent": EXPONENT,
    "frontier_compute": Array(("F",), finite="any"), "frontier_loss": Array(("F",), finite="any"),
    "frontier_fitted_exponent": EXPONENT, "frontier_theory_exponent": EXPONENT,
}, required=_scaling_required)
