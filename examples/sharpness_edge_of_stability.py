# %% [markdown]
# # Edge of stability on the Chebyshev net
# Full-batch GD on a 1→30→20→1 tanh net fitting T6: the top Hessian eigenvalue rises
# (progressive sharpening) until it reaches 2/η and then hovers there, while the loss keeps falling
# non-monotonically (Cohen et al., "Gradient Descent on Neural Networks Typically Occurs at the Edge
# of Stability", ICLR 2021, Fig. 1 in miniature). Open as a notebook with `jupytext --to ipynb`.

# %%
import matplotlib.pyplot as plt

import physlab

run = physlab.run("sharpness", preset="eos-chebyshev", steps=2000, seed=0)
lr = run.params["lr"]

# %%
fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 5))
top.plot(run["sharpness_step"], run["sharpness"], label="sharpness λ₁ (GD)")
top.axhline(2 / lr, ls="--", color="k", label="2/η")
top.set_ylabel("top Hessian eigenvalue")
top.legend()
bottom.semilogy(run["step"], run["loss"])
bottom.set_xlabel("step")
bottom.set_ylabel("training loss")
fig.tight_layout()
fig.savefig("sharpness_edge_of_stability.png", dpi=120)
late = run["sharpness"][len(run["sharpness"]) // 2 :].mean()
print(f"late sharpness · η/2 = {late * lr / 2:.3f} (the edge of stability is 1)")
