"""The ``physlab`` command: launch the app, list labs and presets, describe parameters, and run a
lab headless to a data file.

Exit status: 0 success, 2 bad usage or parameters (nothing written), 3 the run diverged (what it
computed is still written, with ``diverged: true`` in the metadata).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from physlab import __version__

EXIT_USAGE = 2
EXIT_DIVERGED = 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in (None, "gui"):
        from physlab.gui.app import main as gui_main
        return gui_main(lab=getattr(args, "lab", None))
    from physlab.sweep_cli import COMMANDS as SWEEP_COMMANDS
    return {"list": _list, "params": _params, "run": _run, **SWEEP_COMMANDS}[args.command](args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="physlab", description="A simulation lab for the "
                                     "physics of learning.")
    parser.add_argument("--version", action="version", version=f"physlab {__version__}")
    sub = parser.add_subparsers(dest="command")
    gui = sub.add_parser("gui", help="launch the app (the default)")
    gui.add_argument("--lab", help="open this lab's tab")
    sub.add_parser("list", help="list labs and their presets")
    params = sub.add_parser("params", help="describe a lab's parameters")
    params.add_argument("lab")
    params.add_argument("--json", action="store_true", help="machine-readable output")
    run = sub.add_parser("run", help="run a lab headless and write its data")
    run.add_argument("lab")
    start = run.add_mutually_exclusive_group()
    start.add_argument("--preset", help="start from this preset")
    start.add_argument("--from", dest="from_file", type=Path, metavar="FILE",
                       help="re-run a saved run: the parameters and seed recorded in an exported "
                       ".npz/.csv, a .png/.svg figure from the app, or a .physlab session "
                       "(--set and --seed still override)")
    run.add_argument("--set", dest="assignments", action="append", default=[],
                     metavar="NAME=VALUE", help="set a parameter (repeatable)")
    run.add_argument("--seed", type=int, default=None, help="random seed (default 0, or the "
                     "preset's or saved run's)")
    run.add_argument("--out", required=True, type=Path, help="output file, .npz or .csv")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    from physlab.sweep_cli import add_parsers as add_sweep_parsers
    add_sweep_parsers(sub, run)
    return parser


def _fail(message: str) -> int:
    print(f"physlab: {message}", file=sys.stderr)
    return EXIT_USAGE


def _lab(name: str):
    from physlab.labs import get_lab
    return get_lab(name)


def _list(args) -> int:
    from physlab.core.presets import list_presets
    from physlab.labs import all_labs
    for lab in all_labs().values():
        print(f"{lab.name:<12} {lab.summary}")
        for preset in list_presets(lab.name):
            print(f"{'':<12}   preset: {preset}")
    return 0


def _params(args) -> int:
    try:
        lab = _lab(args.lab)
    except KeyError as err:
        return _fail(err.args[0])
    if args.json:
        print(json.dumps(lab.spec.describe(), indent=2))
        return 0
    for p in lab.spec:
        live = " (live)" if p.live else ""
        unit = f" [{p.unit}]" if p.unit else ""
        print(f"{p.name:<14} = {_show(p.default):<12} {p.allowed()}{unit}{live}\n{'':<17}{p.help}")
    return 0


def _show(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _run(args) -> int:
    from physlab.core.export import ExportError, check_target
    from physlab.core.params import ParamError
    from physlab.core.presets import PresetError, load_preset
    from physlab.core.session import SessionError, run_from_file
    from physlab.core.headless import run_to_completion, save

    try:
        lab = _lab(args.lab)
    except KeyError as err:
        return _fail(err.args[0])
    seed = 0
    try:
        params = {}
        if args.preset:
            preset = load_preset(lab.name, args.preset, lab.spec)
            params.update(preset.params)
            seed = preset.seed if preset.seed is not None else seed
        if args.from_file:
            from physlab.sweep_cli import is_sweep_file, point_from_file
            if args.point is not None or is_sweep_file(args.from_file):
                saved, seed = point_from_file(args.from_file, lab, args.point, args.repeat)
            else:
                saved, seed = run_from_file(args.from_file, lab)
            params.update(saved)
        params.update(lab.spec.parse_assignments(args.assignments))
        params = lab.spec.validate(params)
        check_target(args.out)
    except (ParamError, PresetError, SessionError, ExportError) as err:
        return _fail(str(err))
    if args.seed is not None:
        seed = args.seed
    bar = _ProgressBar(enabled=not args.quiet)
    exp, wall = run_to_completion(lab, params, seed, progress=bar.update)
    bar.close()
    try:
        path = save(lab, exp, args.out, wall)
    except ExportError as err:
        print(f"physlab: {err}", file=sys.stderr)
        return 1
    if exp.diverged:
        print(f"physlab: {lab.name} {exp.diverged}", file=sys.stderr)
        print(f"physlab: wrote what was computed to {path} (diverged: true)", file=sys.stderr)
        return EXIT_DIVERGED
    print(f"physlab: wrote {path} ({exp.steps_done} steps, {wall:.2f} s)", file=sys.stderr)
    return 0


class _ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, enabled: bool, width: int = 30):
        self.enabled = enabled
        self.width = width
        self._last = -1.0
        self._drawn = False

    def update(self, exp, elapsed: float) -> None:
        if not self.enabled or (elapsed - self._last < 0.1 and not exp.done):
            return
        self._last = elapsed
        frac = min(exp.steps_done / max(exp.total_steps, 1), 1.0)
        filled = int(frac * self.width)
        rate = exp.steps_done / max(elapsed, 1e-9)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} "
                         f"{exp.steps_done}/{exp.total_steps} steps  {rate:,.0f} steps/s ")
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")


if __name__ == "__main__":
    sys.exit(main())
