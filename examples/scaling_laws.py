# %% [markdown]
# # Neural scaling laws of the random-feature model
# Test loss against time for a family of model sizes N: each curve follows t^−β until it hits its
# N^−α·min(β,1) floor, and the compute-optimal frontier is a power law in C = N·t (Bordelon, Atanasov
# & Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024).

# %%
import matplotlib.pyplot as plt

import physlab

run = physlab.run("scaling", seed=0)
fig, ax = plt.subplots(figsize=(6, 4))
for width, loss, fitted in zip(run["widths"], run["loss"], run["fitted_exponent"]):
    ax.loglog(run["step"], loss, label=f"N = {width} (fit t^−{fitted:.2f})")
ax.loglog(run["step"], run["theory_loss"], "k--", label="N → ∞ theory")
ax.set_xlabel("step t")
ax.set_ylabel("test loss")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig("scaling_laws.png", dpi=120)
print("fitted time exponents:", run["fitted_exponent"].round(3))
