"""``physlab sweep``, ``physlab measures`` and ``physlab run --from SWEEP --point I[,J]``: the
headless side of the sweep engine (:mod:`physlab.core.sweep`).

Exit status of ``physlab sweep``: 0 every point has a result (diverged points are results),
2 bad usage or parameters (nothing submitted), 1 the cluster could not be reached or the file not
written, 4 some points failed (written with status 2 and their errors), 130 interrupted (Ctrl+C
or SIGTERM: what finished is written; ``--resume FILE`` finishes it).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

EXIT_USAGE = 2
EXIT_ERROR = 1
EXIT_FAILED_POINTS = 4
EXIT_INTERRUPTED = 130


def add_parsers(sub, run_parser: argparse.ArgumentParser) -> None:
    """Register ``sweep`` and ``measures`` and the ``--point``/``--repeat`` options of ``run``."""
    sweep = sub.add_parser(
        "sweep",
        help="run a lab over a grid of one or two parameters on a "
        "Dask cluster (local by default) and write the measures",
    )
    sweep.add_argument("lab", nargs="?", help="the lab (not needed with --resume)")
    sweep.add_argument(
        "--preset", help="start from this sweep preset (resources/presets/<lab>/sweeps/)"
    )
    sweep.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a base parameter (repeatable)",
    )
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="an axis: NAME=start:stop:count[:log] or NAME=v1,v2,… (once or "
        "twice; replaces the preset's grid)",
    )
    sweep.add_argument("--repeats", type=int, default=None, help="seeds per point (default 1)")
    sweep.add_argument(
        "--measure",
        dest="measures",
        action="append",
        default=[],
        metavar="NAME",
        help="record this measure (repeatable; default all; see physlab measures LAB)",
    )
    sweep.add_argument("--seed", type=int, default=None, help="sweep seed (default 0)")
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. "
        "tcp://host:8786 (default $PHYSLAB_SCHEDULER, else a local cluster)",
    )
    sweep.add_argument(
        "--workers", type=int, default=None, help="local cluster processes (default: one per core)"
    )
    sweep.add_argument(
        "--resume",
        type=Path,
        metavar="FILE",
        help="finish the sweep in FILE, skipping the points already done",
    )
    sweep.add_argument(
        "--out", type=Path, help="output file, .npz or .csv (default with --resume: FILE)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    measures = sub.add_parser("measures", help="list a lab's sweep measures and sweep presets")
    measures.add_argument("lab")
    run_parser.add_argument(
        "--point",
        metavar="I[,J]",
        help="with --from SWEEP.npz|.csv: re-run this grid point of the sweep as a single run",
    )
    run_parser.add_argument(
        "--repeat", type=int, default=None, help="with --point: which repeat (default 0)"
    )


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"physlab: {message}", file=sys.stderr)
    return code


# -- physlab measures -------------------------------------------------------------------------
def measures_main(args) -> int:
    from physlab.catalog import get_lab
    from physlab.core.sweep.presets import list_sweep_presets

    try:
        lab = get_lab(args.lab)
    except KeyError as err:
        return _fail(err.args[0])
    for m in lab.measures:
        unit = f" [{m.unit}]" if m.unit else ""
        cats = (
            f" ({', '.join(f'{i} {c}' for i, c in enumerate(m.categories))})"
            if m.categories
            else ""
        )
        print(f"{m.name:<24}{unit}\n{'':<4}{m.description}{cats}")
    for name in list_sweep_presets(lab.name):
        print(f"sweep preset: {name}")
    return 0


# -- physlab sweep ----------------------------------------------------------------------------
def sweep_main(args) -> int:
    import os

    from physlab.core.export import ExportError, check_target
    from physlab.core.params import ParamError
    from physlab.core.presets import PresetError
    from physlab.core.sweep import SweepFileError, SweepResult
    from physlab.core.sweep.budget import check_budget
    from physlab.core.sweep.cluster import SCHEDULER_ENV, cores

    previous = None
    try:
        if args.resume:
            previous = SweepResult.load(args.resume)
            spec = _resumed_spec(args, previous)
        else:
            spec = _new_spec(args)
        spec.validate()
        out = check_target(args.out or args.resume)
    except (ParamError, PresetError, SweepFileError, ExportError, KeyError, ValueError) as err:
        return _fail(err.args[0] if isinstance(err, KeyError) else str(err))
    scheduler = args.scheduler or os.environ.get(SCHEDULER_ENV) or None
    if scheduler and args.workers:
        return _fail(
            "--workers sizes the local cluster; a remote cluster has the workers "
            "it was started with"
        )
    if args.workers is not None and not 1 <= args.workers <= 256:
        return _fail(f"--workers {args.workers} is not an integer in [1, 256]")
    workers = args.workers or cores()
    try:
        estimate = check_budget(spec, workers, local=not scheduler)
    except ParamError as err:
        return _fail(err.message)
    if estimate and not args.quiet:
        print(f"physlab: {estimate}", file=sys.stderr)
    return _run_sweep(
        spec, scheduler, workers if not scheduler else None, previous, out, quiet=args.quiet
    )


def _new_spec(args):
    from physlab.catalog import get_lab
    from physlab.core.params import ParamError
    from physlab.core.sweep import SweepSpec, parse_axis
    from physlab.core.sweep.presets import load_sweep_preset

    if not args.lab:
        raise ParamError("lab", "name the lab to sweep (physlab list), or --resume FILE")
    lab = get_lab(args.lab)
    base, grid, repeats, measures, seed = {}, (), 1, (), 0
    if args.preset:
        preset = load_sweep_preset(lab.name, args.preset, lab.spec)
        base, grid, repeats = dict(preset.params), preset.grid, preset.repeats
        measures, seed = preset.measures, preset.seed
    base.update(lab.spec.parse_assignments(args.assignments))
    base = lab.spec.validate(base)
    grid = tuple(args.grid) or grid
    if len(grid) > 2:
        raise ParamError("grid", f"a sweep has one or two axes, not {len(grid)}")
    if not grid:
        raise ParamError(
            "grid",
            "give one or two axes: --grid NAME=start:stop:count[:log] or --grid NAME=v1,v2,…",
        )
    axes = tuple(parse_axis(lab.spec, text) for text in grid)
    measures = tuple(args.measures) or measures
    for name in measures:
        lab.measure(name)
    return SweepSpec(
        lab.name,
        base,
        axes,
        repeats=args.repeats if args.repeats is not None else repeats,
        measures=measures,
        seed=args.seed if args.seed is not None else seed,
    )


def _resumed_spec(args, previous):
    from physlab.core.params import ParamError

    if args.lab and args.lab != previous.spec.lab:
        raise ParamError(
            "lab", f"{args.resume} is a sweep of lab {previous.spec.lab!r}, not {args.lab!r}"
        )
    if (
        args.preset
        or args.assignments
        or args.grid
        or args.measures
        or args.repeats is not None
        or args.seed is not None
    ):
        raise ParamError(
            "resume",
            "--resume finishes the sweep recorded in the file: it takes "
            "no --preset, --set, --grid, --measure, --repeats or --seed",
        )
    return previous.spec


def _run_sweep(spec, scheduler, workers, previous, out: Path, quiet: bool) -> int:
    from physlab.core.export import ExportError
    from physlab.core.sweep import SweepRun, shutdown_local_cluster

    run = SweepRun(spec, scheduler=scheduler, workers=workers, resume=previous)
    bar = _SweepProgress(run, enabled=not quiet)
    interrupted = False
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        run.start()
        while run.running:
            run.join(0.1)
            run.poll()
            bar.draw()
    except KeyboardInterrupt:
        interrupted = True
        run.stop()
        run.join(30.0)
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        bar.draw(force=True)
        bar.close()
        shutdown_local_cluster()
    if run.state == "failed" and not run.result.finished():
        return _fail(run.message, EXIT_ERROR)
    try:
        path = run.result.save(out)
    except ExportError as err:
        return _fail(str(err), EXIT_ERROR)
    result = run.result
    summary = (
        f"{result.done()} of {result.total()} points done, {result.failures()} failed, "
        f"in {run.wall_time:.1f} s"
    )
    if interrupted or run.state != "finished":
        why = "interrupted" if interrupted else run.message
        print(
            f"physlab: {why}; wrote what finished to {path} ({summary}); finish it with "
            f"physlab sweep --resume {path}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED if interrupted else EXIT_ERROR
    print(f"physlab: wrote {path} ({summary})", file=sys.stderr)
    if result.failures():
        for line in result.errors[:5]:
            print(f"physlab: failed point {line}", file=sys.stderr)
        return EXIT_FAILED_POINTS
    return 0


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


class _SweepProgress:
    """One line on stderr: points done / total, points/s, workers, failures (≤ 10 redraws/s)."""

    def __init__(self, run, enabled: bool, width: int = 30):
        self.run, self.enabled, self.width = run, enabled, width
        self._last = 0.0
        self._drawn = False

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        result, run = self.run.result, self.run
        finished, total = result.finished(), result.total()
        filled = int(self.width * finished / max(total, 1))
        state = "connecting… " if run.state == "connecting" else ""
        sys.stderr.write(
            f"\r{state}[{'#' * filled}{'.' * (self.width - filled)}] "
            f"{finished}/{total} points  {run.rate:.2f} points/s  "
            f"{run.workers} workers  {result.failures()} failed "
        )
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")


# -- physlab run --from SWEEP --point I[,J] ---------------------------------------------------
def is_sweep_file(path: Path) -> bool:
    from physlab.core.sweep import SweepFileError, SweepResult

    try:
        SweepResult.load(path)
    except (SweepFileError, OSError, ValueError, KeyError):
        return False
    return True


def point_from_file(path: Path, lab, point: str | None, repeat: int) -> tuple[dict, int]:
    """The parameters and seed of one (grid point, repeat) of a saved sweep of ``lab``; raises
    :class:`~physlab.core.session.SessionError` with a one-line message."""
    from physlab.core.session import SessionError
    from physlab.core.sweep import SweepFileError, SweepResult

    try:
        spec = SweepResult.load(path).spec
    except SweepFileError as err:
        raise SessionError(str(err)) from None
    if spec.lab != lab.name:
        raise SessionError(f"{path.name} is a sweep of lab {spec.lab!r}, not {lab.name!r}")
    shape = spec.grid_shape()
    if point is None:
        raise SessionError(
            f"{path.name} is a sweep over {' × '.join(map(str, shape))} points: "
            f"choose one with --point I[,J] (and --repeat R)"
        )
    try:
        index = tuple(int(part) for part in point.split(","))
    except ValueError:
        raise SessionError(
            f"--point {point!r}: expected {len(shape)} comma-separated integers"
        ) from None
    if len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape)):
        ranges = ",".join(f"0..{n - 1}" for n in shape)
        raise SessionError(f"--point {point} is not in the sweep's grid ({ranges})")
    if not 0 <= repeat < spec.repeats:
        raise SessionError(f"--repeat {repeat} is not in 0..{spec.repeats - 1}")
    p = spec.point(index, repeat)
    return lab.spec.validate(p.params), p.seed


COMMANDS = {"sweep": sweep_main, "measures": measures_main}
