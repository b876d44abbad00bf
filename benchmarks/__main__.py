"""``python -m benchmarks [--quick] [--repeats N] [--only TEXT]``: print the table."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys

from . import collapse, diffusion, harness, kernels, sharpness


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, no timing repeats: "
        "checks that every workload runs and agrees with its reference",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per entry (median)")
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    args = parser.parse_args(argv)
    workloads = [
        *sharpness.workloads(args.quick),
        *kernels.workloads(args.quick),
        *diffusion.workloads(args.quick),
        *collapse.workloads(args.quick),
    ]
    workloads = [w for w in workloads if args.only.lower() in w.name.lower()]
    rows = harness.run(workloads, repeats=1 if args.quick else args.repeats, timed=not args.quick)
    print(
        f"physlab benchmarks — {datetime.date.today()} — {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        + (" — quick (correctness only)" if args.quick else f" — median of {args.repeats}")
    )
    print(harness.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
