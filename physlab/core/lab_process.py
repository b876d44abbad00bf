"""A lab's worker process: the GUI runs each lab's experiments in a process of their own.

Why a process and not a thread: the worker's Python (between its numba calls) no longer takes
the GIL from the thread that paints; Stop, Reset and closing never wait for a kernel, however
long it computes or compiles (closing ends the process); and a kernel that crashes (a segfault
in compiled code) ends its process, not the app. The process is started with ``spawn`` — a
fresh interpreter that imports no Qt, never a ``fork`` of a process whose Qt threads run.

In the worker (:func:`serve`) the ordinary thread :class:`~.runner.Runner` runs the experiment;
its main thread only reads the GUI's commands (start, stop, pause, resume, update, ack), and a
warm-up thread may compile the lab's kernels meanwhile (:func:`warm_up`). Frames go
back as :mod:`.frame_delta` deltas, one at a time: the next is sent when the GUI has taken the
last ("ack"), so a slow GUI makes the worker skip frames instead of queueing them, and the last
frame of a run is always sent before the state that ends it. :class:`LabProcess` is the GUI's end
of the pipe: it starts the process and hands every message to a callback on its reader thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import multiprocessing
import signal
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from .frame_delta import FrameEncoder
from .runner import Runner, RunState

SPAWN = multiprocessing.get_context("spawn")
CHUNK_SECONDS = 0.02  # a frame every 20 ms when the GUI is ready for it: more than it paints


def serve(conn: Any, make_lab: Callable[[], Any], warm: bool) -> None:
    """The worker process: build the lab (``make_lab()``), compile its kernels in the background
    if ``warm`` (then send ``("warm", failure)``), and serve the GUI's commands until it quits or
    goes."""
    faulthandler.enable()  # a crash in compiled code prints where it happened before the end
    lab = make_lab()
    relay = Relay(conn)
    runner = relay.runner = Runner(lab.build, listener=relay, target_seconds=CHUNK_SECONDS)
    if warm:
        threading.Thread(
            target=warm_up, args=(lab, relay), name="physlab-warmup", daemon=True
        ).start()
    commands: dict[str, Callable[..., Any]] = {
        "start": relay.start,
        "stop": runner.stop,
        "pause": runner.pause,
        "resume": runner.resume,
        "update": runner.update,
        "ack": relay.ack,
    }
    while True:
        try:
            kind, *args = conn.recv()
        except (EOFError, OSError):  # the GUI has gone
            break
        if kind == "quit":
            break
        commands[kind](*args)
    runner.shutdown(0.0)


def warm_up(lab: Any, relay: Relay) -> None:
    """Compile the lab's kernels one warm-up configuration after the other (``Lab.warmup``), each
    after any run that is building: a Run pressed during the warm-up compiles what it needs
    first instead of waiting for every configuration's kernels."""
    failure = ""
    for params in lab.warmup_params:
        while relay.runner.state == RunState.BUILDING:
            time.sleep(0.05)
        try:
            dataclasses.replace(lab, warmup_params=(params,)).warmup()
        except Exception as err:  # reported by the GUI's warm-up status, never fatal
            failure = f"{type(err).__name__}: {err}"
            break
    relay.send("warm", failure)


