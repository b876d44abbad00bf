"""Run in a subprocess by test_memory.py: the peak resident memory a run adds, beside the lab's
estimate. Usage: ``python rss_probe.py LAB '{"param": value}' STEPS``; prints JSON.

The lab's kernels are loaded first by its warm-up (compiling or loading them from the cache has
its own peak), then the peak is reset (``/proc/self/clear_refs``, Linux) and measured (VmHWM, the
peak resident set that ``getrusage``'s ``ru_maxrss`` also reports) over building the experiment
and taking ``STEPS`` steps.
"""

import json
import resource
import sys

from physlab.catalog import get_lab
from physlab.core.experiment import drive


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def main() -> None:
    lab = get_lab(sys.argv[1])
    params = lab.spec.validate(json.loads(sys.argv[2]))  # refused here if over the limit
    steps = int(sys.argv[3])
    lab.warmup()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = status_kib("VmRSS")
    exp = lab.build(params, 0)
    drive(exp, should_stop=lambda: exp.steps_done >= steps)
    exp.frame()
    # the process's peak since the reset (VmHWM; ru_maxrss also keeps peaks merged in when
    # threads exit, which can predate the reset)
    peak = status_kib("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    est = lab.memory_estimate(params) if lab.memory_estimate else -1
    print(
        json.dumps(
            {
                "estimate": est,
                "added": (peak - base) * 1024,
                "steps": exp.steps_done,
                "ru_maxrss_added": (maxrss - base) * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
