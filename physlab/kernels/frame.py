"""The arrays of a Kernel-dynamics run and of a Scaling-laws run (what their tabs draw)."""
from physlab.core.frames import Array, FrameSchema

TRACE = Array(("T",))  # one value per recorded step (theory: NaN where it does not reach)

FRAME = FrameSchema({
    "step": Array(("T",), "int"), "loss": TRACE, "alignment": TRACE,
    "theory_loss": TRACE, "theory_alignment": TRACE,
    "ntk_step": Array(("S",), "int"), "ntk": Array(("S", "P", "P")),
    "phi": Array(("L", "S", "P", "P")), "g_kernel": Array(("L", "S", "P", "P")),
    "theory_step": Array(("Q",), "int"), "theory_ntk": Array(("Q", "P", "P")),
    "theory_phi": Array(("L", "Q", "P", "P")),
    "theory_g": Array(("L", "Q", "P", "P")),
    "y": Array(("P",)), "input_kernel": Array(("P", "P")),
}, required=lambda p: ["step", "loss", "alignment", "theory_loss", "theory_alignment",
                       "ntk_step", "ntk", "phi", "g_kernel", "y", "input_kernel"],
    dims=lambda p: {"P": p["n_samples"], "L": p["depth"]})

EXPONENT = Array(())  # a scalar (a fit that could not be made is NaN)


def _scaling_required(p: dict) -> list[str]:
    return ["step", "widths", "samples", "loss", "fitted_exponent", "theory_exponent",
            "theory_loss", "size_fitted_exponent", "size_theory_exponent"]


# the frontier arrays come once two curves are done (widths family)
SCALING_FRAME = FrameSchema({
    "step": Array(("T",), "int"), "widths": Array(("C",), "int"),
    "samples": Array(("C",), "int"), "loss": Array(("C", "T")),
    "fitted_exponent": Array(("C",)),
    "theory_exponent": Array(("C",)), "theory_loss": Array(("T",)),
    "size_fitted_exponent": EXPONENT, "size_theory_exponent": EXPONENT,
    "frontier_compute": Array(("F",)), "frontier_loss": Array(("F",)),
    "frontier_fitted_exponent": EXPONENT, "frontier_theory_exponent": EXPONENT,
}, required=_scaling_required)
