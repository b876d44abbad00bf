"""The arrays of a Collapse run, per model (what its tab draws and its export writes)."""
from physlab.core.frames import Array, FrameSchema, FrameSchemas

STAT = Array(("R", "X"))  # a statistic per row (strategy, generator) and x value
X = Array(("X",), "int")

ARRAYS = {
    "regression": {"generation": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
                   "T_values": Array(("W",), "int"), "sweep_error_mean": Array(("V", "W")),
                   "sweep_error_std": Array(("V", "W")),
                   "sweep_theory": Array(("V", "W"))},
    "tails": {"T_values": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
              "plateau": Array(("R2",)), "rank": Array(("Z",), "int"),
              "generator_probability": Array(("R", "Z"))},
    "strong": {"T_values": X, "error_mean": STAT, "error_std": STAT, "theory": STAT,
               "floor": Array(("R2",))},
    "verify": {"flip_values": Array(("X",)), "accuracy_mean": STAT,
               "accuracy_std": STAT, "theory": STAT, "critical_flip": Array(("R",)),
               "kept_noise": STAT, "bayes_accuracy": Array(("R",))},
    "gaussian": {"generation": X, "variance_paths": Array(("Y", "X")),
                 "variance_median": Array(("X",)), "log_variance_mean": Array(("X",)),
                 "log_variance_std": Array(("X",)),
                 "theory_log_variance": Array(("X",)),
                 "theory_log_variance_std": Array(("X",)),
                 "mean_sq_drift": Array(("X",)), "mean_sq_drift_std": Array(("X",)),
                 "theory_mean_drift": Array(("X",))},
}
FRAME = FrameSchemas("model", {model: FrameSchema(arrays) for model, arrays in ARRAYS.items()})
