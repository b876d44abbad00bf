"""The arrays of a Sharpness run (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema

TRACE = Array(("T",))


def _required(p: dict) -> list[str]:
    names = ["step", "loss", "lr", "threshold", "sharpness_step", "eigenvalues", "sharpness"]
    if p.get("model") == "uv":
        names += ["f", "ntk", "bifurcation_lr", "bifurcation_sharpness"]
    return names


FRAME = FrameSchema({
    "step": Array(("T",), "int"), "loss": TRACE, "lr": TRACE, "threshold": TRACE,
    "f": TRACE, "ntk": TRACE,
    "sharpness_step": Array(("S",), "int"), "eigenvalues": Array(("S", "k")),
    "sharpness": Array(("S",)), "precond_sharpness": Array(("S",)),
    "bifurcation_lr": Array(("B",)),
    "bifurcation_sharpness": Array(("B", "late")),
}, required=_required, dims=lambda p: {"k": p["k_eigs"]})
