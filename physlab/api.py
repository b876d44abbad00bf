"""physlab as a library: run a lab, read what it wrote, from a script or a notebook.

    >>> import physlab
    >>> run = physlab.run("sharpness", lr=0.2, steps=600, seed=0)
    >>> run["sharpness"][-1] * 0.2 / 2          # λ·η/2 at the end: ≈ 1 at the edge of stability
    >>> run.save("eos.npz")                     # the same file `physlab run` writes
    >>> physlab.load("eos.npz").params["lr"]
    0.2

The names here are the stable interface (the rest of the package may move): :func:`labs`,
:func:`params`, :func:`run`, :func:`sweep`, :func:`load`, :func:`from_config`, :class:`Run`, and
:class:`~physlab.core.params.ParamError`. Validation is the CLI's: a bad value raises
``ParamError`` naming the parameter and the allowed range. No Qt is imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .core.config_text import ConfigError, format_value, from_text, lab_of, to_text
from .core.params import Param, ParamError
from .core.registry import Lab

__all__ = [
    "ConfigError",
    "ParamError",
    "Run",
    "from_config",
    "labs",
    "load",
    "params",
    "run",
    "sweep",
]


def labs() -> list[str]:
    """The names of the labs this installation has (``physlab list``)."""
    from .catalog import all_labs

    return list(all_labs())


def _lab(name: str) -> Lab:
    """The lab named ``name`` (a ValueError, as for any bad argument here, when there is none)."""
    from .catalog import get_lab

    try:
        return get_lab(name)
    except KeyError as err:
        raise ValueError(err.args[0]) from None


def params(lab: str) -> dict[str, Param]:
    """A lab's parameters by name, in the order the GUI shows them; each :class:`Param` has
    ``default``, ``allowed()``, ``unit`` and ``help`` (``physlab params LAB``)."""
    return dict(_lab(lab).spec.params)


@dataclass
class Run:
    """One run of a lab: its arrays by key (``run["loss"]``), parameters, seed and metadata.

    A run made by :func:`run` holds every array the GUI shows; one read by :func:`load` from a
    figure or CSV holds the metadata (and :meth:`rerun` recomputes the arrays from it).
    """

    lab: str
    params: dict
    seed: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return self.arrays[key]
        except KeyError:
            raise KeyError(
                f"{self.lab} run has no array {key!r}; it has: "
                f"{', '.join(self.arrays) or 'none (rerun() computes them)'}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.arrays)

    def keys(self):
        return self.arrays.keys()

    def frame(self) -> dict[str, np.ndarray]:
        """The arrays as one dict (what a lab's tab paints)."""
        return dict(self.arrays)

    @property
    def diverged(self) -> bool:
        return bool(self.meta.get("diverged", False))

    def config(self) -> str:
        """The one-line configuration (``physlab:LAB?…&seed=N``) that re-runs this run."""
        return to_text(self.lab, self.params, self.seed)

    def rerun(self) -> Run:
        """Run the same parameters and seed again (bit for bit the same arrays)."""
        return run(self.lab, seed=self.seed, **self.params)

    def save(self, path: str | Path) -> Path:
        """Write the arrays and metadata to ``path`` (.npz or .csv), atomically, as the CLI does."""
        from .core.export import write_run

        if not self.arrays:
            raise ValueError(
                "this run holds no arrays (it was read from a figure or CSV); rerun() it first"
            )
        return write_run(Path(path), self.arrays, self.meta)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}{list(np.shape(v))}" for k, v in list(self.arrays.items())[:6])
        more = ", …" if len(self.arrays) > 6 else ""
        return f"Run({self.lab!r}, seed={self.seed}, arrays: {shown}{more})"


def run(lab: str, seed: int = 0, preset: str | None = None, **params: Any) -> Run:
    """Run ``lab`` to the end (blocking) and return its arrays.

    ``preset`` starts from a named preset (``physlab list`` shows them); keyword arguments override
    parameters by name and are validated as on the command line (``ParamError`` names a bad one).
    The seed fixes every random draw: the same call gives the same arrays.
    """
    from .core.headless import experiment_meta, run_to_completion
    from .core.presets import PresetError, load_preset

    the_lab = _lab(lab)
    values: dict[str, Any] = {}
    if preset is not None:
        try:
            found = load_preset(the_lab.name, preset, the_lab.spec)
        except PresetError as err:
            raise ValueError(str(err)) from None
        values.update(found.params)
    values.update(params)
    checked = the_lab.spec.validate(values)
    seed = int(seed)
    exp, wall = run_to_completion(the_lab, checked, seed)
    meta = experiment_meta(the_lab, exp, wall)
    return Run(the_lab.name, dict(exp.params), exp.seed, exp.frame(), meta)


