"""The arrays of a Sharpness run (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema

TRACE = Array(("T",))


def _required(p: dict) -> list[str]:
    names = ["step", "loss", "lr", "threshold", "sharpness_step", "eigenvalues", "sharpness"]
    if p.get("model") == "uv":
        names += ["f", "ntk", "bifurcation_lr", "bifurcation_sharpness"]
    return names


FRAME = FrameSchema({
    "step": Array(("T",), "int", "all"), "loss": TRACE, "lr": TRACE, "threshold": TRACE,
    "f": TRACE, "ntk": TRACE,
    "sharpness_step": Array(("S",), "int", "all"), "eigenvalues": Array(("S", "k")),
    "sharpness": Array(("S",)), "precond_sharpness": Array(("S",), finite="any"),
    "bifurcation_lr": Array(("B",), finite="all"),
    "bifurcation_sharpness": Array(("B", "late"), finite="any"),
}, required=_required, dims=lambda p: {"k": p["k_eigs"]})
