"""The ``physlab`` command: launch the app, list labs and presets, describe parameters, and run a
lab headless to a data file.

Exit status: 0 success; 1 the data could not be written at the end; 2 bad usage, parameters or
input file (one line, nothing written); 3 the run diverged (what it computed is still written,
with ``diverged: true`` in the metadata); 130 stopped by Ctrl+C or SIGTERM (what it computed is
written, with ``stopped: true``); 141 the reader of the output went away (``| head``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from physlab._version import __version__

EXIT_WRITE = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_STOPPED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl+C
EXIT_PIPE = 141  # 128 + SIGPIPE


def main(argv: list[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # a terminal that cannot show "η" gets "?"
    try:
        args = _parser().parse_args(argv)
        if args.info or args.reset_settings:
            return _settings_and_info(args)
        if args.command in (None, "gui"):
            from physlab.gui.app import main as gui_main

            return gui_main(lab=getattr(args, "lab", None))
        from physlab.sweep_cli import COMMANDS as SWEEP_COMMANDS

        status = {"list": _list, "params": _params, "run": _run, **SWEEP_COMMANDS}[args.command](
            args
        )
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader closed the pipe (``physlab list | head -1``): stop quietly, and point stdout
        # at /dev/null so the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except KeyboardInterrupt:  # a second Ctrl+C, or one before the run started
        print("\nphyslab: interrupted; nothing written", file=sys.stderr)
        return EXIT_STOPPED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="physlab", description="A simulation lab for the physics of learning."
    )
    parser.add_argument("--version", action="version", version=f"physlab {__version__}")
    parser.add_argument(
        "--info",
        action="store_true",
        help="print versions, the numba cache and settings locations, and the threading layer",
    )
    parser.add_argument(
        "--reset-settings",
        action="store_true",
        help="forget remembered settings (theme, window layout, last tab and folders)",
    )
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
    start.add_argument(
        "--preset", metavar="NAME", help="start from this preset (a name from 'physlab list')"
    )
    start.add_argument(
        "--preset-file",
        type=Path,
        metavar="FILE",
        help="start from a preset "
        "file of your own (TOML, the layout of resources/presets/*/*.toml)",
    )
    start.add_argument(
        "--config",
        metavar="TEXT",
        help="run a one-line configuration, "
        "'physlab:LAB?NAME=VALUE&…&seed=N' (the GUI's Edit ▸ Copy configuration)",
    )
    start.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="re-run a saved run: the parameters and seed recorded in an exported "
        ".npz/.csv, a .png/.svg figure from the app, or a .physlab session "
        "(--set and --seed still override)",
    )
    run.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter (repeatable)",
    )
    run.add_argument(
        "--seed",
        default=None,
        help="random seed, an integer in [0, 2^63) (default 0, or the preset's or saved run's)",
    )
    run.add_argument("--out", required=True, type=Path, help="output file, .npz or .csv")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    from physlab.sweep_cli import add_parsers as add_sweep_parsers

    add_sweep_parsers(sub, run)
    return parser


def _settings_and_info(args) -> int:
    if args.reset_settings:
        from physlab.core.settings import reset_settings, settings_path

        forgot = reset_settings()
        print(f"physlab: {'removed' if forgot else 'no settings saved at'} {settings_path()}")
    if args.info:
        from physlab.core.info import info_lines

        print("\n".join(info_lines()))
    return 0


def _fail(message: str) -> int:
    print(f"physlab: {message}", file=sys.stderr)
    return EXIT_USAGE


def _lab(name: str):
    from physlab.catalog import get_lab

    return get_lab(name)


def _list(args) -> int:
    from physlab.catalog import all_labs
    from physlab.core.presets import list_presets

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
    from physlab.core.config_text import ConfigError, from_text, lab_of
    from physlab.core.export import ExportError, check_target
    from physlab.core.headless import run_to_completion, save
    from physlab.core.params import ParamError, parse_seed
    from physlab.core.presets import PresetError, load_preset, load_preset_file
    from physlab.core.session import SessionError, run_from_file

    try:
        lab = _lab(args.lab)
    except KeyError as err:
        return _fail(err.args[0])
    if args.from_file is None and (args.point is not None or args.repeat is not None):
        # without a sweep to pick from they were ignored: the lab's defaults ran instead
        return _fail(
            f"--{'point' if args.point is not None else 'repeat'} picks a point of a sweep: "
            "give the sweep's file with --from SWEEP.npz|.csv"
        )
    if args.repeat is not None and args.point is None:
        return _fail("--repeat picks a repeat of a sweep's point: give the point with --point")
    seed = 0
    try:
        params = {}
        if args.preset is not None or args.preset_file is not None:
            preset = (
                load_preset(lab.name, args.preset, lab.spec)
                if args.preset is not None
                else load_preset_file(args.preset_file, lab.spec)
            )
            params.update(preset.params)
            seed = preset.seed if preset.seed is not None else seed
        if args.from_file:
            from physlab.sweep_cli import is_sweep_file, point_from_file

            if args.point is not None or is_sweep_file(args.from_file):
                saved, seed = point_from_file(args.from_file, lab, args.point, args.repeat or 0)
            else:
                saved, seed = run_from_file(args.from_file, lab)
            params.update(saved)
        if args.config:
            if lab_of(args.config) != lab.name:
                raise ConfigError(
                    f"the configuration is for lab {lab_of(args.config)!r}, not {lab.name!r}"
                )
            saved, seed = from_text(args.config, lab.spec)
            params.update(saved)
        params.update(lab.spec.parse_assignments(args.assignments))
        if args.seed is not None:
            seed = parse_seed(args.seed)
        params = lab.spec.validate(params)
        check_target(args.out)
    except (ParamError, PresetError, SessionError, ExportError, ConfigError) as err:
        return _fail(str(err))
    bar = _ProgressBar(enabled=not args.quiet)
    with _StopOnSignal() as stop:
        exp, wall = run_to_completion(
            lab, params, seed, progress=bar.update, should_stop=stop.is_set
        )
        bar.close()
        stopped = stop.is_set() and not exp.done
        try:
            path = save(lab, exp, args.out, wall, stopped=stopped)
        except ExportError as err:
            print(f"physlab: {err}", file=sys.stderr)
            return EXIT_WRITE
    if stopped:
        print(
            f"physlab: stopped at {exp.steps_done} of {exp.total_steps} steps; wrote what was "
            f"computed to {path} (stopped: true)",
            file=sys.stderr,
        )
        return EXIT_STOPPED
    if exp.diverged:
        print(f"physlab: {lab.name}: {exp.diverged}", file=sys.stderr)  # "kernels: the loss …"
        print(f"physlab: wrote what was computed to {path} (diverged: true)", file=sys.stderr)
        return EXIT_DIVERGED
    print(f"physlab: wrote {path} ({exp.steps_done} steps, {wall:.2f} s)", file=sys.stderr)
    return 0


class _StopOnSignal:
    """Ctrl+C and SIGTERM ask the run to stop (between chunks, or inside a long step) instead of
    killing it, so that what was computed is written. A second Ctrl+C interrupts at once."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self._event = threading.Event()
        self._old: dict = {}

    def is_set(self) -> bool:
        return self._event.is_set()

    def _handle(self, signum, frame) -> None:
        self._event.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print(
            "\nphyslab: stopping after the current step (Ctrl+C again to quit at once)",
            file=sys.stderr,
        )

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            self._old = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        for s, handler in self._old.items():
            signal.signal(s, handler)


