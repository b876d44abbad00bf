"""The arrays of a Collapse run, per model (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema

STAT = Array(("R", "X"), finite="any")  # a statistic per row (strategy, generator) and x value
X = Array(("X",), "int", "all")

ARRAYS = {
    "regression": {"generation": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
                   "T_values": Array(("W",), "int", "all"), "sweep_error_mean": Array(("V", "W")),
                   "sweep_error_std": Array(("V", "W"), finite="any"),
                   "sweep_theory": Array(("V", "W"), finite="any")},
    "tails": {"T_values": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
              "plateau": Array(("R2",), finite="any"), "rank": Array(("Z",), "int", "all"),
              "generator_probability": Array(("R", "Z"), finite="any")},
    "strong": {"T_values": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
               "floor": Array(("R2",), finite="any")},
    "verify": {"flip_values": Array(("X",), finite="all"), "accuracy_mean": STAT,
               "accuracy_std": STAT, "theory": STAT, "critical_flip": Array(("R",), finite="any"),
               "kept_noise": STAT, "bayes_accuracy": Array(("R",), finite="any")},
    "gaussian": {"generation": X, "variance_paths": Array(("Y", "X")),
                 "variance_median": Array(("X",)), "log_variance_mean": Array(("X",)),
                 "log_variance_std": Array(("X",), finite="any"),
                 "theory_log_variance": Array(("X",)),
                 "theory_log_variance_std": Array(("X",), finite="any"),
                 "mean_sq_drift": Array(("X",)), "mean_sq_drift_std": Array(("X",), finite="any"),
                 "theory_mean_drift": Array(("X",))},
}
FRAMES = {model: FrameSchema(arrays) for model, arrays in ARRAYS.items()}
