# %% [markdown]
# # Model collapse: replace vs accumulate vs mix
# Ordinary least squares refitted each generation on labels made by the previous generation's
# model: replacing the data makes the test error grow linearly in the generation (Dohmatob, Feng &
# Kempe, "Model Collapse Demystified", NeurIPS 2024), accumulating it keeps the error bounded
# (Gerstgrasser et al., "Is Model Collapse Inevitable?", 2024). Dashed: the closed forms.

# %%
import matplotlib.pyplot as plt

import physlab

run = physlab.run("collapse", generations=10, repeats=50, seed=0)
strategies = run.params["strategy"]
fig, ax = plt.subplots(figsize=(6, 4))
for name, mean, std, theory in zip(strategies, run["error_mean"], run["error_std"], run["theory"]):
    (line,) = ax.plot(run["generation"], mean, "o-", ms=3, label=f"{name} (simulation)")
    ax.fill_between(run["generation"], mean - std, mean + std, color=line.get_color(), alpha=0.2)
    ax.plot(run["generation"], theory, "--", color=line.get_color(), label=f"{name} (theory)")
ax.set_xlabel("generation n")
ax.set_ylabel("test error")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig("collapse_replace_vs_accumulate.png", dpi=120)