class _ProgressBar:
    """A one-line progress bar on stderr with the time left, redrawn at most ten times a second;
    a run projected to take longer than a few minutes gets a warning line once, after its first
    chunks (shown with --quiet too)."""

    def __init__(self, enabled: bool, width: int = 30):
        from physlab.core.eta import Eta

        self.enabled = enabled
        self.width = width
        self.eta = Eta()
        self._last = -1.0
        self._drawn = False
        self._warned = False

    def update(self, exp, elapsed: float) -> None:
        from physlab.core.eta import LONG_RUN_SECONDS, duration, rate, settled

        self.eta.update(exp.steps_done, exp.total_steps, elapsed)
        if (
            not self._warned
            and settled(self.eta)
            and not exp.done
            and self.eta.seconds_total > LONG_RUN_SECONDS
        ):
            self._warned = True
            self._line(
                f"physlab: this run will take about {duration(self.eta.seconds_total)} "
                f"(at {rate(self.eta.steps_per_second)}); Ctrl+C stops it and writes "
                "what was computed"
            )
        if not self.enabled or (elapsed - self._last < 0.1 and not exp.done):
            return
        self._last = elapsed
        frac = min(exp.steps_done / max(exp.total_steps, 1), 1.0)
        filled = int(frac * self.width)
        left = (
            ""
            if exp.done or self.eta.seconds_left is None
            else f"  {duration(self.eta.seconds_left)} left"
        )
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} "
            f"{exp.steps_done}/{exp.total_steps} steps  "
            f"{rate(self.eta.steps_per_second)}{left}   "
        )
        sys.stderr.flush()
        self._drawn = True

    def _line(self, text: str) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False
        print(text, file=sys.stderr)

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False


if __name__ == "__main__":
    sys.exit(main())