class Relay:
    """The worker's listener: sends states and frame deltas to the GUI (under the runner's lock,
    so that every message of a run goes in the order the runner made it)."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.runner: Runner
        self._encoder = FrameEncoder()
        self._credit = True  # the GUI has taken the last frame sent
        self._owed = False  # a frame is waiting for the GUI's ack

    def start(self, run_id: int, params: dict, seed: int) -> None:
        with self.runner._lock:
            self._encoder.reset()
            self._credit, self._owed = True, False
            self.runner.start(params, seed, run_id=run_id)

    def send(self, *message: Any) -> None:
        with self.runner._lock:
            self.conn.send(message)

    def ack(self) -> None:
        with self.runner._lock:
            self._credit = True
            if self._owed:
                self._send_frame()

    # Listener protocol (the runner calls these under its lock)
    def frame_ready(self, run_id: int) -> None:
        if self._credit:
            self._send_frame()
        else:
            self._owed = True

    def state_changed(self, run_id: int, state: RunState, message: str) -> None:
        if self._owed and not state.active:
            self._send_frame()  # the run's last frame goes before the state that ends it
        self.conn.send(("state", run_id, state.value, message))

    def _send_frame(self) -> None:
        self._owed = False
        snap = self.runner.take()
        if snap is None:
            return
        self._credit = False
        delta = self._encoder.encode(snap.frame)
        self.conn.send(
            (
                "frame",
                snap.run_id,
                delta,
                snap.steps_done,
                snap.total_steps,
                snap.steps_per_second,
                snap.elapsed,
                snap.summary,
            )
        )


def death(exitcode: int | None) -> str:
    """How a worker process ended, in words (``exitcode`` as :class:`multiprocessing.Process`
    reports it: negative for a signal)."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class LabProcess:
    """The GUI's end of one lab's worker process. ``listen(callback)`` chooses who hears the
    worker's messages (on the reader thread); the last one is always ``("died", exitcode)``.
    With ``warm`` the worker compiles the lab's kernels first: :attr:`warmed` is set when it has
    (or has died), with :attr:`warm_failure` saying what went wrong ("" if nothing)."""

    def __init__(self, make_lab: Callable[[], Any], name: str, warm: bool = False):
        self.name = name
        self.warmed = threading.Event()
        self.warm_failure = ""
        self._conn, self._child = SPAWN.Pipe()
        self._callback: Callable[[LabProcess, tuple], None] = lambda proc, msg: None
        self._send_lock = threading.Lock()
        self.process = SPAWN.Process(
            target=serve, args=(self._child, make_lab, warm), name=f"physlab-{name}", daemon=True
        )
        self.dead = False
        self._started = threading.Event()
        # starting a process takes a while (~0.1 s on a busy machine): not on the caller's thread
        self._reader = threading.Thread(target=self._run, name=f"physlab-{name}-pipe", daemon=True)
        self._reader.start()

    def listen(self, callback: Callable[[LabProcess, tuple], None]) -> None:
        self._callback = callback

    def send(self, *message: Any) -> None:
        """Send a command; a process that has died is told nothing (its reader reports it)."""
        with self._send_lock, contextlib.suppress(OSError, ValueError):
            self._conn.send(message)

    def kill(self, timeout: float = 1.0) -> None:
        """End the process now (SIGKILL: a kernel cannot delay it) and wait for its reader."""
        self._started.wait(timeout)
        if self.process.pid is not None:
            self.process.kill()
            self.process.join(timeout)
        if self._reader is not threading.current_thread():
            self._reader.join(timeout)

    @property
    def alive(self) -> bool:
        return self._reader.is_alive() or (self.process.pid is not None and self.process.is_alive())

    def _run(self) -> None:
        try:
            self.process.start()
        except Exception:  # e.g. a main module that starts the GUI without a __main__ guard
            traceback.print_exc()
        finally:
            self._child.close()  # the worker's end: our copy would hold the pipe open
            self._started.set()
        if self.process.pid is not None:
            self._read()
        self.dead = True
        exitcode = self.process.exitcode if self.process.pid is not None else None
        if not self.warmed.is_set():
            self.warm_failure = f"its worker process died ({death(exitcode)})"
            self.warmed.set()
        self._conn.close()
        self._callback(self, ("died", exitcode))

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            except Exception:  # a message that did not unpickle: the next ones still do
                traceback.print_exc()
                continue
            if message[0] == "warm":
                self.warm_failure = message[1]
                self.warmed.set()
                continue
            self._callback(self, message)
        self.process.join()


class WarmPool:
    """Worker processes started before their lab's first run (the GUI's warm-up at launch),
    until a runner takes them."""

    def __init__(self) -> None:
        self._procs: dict[str, LabProcess] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._taken: set[str] = set()  # labs whose runner has a worker of its own by now

    def warm(self, make_lab: Callable[[], Any], name: str) -> str:
        """Start lab ``name``'s worker compiling its kernels and wait until it has; returns what
        went wrong ("" if nothing). A closed pool starts nothing, nor one for a lab whose runner
        has already started its own worker (Run pressed before the warm-up came to it)."""
        with self._lock:
            if self._closed or name in self._taken:
                return ""
            proc = LabProcess(make_lab, name, warm=True)
            old, self._procs[name] = self._procs.get(name), proc
        if old is not None:
            old.kill()
        proc.warmed.wait()
        return proc.warm_failure

    @property
    def closed(self) -> bool:
        return self._closed

    def take(self, name: str) -> LabProcess | None:
        """Lab ``name``'s started worker, if there is one (it is the taker's from now on; the
        taker starts its own otherwise, and the pool starts none for the lab after this)."""
        with self._lock:
            self._taken.add(name)
            return self._procs.pop(name, None)

    def close(self) -> None:
        """Kill the workers nobody has taken, and start no more."""
        with self._lock:
            self._closed = True
            procs, self._procs = list(self._procs.values()), {}
        for proc in procs:
            proc.kill()
