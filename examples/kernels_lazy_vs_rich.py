# %% [markdown]
# # Lazy vs rich: how far the NTK moves with γ0
# A width-N two-layer network in the mean-field parameterisation: at small γ0 the neural tangent
# kernel hardly moves (lazy), at γ0 ≈ 1 it aligns with the task (rich), and the infinite-width DMFT
# follows the simulation (Bordelon & Pehlevan, "Self-Consistent Dynamical Field Theory of Kernel
# Evolution in Wide Neural Networks", NeurIPS 2022).

# %%
import matplotlib.pyplot as plt
import numpy as np

import physlab

fig, ax = plt.subplots(figsize=(6, 4))
for gamma0 in (0.1, 1.0, 2.0):
    run = physlab.run("kernels", gamma0=gamma0, steps=150, seed=0)
    (line,) = ax.plot(run["step"], run["alignment"], label=f"simulation, γ0 = {gamma0}")
    if "theory_alignment" in run:
        ax.plot(
            run["step"],
            run["theory_alignment"],
            "--",
            color=line.get_color(),
            label=f"DMFT, γ0 = {gamma0}",
        )
    change = np.linalg.norm(run["ntk"][-1] - run["ntk"][0]) / np.linalg.norm(run["ntk"][0])
    print(f"γ0 = {gamma0}: relative NTK change {change:.3f}")
ax.set_xlabel("step")
ax.set_ylabel("kernel–task alignment")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig("kernels_lazy_vs_rich.png", dpi=120)
