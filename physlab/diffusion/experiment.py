"""DiffusionExperiment: reverse diffusion streamed frame by frame, with the log-SNR schedule of
every component, the radially averaged power spectra of the samples and of the data, and the
resolution cut-off k*(t) of the denoised estimate.

GUD (Gerdes, Welling & Cheng, "GUD: Generation with Unified Diffusion", 2024): the basis, the prior
and the component-wise schedule (softness s) interpolate between standard diffusion and
autoregressive, scale-by-scale generation; with Gaussian fields and the exact denoiser the
coarse-to-fine emergence is the inverse renormalisation-group flow. See
``docs/physics/diffusion.md``.

The stored frames are kept in arrays allocated once for the whole run and filled in order; a frame
hands out read-only views of the filled part, so streaming never copies the history (at the
largest size it is ~2×105 MB) — the keys are declared in :mod:`.frame_keys`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from physlab.core.experiment import Experiment, Frame

from . import data as datasets
from .cnn_comparison import CnnComparison
from .params import SPEC
from .process import ReverseProcess

SHOWN = 16  # samples whose frames are stored (a 4×4 grid)
SCHEDULE_COLUMNS = 200  # time points of the stored log-SNR map


class DiffusionExperiment(Experiment):
    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        p = self.params
        rng = np.random.default_rng(self.seed)
        self.data = datasets.load(p)
        # denoiser=cnn: a CNN is trained first, then the ELS machine and the ideal denoiser run
        # beside it from the same noise (Kamb & Ganguli's Fig. 3); self.proc is the CNN's process
        self.comparison = CnnComparison(p, self.data, self.seed) if p["denoiser"] == "cnn" else None
        self.proc = self.comparison.proc if self.comparison else ReverseProcess(p, self.data, rng)
        self.size = self.data.size
        self.spectrum_k, self.spectrum_data = datasets.radial_spectrum(
            datasets.covariance_power(self.data.cov)
        )
        self._conditional_spectrum: np.ndarray | None = None
        steps = p["steps"]
        self.frame_steps = np.unique(
            np.linspace(0, steps, min(p["frames"], steps + 1)).round().astype(int)
        )
        stored, shown = len(self.frame_steps), min(SHOWN, len(self.proc.z))
        bins = len(self.spectrum_data)
        self.stored = 0  # how many of the frame_steps have been stored
        self.frames = np.empty((stored, shown, self.size, self.size), dtype=np.float32)
        self.x0_frames = np.empty_like(self.frames)
        self.frame_t, self.kstar = np.empty(stored), np.empty(stored)
        self.spectra, self.x0_spectra = np.empty((stored, bins)), np.empty((stored, bins))
        self._store(initial=True)

    @property
    def total_steps(self) -> int:
        """Reverse steps, plus the CNN's training steps and the calibration's reverse steps."""
        p = self.params
        if not self.comparison:
            return p["steps"]
        return p["train_steps"] + p["steps"] * (2 if p["calibrate"] else 1)

    @property
    def steps_done(self) -> int:
        return self.comparison.steps_done if self.comparison else self.proc.step

    def advance(self, n: int) -> None:
        done = 0
        while done < n and not self.proc.done:
            if self.comparison:
                before = self.steps_done
                if not self.comparison.advance(self.should_stop, chunk=n - done):
                    done += max(self.steps_done - before, 1)
                    continue
            else:
                self.proc.advance(self.should_stop)
            done += 1
            if not np.all(np.isfinite(self.proc.z)):
                self.diverged = (
                    f"the samples became non-finite at step {self.proc.step} "
                    f"(t = {self.proc.t[self.proc.step]:.3f}); try more steps or a "
                    f"larger softness"
                )
                return
            if self.proc.step in self.frame_steps:
                self._store()

    def _images(self, z: np.ndarray) -> np.ndarray:
        return self.proc.to_pixels(z).reshape(-1, self.size, self.size)

    def _store(self, initial: bool = False) -> None:
        """Keep the shown samples' x_t and x̂0 (float32: they are only drawn) and the spectra of
        all samples at this step, so the time slider can show any stored step."""
        proc, i = self.proc, self.stored
        shown = slice(0, self.frames.shape[1])
        self.frames[i] = self._images(proc.z[shown])
        self.x0_frames[i] = self._images(proc.x0[shown]) if not initial else np.nan
        self.frame_t[i] = proc.t[proc.step]
        self.spectra[i] = self._spectrum(proc.z)
        x0_spectrum = self._spectrum(proc.x0) if not initial else np.zeros_like(self.spectrum_data)
        self.x0_spectra[i] = x0_spectrum
        self.kstar[i] = self._cutoff(x0_spectrum)
        self.stored += 1

    def _history(self, stored: np.ndarray) -> np.ndarray:
        """The filled part of a per-frame array, read-only: rows once stored never change, so a
        view is as safe to hand to another thread as a copy."""
        view = stored[: self.stored]
        view.flags.writeable = False
        return view

    def _spectrum(self, z: np.ndarray) -> np.ndarray:
        images = self.proc.to_pixels(z)
        return datasets.radial_spectrum(datasets.sample_power(images, self.data.mean))[1]

    def _cutoff(self, spectrum: np.ndarray) -> float:
        """k*: the largest |k| up to which the spectrum keeps half of the data's power."""
        resolved = spectrum >= 0.5 * self.spectrum_data
        if not resolved[0]:
            return 0.0
        first_lost = np.argmin(resolved) if not resolved.all() else len(resolved)
        return float(self.spectrum_k[first_lost - 1])

    def kstar_theory(self) -> np.ndarray | None:
        """For the Fourier basis: the largest |k| whose mode has SNR α²λ̃/σ² ≥ 1 at each stored
        time (λ̃ the variance of the clean diffusion coordinate)."""
        if self.params["basis"] != "fourier":
            return None
        proc = self.proc
        idx = np.searchsorted(-proc.t, -self.frame_t[: self.stored])
        gamma = proc.gamma[:, idx]
        snr = np.diag(proc.K)[:, None] * np.exp(np.clip(-gamma, -700.0, 700.0))
        return np.array([proc.freq[snr[:, j] >= 1].max(initial=0.0) for j in range(len(idx))])

    def conditional_spectrum(self) -> np.ndarray:
        """The radially averaged power spectrum of the conditional law the samples are drawn
        from (closed form, :func:`.data.conditional_power`), worked out once."""
        if self._conditional_spectrum is None:
            proc = self.proc
            power = datasets.conditional_power(
                self.data.mean, self.data.cov, proc.U[proc.observed], proc.observation
            )
            self._conditional_spectrum = datasets.radial_spectrum(power)[1]
        return self._conditional_spectrum.copy()

    def frame(self) -> Frame:
        proc = self.proc
        cols = np.unique(np.linspace(0, len(proc.t) - 1, SCHEDULE_COLUMNS).round().astype(int))
        order = np.argsort(proc.labels, kind="stable")
        out = {
            "samples": self._images(proc.z if proc.done else proc.x0[:SHOWN]),
            "frames": self._history(self.frames),
            "x0_frames": self._history(self.x0_frames),
            "t": self._history(self.frame_t).copy(),
            "kstar": self._history(self.kstar).copy(),
            "log_snr": proc.gamma[order][:, cols].copy(),
            "log_snr_t": proc.t[cols].copy(),
            "component_label": proc.labels[order].copy(),
            "component_frequency": proc.freq[order].copy(),
            "spectrum_k": self.spectrum_k.copy(),
            "spectrum_data": self.spectrum_data.copy(),
            "spectrum_samples": self.spectra[self.stored - 1].copy(),
            "spectrum_x0": self.x0_spectra[self.stored - 1].copy(),
            "spectrum_samples_t": self._history(self.spectra).copy(),
            "spectrum_x0_t": self._history(self.x0_spectra).copy(),
        }
        theory = self.kstar_theory()
        if theory is not None:
            out["kstar_theory"] = theory
        if self.comparison:
            out.update(self._comparison_frame())
        if proc.observation is not None:
            out["observation"] = proc.observation.reshape(self.size, self.size).copy()
            out["spectrum_theory"] = self.conditional_spectrum()
            out["observed_image"] = self._images(proc.observed_part()[None])[0]
            out["observed"] = proc.observed[order].astype(np.float64)
        return out

    def _comparison_frame(self) -> dict:
        """The CNN's training loss, the theory's and the baseline's samples (shown ones) and
        their per-sample r² with the CNN's."""
        cmp, shown = self.comparison, self.frames.shape[1]
        return {
            "cnn_loss": cmp.trainer.losses[: cmp.trainer.step].copy(),
            "els_samples": cmp.samples("els", shown),
            "ideal_samples": cmp.samples("empirical", shown),
            "r2_els": cmp.r2("els"),
            "r2_ideal": cmp.r2("empirical"),
        }

    def summary(self) -> dict:
        """The paper's softness beside physlab's (:func:`.schedule.gud_softness`: s_GUD =
        s·(v_max − v_min) for the raw labels, 1 + s for the sequential schedule); with the CNN,
        the median r² of theory and baseline."""
        out = {
            "components": int(len(self.proc.U)),
            "image_size": int(self.size),
            "softness_gud": self.proc.softness_gud,
        }
        if self.comparison:
            out.update(self.comparison.summary())
        return out

    def threads(self) -> int | None:
        return None if self.params["denoiser"] != "gaussian" else 1
