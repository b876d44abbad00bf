"""What a Diffusion frame holds (see :mod:`physlab.core.frames`). F: stored frames (at most
``frames``), M = min(16, n_samples) shown samples, S: image side, C: diffusion components, K:
radial frequency bins, Tc: time columns of the log-SNR map, L: CNN training steps taken."""

from physlab.core.frames import FrameKey, FrameSpec

SHOWN = "min(16, n_samples)"
CNN = {"denoiser": ("cnn",)}
R2 = (
    "per sample, Kamb & Ganguli's r² with the CNN's sample (the correlation of the pixels, as "
    "their eval_script.py computes it) of the current clean estimates, the samples once done; NaN "
    "while the CNN trains"
)

FRAME = FrameSpec(
    [
        FrameKey(
            "samples",
            ("N", "S", "S"),
            "float64",
            "the samples in pixel space: all of them "
            "(x_0) once the run is done, before that the denoised estimate x̂0 of the shown ones",
        ),
        FrameKey(
            "frames", ("F", SHOWN, "S", "S"), "float32", "the shown samples x_t at each stored step"
        ),
        FrameKey(
            "x0_frames",
            ("F", SHOWN, "S", "S"),
            "float32",
            "their denoised estimates x̂0 at each "
            "stored step (NaN at the first, before any denoising)",
            finite="any",
        ),
        FrameKey(
            "t", ("F",), "float64", "diffusion time of each stored step (1 → 0)", finite="all"
        ),
        FrameKey(
            "kstar",
            ("F",),
            "float64",
            "resolution cut-off k*: the largest |k| up to which x̂0 keeps half of the data's power",
            finite="any",
        ),
        FrameKey(
            "kstar_theory",
            ("F",),
            "float64",
            "k* predicted from each mode's SNR α²λ̃/σ² ≥ 1",
            when={"basis": ("fourier",)},
            finite="any",
        ),
        FrameKey(
            "log_snr",
            ("C", "Tc"),
            "float64",
            "log-SNR γ of every component (sorted by label) at Tc times",
        ),
        FrameKey(
            "log_snr_t", ("Tc",), "float64", "the times of the log-SNR map's columns", finite="all"
        ),
        FrameKey(
            "component_label",
            ("C",),
            "float64",
            "the schedule's ordering label of each "
            "component (frequency, variance or pixel position), sorted",
        ),
        FrameKey(
            "component_frequency",
            ("C",),
            "float64",
            "spatial frequency |k| of each component",
            finite="any",
        ),
        FrameKey("spectrum_k", ("K",), "float64", "radial frequency bins |k|", finite="all"),
        FrameKey(
            "spectrum_data", ("K",), "float64", "radially averaged power spectrum of the data"
        ),
        FrameKey(
            "spectrum_samples",
            ("K",),
            "float64",
            "power spectrum of the samples x_t now",
            finite="any",
        ),
        FrameKey(
            "spectrum_x0", ("K",), "float64", "power spectrum of the estimates x̂0 now", finite="any"
        ),
        FrameKey(
            "spectrum_samples_t",
            ("F", "K"),
            "float64",
            "spectrum of x_t at each stored step",
            finite="any",
        ),
        FrameKey(
            "spectrum_x0_t",
            ("F", "K"),
            "float64",
            "spectrum of x̂0 at each stored step",
            finite="any",
        ),
        FrameKey(
            "observation",
            ("S", "S"),
            "float64",
            "the held-out image the run is conditioned on",
            when={"condition": ("coarse", "inpaint")},
        ),
        FrameKey(
            "spectrum_theory",
            ("K",),
            "float64",
            "power spectrum of the conditional law given the observation (closed form)",
            when={"condition": ("coarse", "inpaint")},
        ),
        FrameKey(
            "observed_image",
            ("S", "S"),
            "float64",
            "what the samples are given of it: its "
            "low-pass part (coarse) or everything outside the hole (inpaint)",
            when={"condition": ("coarse", "inpaint")},
        ),
        FrameKey(
            "observed",
            ("C",),
            "float64",
            "1 for each observed component (sorted as log_snr)",
            when={"condition": ("coarse", "inpaint")},
            finite="any",
        ),
        FrameKey(
            "cnn_loss",
            ("L",),
            "float64",
            "the CNN's training loss (mean squared residual of the preconditioned x̂0, 1 for "
            "x̂0 = c_skip·x_t) at each Adam step so far",
            when=CNN,
        ),
        FrameKey(
            "els_samples",
            (SHOWN, "S", "S"),
            "float64",
            "the ELS machine's (theory) clean estimates of the shown samples, from the CNN's noise; "
            "NaN while the CNN trains",
            when=CNN,
            finite="any",
        ),
        FrameKey(
            "ideal_samples",
            (SHOWN, "S", "S"),
            "float64",
            "the ideal (empirical) denoiser's clean estimates of the shown samples, from the same "
            "noise; NaN while the CNN trains",
            when=CNN,
            finite="any",
        ),
        FrameKey("r2_els", ("n_samples",), "float64", "ELS machine: " + R2, when=CNN, finite="any"),
        FrameKey(
            "r2_ideal", ("n_samples",), "float64", "ideal denoiser: " + R2, when=CNN, finite="any"
        ),
    ]
)
