"""A small process pool that outlives its workers and never outlives its parent.

`concurrent.futures.ProcessPoolExecutor` breaks the whole pool when one worker dies, and its workers block
forever when the parent is killed (ENGINEERING.md). This pool runs spawned `multiprocessing` processes, one
pipe each, and waits on the pipes and the process sentinels together, so it knows which item a dead worker
held: that item alone is reported failed, a new worker takes the dead one's place, and the rest go on.

Workers die with their parent: `prctl(PR_SET_PDEATHSIG, SIGTERM)` on Linux, and a watchdog thread that exits
when the parent process changes (other platforms, and a parent that died before prctl was set). They ignore
SIGINT from birth (a terminal sends it to the whole process group), so that the parent alone decides to stop
them; `sigterm_as_interrupt` makes the parent treat SIGTERM like Ctrl-C, so the pool's clean-up runs on both.

The pool knows nothing of simulations: it calls a module-level `fn(item)` that must not raise.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
PARENT_POLL_S = 0.5  # how often a worker's watchdog looks for its parent
STOP_TIMEOUT_S = 5.0  # how long a stopping worker may take before it is killed


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as on Ctrl-C (it is a KeyboardInterrupt), but callers can tell which it was."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises `Terminated` in the main thread, so clean-up (stopping workers) runs.

    Signal handlers can only be set from the main thread; elsewhere the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # the parent is gone: nobody will read what this worker computes


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker end when the parent process does, whichever way the parent ends."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watchdog").start()


def _worker_main(conn: Connection, parent_pid: int) -> None:
    """A worker's life: receive `(fn, item)`, send back `("ok", fn(item))`, until told to stop (None) or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # already ignored from birth when spawned from the main thread
    _die_with_parent(parent_pid)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        fn, item = task
        result = fn(item)
        try:
            payload = pickle.dumps(("ok", result))
        except Exception as err:  # the result cannot travel: say so rather than die
            payload = pickle.dumps(("failed", f"the worker could not send its result: {type(err).__name__}: {err}"))
        conn.send_bytes(payload)


def death_message(exitcode: int | None) -> str:
    """How a worker ended, in the words of a failed run's error."""
    if exitcode is not None and exitcode < 0:
        return f"worker process died (signal {-exitcode})"
    return f"worker process died (exit status {exitcode})"


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables while a worker is spawned (it copies them at birth), then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while a worker is spawned: an ignored signal stays ignored across exec, so a Ctrl-C during
    the worker's imports does not print a traceback from it. (A Ctrl-C in these few milliseconds is lost.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    index: int | None = None  # the item it is working on
    started: float = field(default=0.0)  # when it was given that item (perf_counter)


def _spawn(env: Mapping[str, str]) -> _Worker:
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe(duplex=True)
    process = context.Process(target=_worker_main, args=(child_conn, os.getpid()), daemon=True,
                              name="routesim-worker")
    with _environ(env), _sigint_ignored():
        process.start()
    child_conn.close()
    return _Worker(process, parent_conn)


def _retire(worker: _Worker, graceful: bool) -> None:
    """Stop a worker: ask it (graceful) or terminate it; kill it if it does not go in time."""
    if graceful and worker.process.is_alive():
        try:
            worker.conn.send(None)
        except OSError:
            pass
    else:
        worker.process.terminate()
    worker.process.join(STOP_TIMEOUT_S if graceful else 1.0)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


def run_in_processes(fn: Callable[[Any], Any], items: Sequence[Any], n_procs: int,
                     on_result: Callable[[int, Any], None], on_failed: Callable[[int, str, float], None],
                     env: Mapping[str, str] | None = None) -> None:
    """Compute `fn(item)` for every item in `n_procs` spawned processes; call back in this process as each ends.

    on_result(index, result) for an item computed; on_failed(index, message, seconds) for an item whose worker
    died (or whose result could not be sent). env: environment variables the workers are born with. Any
    exception here or in a callback (and Ctrl-C) terminates the workers before it propagates."""
    queue = deque(range(len(items)))
    workers = [_spawn(env or {}) for _ in range(min(n_procs, len(items)))]
    retried: set[int] = set()  # items put back once because their worker had died before they reached it
    graceful = False

    def give(worker: _Worker) -> _Worker:
        """Hand the next item to `worker` (or to a fresh worker if this one turns out dead); return who has it."""
        while queue:
            index = queue.popleft()
            try:
                worker.conn.send((fn, items[index]))
            except OSError:  # it died while idle: the item is innocent, run it elsewhere (once)
                _retire(worker, graceful=False)
                if index in retried:
                    on_failed(index, death_message(worker.process.exitcode), 0.0)
                else:
                    retried.add(index)
                    queue.appendleft(index)
                worker = _spawn(env or {})
                continue
            worker.index, worker.started = index, time.perf_counter()
            break
        return worker

    try:
        workers = [give(w) for w in workers]
        while any(w.index is not None for w in workers):
            busy = [w for w in workers if w.index is not None]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for slot, worker in enumerate(workers):
                if worker.index is None or not {worker.conn, worker.process.sentinel} & ready:
                    continue
                index, seconds = worker.index, time.perf_counter() - worker.started
                worker.index = None
                try:
                    status, value = pickle.loads(worker.conn.recv_bytes())
                except (EOFError, OSError):
                    worker.process.join(STOP_TIMEOUT_S)
                    status, value = "died", death_message(worker.process.exitcode)
                if status == "died":
                    _retire(worker, graceful=False)
                    if queue:
                        workers[slot] = give(_spawn(env or {}))
                else:
                    workers[slot] = give(worker)
                if status == "ok":
                    on_result(index, value)
                else:
                    on_failed(index, value, seconds)
        graceful = True
    finally:
        for worker in workers:
            if not graceful:
                worker.process.terminate()  # all at once, so that none waits for the others
        for worker in workers:
            _retire(worker, graceful)
