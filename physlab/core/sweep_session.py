"""A lab's sweep in a session file (see :mod:`physlab.core.session`): the sweep on screen in the
lab's Sweep view — its description, arrays, errors and the measure shown — saved beside the lab's
runs and opened back into the view.

In the session's JSON a lab's entry gains ``"sweep": {"spec": {…SweepSpec.describe()…},
"measure": …, "errors": […], "meta": {…}, "arrays": [names]}``, and its arrays are the entries
``L/sweep/<name>`` (the arrays of :class:`~physlab.core.sweep.SweepResult`, as in its NPZ). A lab
without a sweep has no ``sweep`` key, so sessions written before sweeps existed open unchanged.
The sweep engine is imported only when a session holds a sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SweepRecord:
    """A sweep kept in a session: its result (spec and arrays) and the measure on screen."""

    result: Any  # physlab.core.sweep.SweepResult
    measure: str = ""


def sweep_entry(lab: str, record: SweepRecord | None, arrays: dict) -> dict:
    """The lab's ``sweep`` entry of the session JSON ({} without a sweep); puts the sweep's
    arrays into ``arrays`` under ``<lab>/sweep/``."""
    if record is None:
        return {}
    result = record.result
    for name, value in result.arrays.items():
        arrays[f"{lab}/sweep/{name}"] = value
    return {
        "sweep": {
            "spec": result.spec.describe(),
            "measure": record.measure,
            "errors": list(result.errors),
            "meta": dict(result.meta),
            "arrays": list(result.arrays),
        }
    }


def read_sweep(z, lab: str, entry: dict) -> SweepRecord | None:
    """The sweep of a lab's session entry (None if it has none). Raises ``KeyError`` or
    ``ValueError`` (ParamError) for a damaged or no longer valid one, like the runs."""
    doc = entry.get("sweep")
    if doc is None:
        return None
    from .sweep import SweepResult, SweepSpec

    spec = SweepSpec.from_description(doc["spec"])
    spec.validate()
    arrays = {name: z[f"{lab}/sweep/{name}"] for name in doc["arrays"]}
    if arrays["status"].shape != spec.shape():
        raise ValueError(f"the saved sweep of {lab} is damaged: its arrays do not fit its axes")
    return SweepRecord(
        SweepResult(spec, arrays, list(doc["errors"]), dict(doc["meta"])),
        str(doc.get("measure", "")),
    )
