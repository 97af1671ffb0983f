"""Run untrusted QA programs in warm sandbox worker processes: `Executor.map` and `run_program`.

The caller's process never executes program code. Jobs are grouped by scene (so a
worker's caches stay hot), sent in batches, and answered one result per program, which
lets the parent watch each program: a worker that stops answering within the wall-clock
allowance is killed (the program gets "timeout"), a worker that dies gets its running
program "crashed" (or "timeout" when the kernel's CPU limit killed it), and its
unfinished jobs go to a fresh worker. Results come back in input order.
"""

import atexit
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.executor.errors import ExecutorError, JobFormatError
from curation.executor.protocol import EXIT_RECYCLE, HEADER, FrameBuffer, encode
from curation.executor.values import plain

STATUSES = ("ok", "error", "timeout", "rejected", "memory", "crashed")
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the directory holding the `curation` package
MAX_BATCH = 64  # jobs per worker round trip: large enough to amortise IPC, small enough to balance the tail
WALL_FACTOR, WALL_SLACK_S = 4.0, 1.0  # a program may take this much wall time per CPU second before the kill
STARTUP_TIMEOUT_S = 120.0  # importing numpy on a loaded 2-core machine can take many seconds
MAX_START_FAILURES = 3
MAX_BLOBS_PER_WORKER = 512  # scenes/frame infos a worker keeps before the parent tells it to forget them


@dataclass(frozen=True)
class ExecResult:
    """One program run: status ok|error|timeout|rejected|memory|crashed, a JSON value (ok only), why, and ms."""

    status: str
    value: Any = None
    error: str = ""
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class _Job:
    index: int
    code: str
    scene_key: str
    frame_key: str | None


