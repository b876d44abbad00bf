"""The Diffusion lab's parameters (the CLI names are a contract)."""

from __future__ import annotations

from physlab.core.params import Param, ParamError, ParamSpec, check_memory

from .bases import BASES
from .data import DATA, DIGIT_SIZE
from .els_boundary import BOUNDARIES
from .schedule import GAMMA_MAX, GAMMA_MIN, ORDERINGS, SCHEDULES

DENOISERS = ("gaussian", "empirical", "els", "cnn")
ELS_WORK_LIMIT = 2e11  # patch comparisons an ELS run may need (≈ a minute here); more is refused
SOLVE_WORK_LIMIT = 2e11  # flops of the full-covariance Gaussian denoiser's per-step solves
CNN_WORK_LIMIT = 1e13  # flops of training the CNN (≈ 10 minutes here); more is refused
CALIBRATION_SAMPLES = 8  # samples the ELS patch is calibrated on, per step, against the CNN
CALIBRATION_PATCHES = (3, 5, 7)  # the candidate patch sizes (5 is the CNN's receptive field)
UNIFORM_SOFTNESS = 100.0  # softness from which the pixels' log-SNRs differ by at most 1/100


def image_size(p: dict) -> int:
    return DIGIT_SIZE if p["data"] == "digits" else p["size"]


def els_work(p: dict) -> float:
    """Patch-pixel comparisons of an ELS run: samples × pixels × training images × positions ×
    patch area × steps (the calibrated schedule's patches are at most about half the image)."""
    size = image_size(p)
    k = p["patch"] or size // 2 + 1
    work = float(p["n_samples"]) * size**4 * p["train_size"] * min(k, 2 * size) ** 2 * p["steps"]
    if p["denoiser"] == "cnn" and p["calibrate"]:  # the calibration samples, every candidate
        work += (
            CALIBRATION_SAMPLES
            * size**4
            * p["train_size"]
            * sum(k * k for k in CALIBRATION_PATCHES)
            * p["steps"]
        )
    return work


def cnn_work(p: dict) -> float:
    """Flops of training the CNN: forward and two backward products per step, batch 64, for
    the 3×3 (1→C, C→C) and 1×1 (C→C, C→1) layers at every pixel (:mod:`.cnn`)."""
    c, pixels = p["channels"], image_size(p) ** 2
    return 2.0 * 3 * p["train_steps"] * 64 * pixels * (9 * c + 9 * c * c + c * c + c)


def _check_cnn(p: dict) -> None:
    """The CNN is conditioned on one noise level for all pixels and runs beside the ELS machine:
    pixel basis, white prior, and a schedule that gives every pixel the same log-SNR."""
    if p["schedule"] != "soft" or p["softness"] < UNIFORM_SOFTNESS:
        raise ParamError(
            "softness",
            f"the CNN is conditioned on one noise level for all pixels: use schedule=soft with "
            f"softness ≥ {UNIFORM_SOFTNESS:g} (standard diffusion)",
        )
    if cnn_work(p) > CNN_WORK_LIMIT:
        raise ParamError(
            "train_steps",
            f"training this CNN needs about {cnn_work(p):.1e} flops (limit "
            f"{CNN_WORK_LIMIT:.0e}, about 10 minutes); lower train_steps or channels",
        )


def per_component(p: dict) -> bool:
    """Whether the data covariance is diagonal in the basis (the exact denoiser then works
    component by component): PCA always, Fourier for the stationary random fields."""
    return p["basis"] == "pca" or (p["basis"] == "fourier" and p["data"] == "grf")


CONDITIONS = ("none", "coarse", "inpaint")


def _check_schedule(p: dict) -> None:
    if p["gamma_max"] <= p["gamma_min"]:
        raise ParamError(
            "gamma_max", f"{p['gamma_max']:g} must be above gamma_min ({p['gamma_min']:g})"
        )
    if p["ordering"] in ("rows", "columns") and p["basis"] != "pixel":
        raise ParamError("ordering", f"{p['ordering']} orders pixels: use basis=pixel")
    if p["condition"] != "none":
        if p["denoiser"] != "gaussian":
            raise ParamError(
                "condition", "conditioning uses the exact Gaussian denoiser: set denoiser=gaussian"
            )
        need = {"coarse": "fourier", "inpaint": "pixel"}[p["condition"]]
        if p["basis"] != need:
            raise ParamError(
                "condition",
                f"{p['condition']} conditions on "
                f"{'Fourier modes' if need == 'fourier' else 'pixels'}: "
                f"use basis={need}",
            )
        if p["condition"] == "inpaint" and p["hole"] >= image_size(p):
            raise ParamError(
                "hole",
                f"{p['hole']} must be smaller than the image side "
                f"{image_size(p)} (some pixels must stay observed)",
            )