def sweep(
    lab: str,
    grid: Mapping[str, Any],
    repeats: int = 1,
    measures: Sequence[str] = (),
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    preset: str | None = None,
    stream: bool = False,
    base: Mapping[str, Any] | None = None,
    **params: Any,
):
    """Run ``lab`` over a grid of one or two of its parameters on a Dask cluster (a local one,
    one worker process per core, unless ``scheduler`` gives a ``tcp://host:port``), as
    ``physlab sweep`` does, and return its :class:`~physlab.core.sweep.SweepResult` (one array per
    measure shaped (len(axis 1), [len(axis 2),] repeats), ``status``, ``errors``; ``.save(path)``,
    ``.to_xarray()``).

    ``grid`` maps each swept parameter to its values, a list (``{"width": [16, 32, 64]}``) or the
    CLI's range text (``{"lr": "0.01:2:24:log"}``); keyword arguments set the base parameters
    (``base={...}`` too, for a lab parameter named like an argument here, e.g. Collapse's own
    ``repeats``). The
    numbers do not depend on the cluster: a point's seed comes from (``seed``, point, repeat).
    With ``stream=True`` the call returns at once with an iterator of the points'
    :class:`~physlab.core.sweep.PointResult` as they finish (for a notebook that draws live);
    closing it early stops the sweep.
    """
    import time

    from .core.presets import PresetError, load_preset
    from .core.sweep import SweepRun, SweepSpec, parse_axis
    from .core.sweep.budget import check_budget
    from .core.sweep.cluster import cores

    the_lab = _lab(lab)
    values: dict[str, Any] = {}
    if preset is not None:
        try:
            values.update(load_preset(the_lab.name, preset, the_lab.spec).params)
        except PresetError as err:
            raise ValueError(str(err)) from None
    values.update(base or {})
    values.update(params)
    axes = tuple(
        parse_axis(the_lab.spec, f"{name}={_axis_text(spec)}") for name, spec in grid.items()
    )
    spec = SweepSpec(
        the_lab.name,
        the_lab.spec.validate(values),
        axes,
        repeats=int(repeats),
        measures=tuple(measures),
        seed=int(seed),
    )
    spec.validate(the_lab.spec)
    if not scheduler:
        check_budget(spec, workers or cores(), local=True)
    sweep_run = SweepRun(spec, scheduler=scheduler, workers=workers)
    sweep_run.start()

    def finished():
        try:
            while sweep_run.running or not sweep_run.join(0):
                yield from sweep_run.poll()
                time.sleep(0.05)
            yield from sweep_run.poll()
        finally:
            if sweep_run.running:
                sweep_run.stop()
            sweep_run.join(30)
        if sweep_run.state == "failed":
            raise RuntimeError(f"the sweep failed: {sweep_run.message}")

    if stream:
        return finished()
    for _ in finished():
        pass
    result = sweep_run.result
    result.meta.update(sweep_run.run_meta())
    return result


def _axis_text(values: Any) -> str:
    """A grid entry as the CLI writes it: range text as it is, a list joined by commas."""
    if isinstance(values, str):
        return values
    if not isinstance(values, (list, tuple)) or not values:
        raise ParamError("grid", f"{values!r:.60} is not a list of values or 'start:stop:count'")
    return ",".join(format_value(v) for v in values)


def from_config(text: str) -> Run:
    """Run a one-line configuration (``physlab:sharpness?lr=0.2&seed=0``, as the GUI's Edit ▸ Copy
    configuration writes it); raises :class:`ConfigError` for a line that cannot be read."""
    the_lab = _lab(lab_of(text))
    values, seed = from_text(text, the_lab.spec)
    return run(the_lab.name, seed=seed, **values)


def load(path: str | Path):
    """Read anything physlab writes.

    A sweep's ``.npz`` or ``.csv`` (from :func:`sweep` or ``physlab sweep``) gives its
    :class:`~physlab.core.sweep.SweepResult`.

    An exported ``.npz`` gives a :class:`Run` with its arrays; a ``.csv`` or a ``.png``/``.svg``/
    ``.pdf`` figure gives its parameters, seed and metadata (:meth:`Run.rerun` recomputes the
    arrays); a ``.physlab`` session gives every lab's kept runs, oldest first, by lab name.
    """
    from .catalog import all_labs
    from .core.export import read_npz
    from .core.session import SUFFIX, _export_meta, read_session

    path = Path(path)
    if path.suffix.lower() == SUFFIX:
        states, _ = read_session(path, all_labs())
        return {
            name: [Run(name, r.params, r.seed, dict(r.frame), dict(r.meta)) for r in state.runs]
            for name, state in states.items()
        }
    if path.suffix.lower() in (".npz", ".csv") and _is_sweep(path):
        from .core.sweep import SweepResult

        return SweepResult.load(path)
    meta = _export_meta(path)
    the_lab = _lab(str(meta.get("lab")))
    params_, seed = the_lab.spec.validate(meta.get("params") or {}), int(meta.get("seed", 0))
    arrays = read_npz(path)[0] if path.suffix.lower() == ".npz" else {}
    return Run(the_lab.name, params_, seed, arrays, dict(meta))


def _is_sweep(path: Path) -> bool:
    """Whether an NPZ or CSV holds a sweep (its metadata says ``format: physlab-sweep``)."""
    import json
    import zipfile

    from .core import bounded
    from .core.sweep.result import FORMAT

    try:
        if path.suffix.lower() == ".csv":
            text = bounded.first_line(path).partition(" ")[2].partition(" ")[2]
        else:
            with bounded.open_zip(path) as zf:
                text = bounded.read_text_member(zf, "meta")
        return json.loads(text).get("format") == FORMAT
    except (OSError, ValueError, KeyError, AttributeError, zipfile.BadZipFile):
        return False
