"""A throwaway Dask cluster on localhost, reached over tcp like a remote one: ``dask scheduler``
and ``dask worker ADDRESS --nthreads 1`` processes started here, each in its own session (free
port, idle and death timeouts so they stop by themselves), and only they are killed on exit.
Used by the tcp-cluster test and the sweep benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:  # each in its own session: the group is it and its nanny's children
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@contextlib.contextmanager
def tcp_cluster(workers: int = 2, logs: Path | None = None) -> Iterator[str]:
    """Yield the scheduler's address once ``workers`` workers have joined."""
    from distributed import Client

    from physlab.core.sweep.cluster import worker_environment

    logs = Path(logs or tempfile.mkdtemp(prefix="physlab-dask-"))
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, **worker_environment()}
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        with open(logs / f"{name}.log", "w") as log:
            procs.append(
                subprocess.Popen(
                    [str(DASK), *args],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            )

    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[-1],
            "--no-dashboard",
            "--idle-timeout",
            "300s",
        )
        for i in range(workers):
            start(
                f"worker{i}",
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--death-timeout",
                "60",
                "--name",
                f"w{i}",
            )
        with Client(address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout="90s")
        yield address
    finally:
        _stop(procs)