def _check(p: dict) -> None:
    _check_schedule(p)
    size = image_size(p)
    if p["basis"] == "haar" and size & (size - 1):
        raise ParamError("basis", f"the Haar basis needs a power-of-two size (size is {size})")
    if p["denoiser"] == "cnn":
        _check_cnn(p)
    if p["denoiser"] in ("els", "cnn"):
        if p["basis"] != "pixel":
            raise ParamError("denoiser", "the ELS machine is local in pixel space: use basis=pixel")
        if p["patch"] and p["patch"] % 2 == 0:
            raise ParamError(
                "patch",
                f"{p['patch']} must be odd (a patch has a centre pixel), or "
                f"0 for the calibrated schedule",
            )
        if p["prior"] != "white":
            raise ParamError(
                "prior",
                "the ELS machine is translation equivariant: use "
                "prior=white (a per-pixel scale would break it)",
            )
        if p["boundary"] == "circular" and p["patch"] > size:
            raise ParamError(
                "patch",
                f"{p['patch']} is larger than the {size}×{size} image: "
                f"circular ELS matches patches that lie inside it",
            )
        if p["patch"] > 2 * size - 1:
            raise ParamError(
                "patch",
                f"{p['patch']} is larger than needed: a patch of "
                f"{2 * size - 1} already covers the {size}×{size} image "
                f"from every pixel",
            )
        if els_work(p) > ELS_WORK_LIMIT:
            raise ParamError(
                "n_samples",
                f"this ELS run needs about {els_work(p):.1e} patch "
                f"comparisons (limit {ELS_WORK_LIMIT:.0e}, about a "
                f"minute); lower n_samples, steps, train_size or patch",
            )
    d = size * size
    if (
        p["denoiser"] == "gaussian"
        and not per_component(p)
        and d**3 / 3 * p["steps"] > SOLVE_WORK_LIMIT
    ):
        raise ParamError(
            "basis",
            f"the exact denoiser needs a {d}×{d} solve per step in the "
            f"{p['basis']} basis (about {d**3 / 3 * p['steps']:.1e} "
            f"flops in all, limit {SOLVE_WORK_LIMIT:.0e}); use the fourier "
            f"or pca basis, where it works per component, or a smaller "
            f"size or fewer steps",
        )
    check_memory(memory_estimate(p), "size", "lower size, n_samples or frames")


def memory_estimate(p: dict) -> int:
    """Bytes at the peak: about 13 d×d matrices while the basis, the component covariance and
    the exact denoiser are built (d = size²), the samples with their x̂0, noise and pixel-space
    copies, the training images, the schedule (d × steps), and the stored float32 frames of 16
    samples (twice: kept and copied into the frame). Measured in tests/hostile/test_memory.py."""
    d = image_size(p) ** 2
    n = p["n_samples"]
    train = 3 * p["train_size"] * d if p["denoiser"] != "gaussian" else 0
    frames = 4 * 4 * min(p["frames"], p["steps"] + 1) * min(n, 16) * d
    return 8 * (13 * d * d + 8 * n * d + train + 4 * d * (p["steps"] + 1)) + frames