def _blob_key(value: Mapping[str, Any], what: str, index: int) -> tuple[str, str]:
    try:
        text = json.dumps(plain(value), sort_keys=True, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise JobFormatError(index, what, f"must be JSON-serialisable ({exc})") from None
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest(), text


class _Worker:
    """One sandbox process and the parent's view of it."""

    def __init__(self, memory_mb: int):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(PROJECT_ROOT),
            "PYTHONHASHSEED": "0",  # set iteration order (and so results) must not vary between runs
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-B", "-m", "curation.executor.worker", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=PROJECT_ROOT,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        self.out_fd = self.proc.stdout.fileno()
        os.set_blocking(self.out_fd, False)
        self.frames = FrameBuffer()
        self.ready = False
        self.dead = False
        self.recycled = False  # exited on purpose after reporting a violation
        self.known: set[str] = set()
        self.pending: deque[_Job] = deque()
        self.deadline = time.monotonic() + STARTUP_TIMEOUT_S
        self.job_wall_s = 0.0

    def send(self, message: Any) -> None:
        self.proc.stdin.write(encode(message))

    def flush(self) -> None:
        self.proc.stdin.flush()

    def startup_error(self) -> str:
        try:
            return self.proc.stderr.read().decode(errors="replace")[-2000:]
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.dead = True
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _death_status(returncode: int) -> tuple[str, str]:
    if returncode == -signal.SIGXCPU:
        return "timeout", "the worker was stopped by the CPU-time limit"
    if returncode < 0:
        return "crashed", f"the worker died from signal {signal.Signals(-returncode).name}"
    return "crashed", f"the worker exited with code {returncode}"


class Executor:
    """A pool of warm sandbox workers. Use as a context manager; `map` runs batches of programs.

    Not thread-safe: one `map` at a time per Executor (`run_program` serialises its shared one).

    workers: processes (default: the CPU count, at most 4); timeout_s: CPU seconds per
    program; memory_mb: address space each worker may add on top of its imports.
    """

    def __init__(self, workers: int | None = None, timeout_s: float = 1.0, memory_mb: int = 512):
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
        if memory_mb < 16:
            raise ValueError(f"memory_mb must be >= 16, got {memory_mb}")
        self.n_workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self.timeout_s = float(timeout_s)
        self.memory_mb = int(memory_mb)
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self._closed = False

    def __enter__(self) -> "Executor":
        self._ensure_workers()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        for worker in self._workers:
            if not worker.dead:
                try:
                    worker.send({"op": "exit"})
                    worker.flush()
                except OSError:
                    pass
        deadline = time.monotonic() + 1.0
        for worker in self._workers:
            while worker.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            worker.kill()
        self._workers = []
        self._closed = True

    def _ensure_workers(self) -> None:
        if self._closed:
            raise ExecutorError("this Executor is closed")
        self._workers = [w for w in self._workers if not w.dead]
        while len(self._workers) < self.n_workers:
            self._workers.append(_Worker(self.memory_mb))

    def map(
        self,
        jobs: Iterable[Sequence[Any]],
        *,
        progress: Callable[[int, int], None] | bool | None = None,
        timeout_s: float | None = None,
    ) -> list[ExecResult]:
        """Run (code, scene) or (code, scene, frame_info) jobs; one ExecResult per job, in input order.

        progress: a callback (done, total) after each result, or True for a progress bar on stderr.
        timeout_s: overrides the executor's per-program CPU limit for this call.
        """
        limit = self.timeout_s if timeout_s is None else float(timeout_s)
        if not limit > 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
        queue, blobs = self._prepare(jobs)
        total = len(queue)
        results: list[ExecResult | None] = [None] * total
        report, finish = _progress_reporter(progress, total)
        try:
            self._run(queue, blobs, results, limit, report)
        except BaseException:
            # Interrupted (Ctrl-C, a failing progress callback): workers still busy with this call's
            # jobs would answer into the next call, so they go.
            for worker in self._workers:
                if worker.pending or not worker.ready:
                    worker.kill()
            raise
        finally:
            finish()
        return results  # type: ignore[return-value]

    def _prepare(self, jobs: Iterable[Sequence[Any]]) -> tuple[deque[_Job], dict[str, str]]:
        prepared, blobs, seen = [], {}, {}
        for index, job in enumerate(jobs):
            if not isinstance(job, Sequence) or isinstance(job, str) or len(job) not in (2, 3):
                raise JobFormatError(index, "job", "expected (code, scene) or (code, scene, frame_info)")
            code, scene = job[0], job[1]
            frame = job[2] if len(job) == 3 else None
            if not isinstance(code, str):
                raise JobFormatError(index, "code", f"expected a string, got {type(code).__name__}")
            if not isinstance(scene, Mapping):
                raise JobFormatError(index, "scene", f"expected a dict, got {type(scene).__name__}")
            if frame is not None and not isinstance(frame, Mapping):
                raise JobFormatError(index, "frame_info", f"expected a dict or None, got {type(frame).__name__}")
            keys = []
            for what, value in (("scene", scene), ("frame_info", frame)):
                if value is None or (what == "frame_info" and not value):
                    keys.append(None)
                    continue
                if id(value) not in seen:
                    seen[id(value)] = (_blob_key(value, what, index), value)  # keep value alive: ids stay unique
                (key, text), _ = seen[id(value)]
                blobs.setdefault(key, text)
                keys.append(key)
            prepared.append(_Job(index, code, keys[0], keys[1]))
        prepared.sort(key=lambda j: j.scene_key)  # stable: same-scene jobs share a worker's warm caches
        return deque(prepared), blobs

    def _run(
        self,
        queue: deque[_Job],
        blobs: dict[str, str],
        results: list[ExecResult | None],
        limit: float,
        report: Callable[[int], None],
    ) -> None:
        remaining = len(queue)
        selector = selectors.DefaultSelector()
        registered: dict[int, _Worker] = {}
        try:
            while remaining:
                self._ensure_workers()
                for worker in self._workers:
                    if worker.out_fd not in registered:
                        selector.register(worker.out_fd, selectors.EVENT_READ, worker)
                        registered[worker.out_fd] = worker
                    if worker.ready and not worker.pending and queue:
                        self._dispatch(worker, queue, blobs, limit)
                now = time.monotonic()
                busy = [w.deadline for w in self._workers if w.pending or not w.ready]
                wait = max(0.0, min(busy, default=now + 0.05) - now)
                for key, _ in selector.select(timeout=wait):
                    worker = key.data
                    remaining -= self._read(worker, results, queue, report)
                now = time.monotonic()
                for worker in self._workers:
                    if not worker.dead and (worker.pending or not worker.ready) and now > worker.deadline:
                        remaining -= self._kill_overdue(worker, results, queue, limit, report)
                for worker in [w for w in self._workers if w.dead]:
                    selector.unregister(worker.out_fd)
                    del registered[worker.out_fd]
                    self._workers.remove(worker)
        finally:
            selector.close()

    def _dispatch(self, worker: _Worker, queue: deque[_Job], blobs: dict[str, str], limit: float) -> None:
        size = max(1, min(MAX_BATCH, len(queue) // (2 * self.n_workers)))
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        needed = {k for job in batch for k in (job.scene_key, job.frame_key) if k and k not in worker.known}
        try:
            if len(worker.known) + len(needed) > MAX_BLOBS_PER_WORKER:
                worker.send({"op": "forget"})
                worker.known.clear()
                needed = {k for job in batch for k in (job.scene_key, job.frame_key) if k}
            for key in sorted(needed):
                # The blob text is already JSON: splice it in rather than parse and re-encode it.
                payload = f'{{"op":"put","key":"{key}","value":{blobs[key]}}}'.encode()
                worker.proc.stdin.write(HEADER.pack(len(payload)) + payload)
                worker.known.add(key)
            worker.send({"op": "run", "jobs": [[j.index, j.code, j.scene_key, j.frame_key, limit] for j in batch]})
            worker.flush()
        except OSError:  # the worker died under us: it is reaped by the read loop; the jobs go back
            queue.extendleft(reversed(batch))
            return
        worker.pending.extend(batch)
        worker.job_wall_s = limit * WALL_FACTOR + WALL_SLACK_S
        worker.deadline = time.monotonic() + worker.job_wall_s

    def _read(self, worker: _Worker, results: list, queue: deque[_Job], report: Callable[[int], None]) -> int:
        """Consume what a worker wrote; returns how many jobs got their final result."""
        try:
            chunk = os.read(worker.out_fd, 1 << 20)
        except BlockingIOError:
            return 0
        except OSError:
            chunk = b""
        if not chunk:
            return self._reap(worker, results, queue, report)
        try:
            messages = worker.frames.feed(chunk)
        except ValueError:  # not our framing or not JSON: treat the worker as broken
            messages = [None]
        done = 0
        for message in messages:
            if isinstance(message, dict) and "ready" in message and not worker.ready:
                worker.ready = True
                self._start_failures = 0
                worker.proc.stderr.close()  # startup errors only; the worker silences fd 2 itself
                continue
            result = _parse_result(message, worker.pending[0].index if worker.pending else None)
            if result is None:
                worker.kill()
                return done + self._settle(worker, results, queue, report, "crashed", "the worker broke the protocol")
            job = worker.pending.popleft()
            results[job.index] = result
            worker.recycled = result.status in ("timeout", "memory")
            worker.deadline = time.monotonic() + worker.job_wall_s
            done += 1
            report(1)
        return done

    def _settle(
        self, worker: _Worker, results: list, queue: deque[_Job], report: Callable[[int], None], status: str, why: str
    ) -> int:
        """Give the worker's running job `status`, put its other jobs back at the head of the queue."""
        done = 0
        if worker.pending:
            job = worker.pending.popleft()
            results[job.index] = ExecResult(status, None, why, 0.0)
            report(1)
            done = 1
        _requeue(worker, queue)
        return done

    def _reap(self, worker: _Worker, results: list, queue: deque[_Job], report: Callable[[int], None]) -> int:
        """The worker's stdout closed: settle its running job and requeue the rest."""
        returncode = worker.proc.wait()
        if not worker.ready:
            self._start_failures += 1
            message = worker.startup_error()
            worker.kill()
            if self._start_failures >= MAX_START_FAILURES:
                raise ExecutorError(f"the sandbox worker fails to start (exit {returncode}): {message.strip()}")
            return 0
        worker.kill()
        if worker.recycled and returncode == EXIT_RECYCLE:  # it left on purpose after reporting
            _requeue(worker, queue)
            return 0
        return self._settle(worker, results, queue, report, *_death_status(returncode))

    def _kill_overdue(self, worker: _Worker, results: list, queue: deque[_Job], limit: float, report) -> int:
        worker.kill()
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise ExecutorError(f"the sandbox worker did not start within {STARTUP_TIMEOUT_S:g} s")
            return 0
        why = f"no answer within {worker.job_wall_s:g} s of wall time (CPU limit {limit:g} s); the worker was killed"
        return self._settle(worker, results, queue, report, "timeout", why)


def _requeue(worker: _Worker, queue: deque[_Job]) -> None:
    """A worker's unfinished jobs go back to the head of the queue, in order."""
    queue.extendleft(reversed(worker.pending))
    worker.pending.clear()


def _parse_result(message: Any, expected_index: int | None) -> ExecResult | None:
    """A worker's result message as an ExecResult, or None if it is not one for the running job."""
    if not isinstance(message, dict) or expected_index is None or message.get("i") != expected_index:
        return None
    status, error, ms = message.get("s"), message.get("e"), message.get("ms")
    if status not in STATUSES or not isinstance(error, str) or not isinstance(ms, int | float):
        return None
    return ExecResult(status, message.get("v") if status == "ok" else None, error, float(ms))


def _progress_reporter(
    progress: Callable[[int, int], None] | bool | None, total: int
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """(report(n_done_now), finish()) for a callback, a rich bar on stderr (True), or nothing."""
    if not progress:
        return (lambda n: None), (lambda: None)
    done = [0]
    if callable(progress):

        def report(n: int) -> None:
            done[0] += n
            progress(done[0], total)

        return report, (lambda: None)
    from plumbing.progress import progress_bar  # rich loads only when a bar is asked for

    bar = progress_bar()
    task = bar.add_task("executing programs", total=total)
    bar.start()
    return (lambda n: bar.advance(task, n)), bar.stop


_shared: Executor | None = None
_shared_lock = threading.Lock()


def run_program(code: str, scene: dict, frame_info: dict | None = None, timeout_s: float = 1.0) -> ExecResult:
    """Run one program on one scene in a sandbox worker (a shared warm one-worker pool)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Executor(workers=1)
            atexit.register(_shared.close)
        return _shared.map([(code, scene, frame_info)], timeout_s=timeout_s)[0]
