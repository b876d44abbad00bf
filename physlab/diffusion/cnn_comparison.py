"""The ELS machine as a theory of a trained CNN: Kamb & Ganguli, "An analytic theory of creativity
in convolutional diffusion models" (2024), Fig. 3 and their ``eval_script.py``. A small CNN is
trained on the denoising objective (:mod:`.cnn`), then the reverse process is run from the same
initial noise and the same per-step noise with three denoisers: the CNN, the ELS machine (the
theory, no training) and the empirical "ideal" denoiser (the baseline, which memorises). Per
sample the agreement with the CNN is their r²: the correlation coefficient of the two images'
pixels (each image centred and normalised, then their inner product, as ``eval_script.py``
computes it — not squared). They report a median of 0.94 for ELS against a ResNet on MNIST, and
the ELS machine beating the ideal denoiser on most samples.

Their one fitted quantity is the ELS patch size at each reverse step (``scales_calibration.py``):
on calibration samples from other noise, reverse-diffused by the CNN, the ELS machine is evaluated
at every candidate size on the CNN's own x_t, and the size whose score is best aligned with the
CNN's (cosine of the score vectors, i.e. of α·x̂0 − x_t) wins per sample; the per-step median
(the lower one, as ``torch.median``) is the schedule. Without calibration the ELS machine uses
``patch`` (0: their MNIST schedule, scaled to 8×8).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from .cnn import Trainer
from .data import Dataset
from .denoisers import els_denoise
from .params import CALIBRATION_PATCHES, CALIBRATION_SAMPLES
from .process import ReverseProcess
from .schedule import alpha_sigma2

THEORIES = ("els", "empirical")  # the ELS machine (theory) and the ideal denoiser (baseline)


def sample_r2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Kamb & Ganguli's per-sample r² of images a, b (n, d): ⟨â, b̂⟩ with â = (a − mean a)/‖·‖
    (the Pearson correlation of the pixels; NaN for a constant image)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, np.sum(a * b, axis=1) / np.where(norm > 0, norm, 1.0), np.nan)


class CnnComparison:
    """Training first (``train_steps`` Adam steps), then the three reverse processes in step.
    ``proc`` is the CNN's process (the one the lab's frames show); ``theory[name]`` the others,
    built from generators seeded alike, so that they start from the same noise and draw the same
    noise at every step (none of these denoisers draws random numbers)."""

    def __init__(self, p: dict, data: Dataset, seed: int):
        self.proc = ReverseProcess(p, data, np.random.default_rng(seed))
        self.theory = {
            name: ReverseProcess(p, data, np.random.default_rng(seed), denoiser=name)
            for name in THEORIES
        }
        size = data.size
        train_seed, calibration_seed = np.random.SeedSequence(seed).spawn(2)
        train_rng = np.random.default_rng(train_seed)
        self.trainer = Trainer(
            self.proc.train_pixels.reshape(-1, size, size),
            p["train_steps"],
            p["channels"],
            p["gamma_min"],
            p["gamma_max"],
            train_rng,
        )
        self.proc.cnn = self.trainer.model
        self.calibration = None
        if p["calibrate"]:
            few = dict(p, n_samples=min(CALIBRATION_SAMPLES, p["n_samples"]))
            self.calibration = ReverseProcess(
                few, data, np.random.default_rng(calibration_seed), cnn=self.trainer.model
            )
            self.patches = np.zeros(p["steps"], dtype=int)
            self.theory["els"].patch_by_step = self.patches

    @property
    def steps_done(self) -> int:
        calibrated = self.calibration.step if self.calibration else 0
        return self.trainer.step + calibrated + self.proc.step

    def _calibrate_step(self, should_stop: Callable[[], bool]) -> None:
        """One reverse step of the calibration samples by the CNN, choosing this step's patch."""
        proc = self.calibration
        s = proc.size
        alpha, sigma2 = alpha_sigma2(proc.gamma[:, proc.step])
        cnn_x0, _ = proc.denoise(alpha, sigma2)
        cnn_score = alpha * cnn_x0 - proc.z  # σ² times the score: the same factor for all
        cosines = []
        for k in CALIBRATION_PATCHES:
            x0 = els_denoise(
                proc.z.reshape(-1, s, s),
                proc.train.reshape(-1, s, s),
                alpha.reshape(s, s),
                sigma2.reshape(s, s),
                k,
                proc.p["boundary"],
                should_stop,
            ).reshape(len(proc.z), -1)
            score = alpha * x0 - proc.z
            cosines.append(
                np.sum(score * cnn_score, axis=1)
                / np.sqrt(np.sum(score**2, axis=1) * np.sum(cnn_score**2, axis=1))
            )
        best = np.sort(np.array(CALIBRATION_PATCHES)[np.argmax(cosines, axis=0)])
        self.patches[proc.step] = best[(len(best) - 1) // 2]
        proc.advance(should_stop)

    def advance(self, should_stop: Callable[[], bool], chunk: int = 25) -> bool:
        """One unit of progress: ``chunk`` training steps while training, then one calibration
        step, then one reverse step of all three processes. Returns whether a reverse step was taken. The small matrix
        products of training run on one BLAS thread (threads only contend here)."""
        if not self.trainer.done:
            with threadpool_limits(1):
                self.trainer.advance(chunk, should_stop)
            return False
        if self.calibration and not self.calibration.done:
            self._calibrate_step(should_stop)
            return False
        for proc in self.theory.values():
            proc.advance(should_stop)
        self.proc.advance(should_stop)
        return True

    def samples(self, name: str, shown: int) -> np.ndarray:
        """The current clean estimate (the samples once done) of the first ``shown`` samples of
        a theory, as images; NaN before the reverse process has started."""
        proc = self.theory[name]
        size = proc.size
        if proc.step == 0:
            return np.full((shown, size, size), np.nan)
        return proc.to_pixels(proc.x0[:shown]).reshape(shown, size, size)

    def r2(self, name: str) -> np.ndarray:
        """Per sample r² between the CNN's and a theory's current clean estimates (the samples
        once done); NaN before the reverse process has started."""
        proc = self.theory[name]
        if proc.step == 0:
            return np.full(len(proc.z), np.nan)
        return sample_r2(self.proc.to_pixels(self.proc.x0), proc.to_pixels(proc.x0))

    def summary(self) -> dict:
        losses = self.trainer.losses[: self.trainer.step]
        out = {"cnn_final_loss": float(np.mean(losses[-100:])) if len(losses) else float("nan")}
        if self.calibration and self.calibration.done:
            out["els_patches"] = " ".join(str(k) for k in self.patches)
        if self.proc.done:
            els, ideal = self.r2("els"), self.r2("empirical")
            out.update(
                median_r2_els=float(np.nanmedian(els)),
                median_r2_ideal=float(np.nanmedian(ideal)),
                fraction_els_better=float(np.mean(els > ideal)),
            )
        return out