SPEC = ParamSpec(
    [
        Param(
            "data",
            "choice",
            "grf",
            "grf: Gaussian random fields with power spectrum P(k) ∝ "
            "k^−n (the exact denoiser makes the RG picture exact); digits: the 8×8 handwritten "
            "digits (1797, shipped)",
            choices=DATA,
            group="Data",
        ),
        Param(
            "size",
            "int",
            16,
            "image side (pixels) of the random fields",
            low=4,
            high=64,
            group="Data",
            when={"data": ("grf",)},
        ),
        Param(
            "spectral_index",
            "float",
            2.0,
            "n in P(k) ∝ k^−n (larger: smoother fields)",
            low=0.0,
            high=5.0,
            group="Data",
            when={"data": ("grf",)},
            label="spectral_index n",
        ),
        Param(
            "train_size",
            "int",
            500,
            "training images the empirical / ELS denoisers use (random fields are drawn for grf)",
            low=2,
            high=1797,
            log=True,
            group="Data",
            when={"denoiser": ("empirical", "els", "cnn")},
        ),
        Param(
            "basis",
            "choice",
            "fourier",
            "components the schedule acts on: pixels, Fourier modes, "
            "principal components of the data, or Haar wavelets",
            choices=BASES,
            group="Diffusion",
        ),
        Param(
            "prior",
            "choice",
            "white",
            "white: N(0, I) in pixel space; data: N(0, diag of the "
            "data's variances) in the basis (diffusion on whitened components)",
            choices=("white", "data"),
            group="Diffusion",
        ),
        Param(
            "ordering",
            "choice",
            "variance",
            "order in which components are generated: by "
            "variance (coarse to fine, the RG order), raster (component index), random",
            choices=ORDERINGS,
            group="Diffusion",
        ),
        Param(
            "softness",
            "float",
            0.2,
            "softness s of the component-wise schedule: large = standard "
            "simultaneous diffusion, small = one component (scale) at a time (re-runs when "
            "changed)",
            low=1e-4,
            high=1e3,
            log=True,
            restart=True,
            group="Diffusion",
            label="softness s",
        ),
        Param(
            "schedule",
            "choice",
            "soft",
            "soft: GUD's soft-conditioning schedule (parallel log-SNR "
            "lines shifted by label/s); variance_adjusted: the paper's eq. 13, labels plus log Σ_i, "
            "so the SNR with the data variance follows the labels (s·span = 1 with the variance "
            "order is standard diffusion); sequential: the reference code's clipped schedule, "
            "each component active in its own time window",
            choices=SCHEDULES,
            group="Diffusion",
        ),
        Param(
            "gamma_min",
            "float",
            GAMMA_MIN,
            "γ̃_min: log-SNR parameter log(σ²/α²) of the "
            "first-generated component at t = 0 (more negative: cleaner samples)",
            low=-30.0,
            high=0.0,
            group="Diffusion",
            label="γ̃_min",
        ),
        Param(
            "gamma_max",
            "float",
            GAMMA_MAX,
            "γ̃_max: log-SNR parameter of the last component at "
            "t = 1 (the reference code's soft schedule uses 3; larger starts nearer pure noise)",
            low=-10.0,
            high=30.0,
            group="Diffusion",
            label="γ̃_max",
        ),
        Param(
            "condition",
            "choice",
            "none",
            "generate the rest given observed components of a "
            "held-out image (GUD's soft conditioning, exact Gaussian denoiser): coarse = "
            "super-resolution from the Fourier modes with |k| ≤ observed_k; inpaint = fill a "
            "centred square hole of side hole from the pixels around it",
            choices=CONDITIONS,
            group="Conditioning",
        ),
        Param(
            "observed_k",
            "float",
            2.0,
            "coarse conditioning: Fourier modes with |k| up to this "
            "(in units of the fundamental wavenumber) are observed",
            low=0.0,
            high=64.0,
            group="Conditioning",
            when={"condition": ("coarse",)},
            label="observed |k|",
        ),
        Param(
            "hole",
            "int",
            8,
            "inpainting: side of the centred square of unobserved pixels",
            low=1,
            high=64,
            group="Conditioning",
            when={"condition": ("inpaint",)},
        ),
        Param(
            "steps",
            "int",
            200,
            "reverse steps from t = 1 to 0",
            low=2,
            high=5000,
            log=True,
            group="Sampling",
        ),
        Param(
            "n_samples",
            "int",
            64,
            "images generated at once",
            low=1,
            high=4096,
            log=True,
            group="Sampling",
        ),
        Param(
            "denoiser",
            "choice",
            "gaussian",
            "gaussian: exact for Gaussian data (the digits' "
            "Gaussian approximation otherwise); empirical: the optimal denoiser of the training set "
            "(memorises); els: the equivariant local score machine (Kamb & Ganguli 2024: "
            "patch mosaics); cnn: a small CNN trained here first, with the ELS machine (theory) "
            "and the empirical denoiser (baseline) run beside it from the same noise, and their "
            "per-sample r² with its samples (Kamb & Ganguli's Fig. 3)",
            choices=DENOISERS,
            group="Sampling",
        ),
        Param(
            "patch",
            "int",
            0,
            "ELS patch size (odd), 0 = Kamb & Ganguli's calibrated schedule "
            "(growing with the noise)",
            low=0,
            high=63,
            group="Sampling",
            when={"denoiser": ("els", "cnn")},
        ),
        Param(
            "boundary",
            "choice",
            "bbels",
            "how the ELS machine treats the border (Kamb & Ganguli "
            "2024): bbels = zero-padded, border pixels match only patches at the same offset from "
            "the edge; circular = the image wraps around",
            choices=BOUNDARIES,
            group="Sampling",
            when={"denoiser": ("els", "cnn")},
        ),
        Param(
            "train_steps",
            "int",
            3000,
            "Adam steps (batches of 64 noisy training images at log-SNRs uniform on "
            "[γ̃_min, γ̃_max]) that train the CNN before it samples",
            low=10,
            high=50000,
            log=True,
            group="CNN",
            when={"denoiser": ("cnn",)},
        ),
        Param(
            "channels",
            "int",
            32,
            "channels of the CNN's hidden layers (two 3×3 and one 1×1 convolution: a 5×5 "
            "receptive field)",
            low=2,
            high=128,
            log=True,
            group="CNN",
            when={"denoiser": ("cnn",)},
        ),
        Param(
            "calibrate",
            "bool",
            True,
            "calibrate the ELS patch size to the CNN at every reverse step, as Kamb & Ganguli do "
            "(their scales_calibration.py: of the sizes 3, 5, 7 the one whose score is best "
            "aligned with the CNN's, median over 8 calibration samples from other noise); off: "
            "patch (0 = their MNIST schedule)",
            group="CNN",
            when={"denoiser": ("cnn",)},
        ),
        Param(
            "frames",
            "int",
            60,
            "reverse steps stored for the time slider and export",
            low=2,
            high=400,
            group="Sampling",
        ),
    ],
    check=_check,
)
