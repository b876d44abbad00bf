# %% [markdown]
# # Unified diffusion: samples and their power spectrum
# Reverse diffusion with the exact Gaussian denoiser in the Fourier basis (Gerdes, Welling & Cheng,
# "GUD: Generation with Unified Diffusion", 2024): the samples' radially averaged power spectrum
# meets the data's, and coarse modes are fixed before fine ones under the default schedule.

# %%
import matplotlib.pyplot as plt

import physlab

run = physlab.run("diffusion", seed=0)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
left.loglog(run["spectrum_k"], run["spectrum_data"], "k--", label="data")
left.loglog(run["spectrum_k"], run["spectrum_samples"], label="samples")
left.set_xlabel("wavenumber k")
left.set_ylabel("power")
left.legend()
right.imshow(run["samples"][0], cmap="gray")
right.set_title("a sample")
right.axis("off")
fig.tight_layout()
fig.savefig("diffusion_spectra.png", dpi=120)
