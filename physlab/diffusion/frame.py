"""The arrays of a Diffusion run (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema

from .params import image_size

FRAME = FrameSchema({
    "samples": Array(("N", "H", "H")), "frames": Array(("F", "M", "H", "H")),
    "x0_frames": Array(("F", "M", "H", "H"), finite="any"),
    "t": Array(("F",), finite="all"), "kstar": Array(("F",), finite="any"),
    "kstar_theory": Array(("F",), finite="any"),
    "log_snr": Array(("D", "G")), "log_snr_t": Array(("G",), finite="all"),
    "component_label": Array(("D",)),
    "component_frequency": Array(("D",), finite="any"),  # NaN in bases without frequencies
    "spectrum_k": Array(("K",), finite="all"), "spectrum_data": Array(("K",)),
    "spectrum_samples": Array(("K",), finite="any"), "spectrum_x0": Array(("K",), finite="any"),
    "spectrum_samples_t": Array(("F", "K"), finite="any"),
    "spectrum_x0_t": Array(("F", "K"), finite="any"),
}, required=lambda p: [name for name in FRAME.arrays if name != "kstar_theory"],
    dims=lambda p: {"H": image_size(p)})
