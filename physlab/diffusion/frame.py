"""The arrays of a Diffusion run (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema

from .params import image_size

FRAME = FrameSchema({
    "samples": Array(("N", "H", "H")), "frames": Array(("F", "M", "H", "H")),
    "x0_frames": Array(("F", "M", "H", "H")),
    "t": Array(("F",)), "kstar": Array(("F",)),
    "kstar_theory": Array(("F",)),
    "log_snr": Array(("D", "G")), "log_snr_t": Array(("G",)),
    "component_label": Array(("D",)),
    "component_frequency": Array(("D",)),
    "spectrum_k": Array(("K",)), "spectrum_data": Array(("K",)),
    "spectrum_samples": Array(("K",)), "spectrum_x0": Array(("K",)),
    "spectrum_samples_t": Array(("F", "K")),
    "spectrum_x0_t": Array(("F", "K")),
}, required=lambda p: [name for name in FRAME.arrays if name != "kstar_theory"],
    dims=lambda p: {"H": image_size(p)})
