"""The sandbox worker process: `python -m curation.executor.worker MEMORY_MB`.

Started by `pool.Executor` with pipes on stdin/stdout. It imports numpy and the helpers,
then closes its doors before running anything: stdin/stdout/stderr are pointed at
/dev/null (the protocol uses private duplicates), rlimits forbid new files (size 0,
no new descriptors), new processes and core dumps and cap the address space at what
the imports took plus MEMORY_MB, and a worker started as root drops to uid/gid nobody.

Per job: statically check and compile the program (cached by source), give it a fresh
namespace over a private copy of the scene (marshal round trip), run `compute_answer()`
under a CPU-time timer (ITIMER_PROF, with RLIMIT_CPU as the backstop for time spent
inside C code), convert the value to JSON, report. After a timeout or memory violation
the worker exits (EXIT_RECYCLE) so the next program starts in a fresh process.

Messages in: {"op": "put", "key", "value"} (a scene or frame_info, stored once),
{"op": "forget"}, {"op": "run", "jobs": [[id, code, scene_key, frame_key|null, timeout_s]]}.
Messages out: {"ready": pid} once, then {"i", "s", "v", "e", "ms"} per job, in order.
"""

import marshal
import math
import os
import resource
import signal
import sys
import time
import warnings
from contextlib import contextmanager
from types import CodeType
from typing import Any

from curation.executor import protocol
from curation.executor.api import build_namespace
from curation.executor.static_check import ProgramRejected, parse_checked
from curation.executor.values import UnstorableValue, to_json

PROGRAM_FILE = "<program>"
COMPILE_CACHE_SIZE = 4096
ERROR_CHARS = 400
NOBODY = 65534  # uid/gid a root-started worker drops to
TIMER_REPEAT_S = 0.05  # the timeout re-fires this often if a program swallows it with a bare except


class ProgramTimeout(BaseException):
    """Raised inside a program when its CPU budget is spent (BaseException: `except Exception` won't catch it)."""


_armed = False


def _on_timer(signum: int, frame: Any) -> None:
    if _armed:
        raise ProgramTimeout


@contextmanager
def cpu_budget(seconds: float):
    """Raise ProgramTimeout in the running code after `seconds` of CPU.

    RLIMIT_CPU (SIGXCPU, fatal) about a second later stops code stuck inside a C call.
    """
    global _armed
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(spent + seconds + 1), hard))
    _armed = True
    signal.setitimer(signal.ITIMER_PROF, seconds, TIMER_REPEAT_S)
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)


class Programs:
    """Static check + compile, cached by source text: a code object, or the rejection reason."""

    def __init__(self) -> None:
        self.cache: dict[str, CodeType | str] = {}

    def get(self, code: str) -> CodeType | str:
        found = self.cache.get(code)
        if found is None:
            if len(self.cache) >= COMPILE_CACHE_SIZE:
                self.cache.clear()
            try:
                found = compile(parse_checked(code), PROGRAM_FILE, "exec", dont_inherit=True)
            except ProgramRejected as exc:
                found = str(exc)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                found = f"cannot compile the program: {type(exc).__name__}: {exc}"[:ERROR_CHARS]
            self.cache[code] = found
        return found


def _program_line(exc: BaseException) -> str:
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == PROGRAM_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (line {line})" if line else ""


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if len(text) > ERROR_CHARS:
        text = text[:ERROR_CHARS] + "..."
    return f"{type(exc).__name__}: {text}{_program_line(exc)}" if text else f"{type(exc).__name__}{_program_line(exc)}"


def _call(program: CodeType, namespace: dict[str, Any]) -> tuple[str, Any, str]:
    try:
        exec(program, namespace)
        entry = namespace.get("compute_answer")
        if not callable(entry):
            return "error", None, "the program defines no compute_answer() function"
        return "ok", to_json(entry()), ""
    except (ProgramTimeout, MemoryError):
        raise
    except UnstorableValue as exc:
        return "error", None, f"unstorable result: {exc}"
    except RecursionError as exc:
        return "error", None, f"RecursionError: maximum recursion depth exceeded{_program_line(exc)}"
    except BaseException as exc:  # noqa: BLE001  (anything a program raises is its own error)
        return "error", None, _describe(exc)


def run_job(programs: Programs, code: str, scene: bytes, frame: bytes | None, timeout_s: float) -> dict[str, Any]:
    """Run one program; the result message (status s, value v, error e, ms)."""
    start = time.perf_counter()
    program = programs.get(code)
    if isinstance(program, str):
        status, value, error = "rejected", None, program
    else:
        namespace = build_namespace(marshal.loads(scene), marshal.loads(frame) if frame else {})
        try:
            with cpu_budget(timeout_s):
                status, value, error = _call(program, namespace)
        except ProgramTimeout:
            status, value, error = "timeout", None, f"the program used more than {timeout_s:g} s of CPU time"
        except MemoryError:
            status, value, error = "memory", None, "the program exceeded the sandbox memory limit"
        finally:
            namespace.clear()
    return {"s": status, "v": value, "e": error, "ms": (time.perf_counter() - start) * 1000}


def _lock_down(memory_mb: int) -> None:
    """Point stdio at /dev/null and set the rlimits (see module docstring). Call after all imports."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    with open("/proc/self/statm") as statm:
        address_space = int(statm.read().split()[0]) * resource.getpagesize()
    limits = {
        resource.RLIMIT_AS: address_space + memory_mb * 1024 * 1024,
        resource.RLIMIT_FSIZE: 0,
        resource.RLIMIT_NPROC: 0,
        resource.RLIMIT_CORE: 0,
    }
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write to a file fails instead of killing us
    for which, soft in limits.items():
        _, hard = resource.getrlimit(which)
        resource.setrlimit(which, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    if os.geteuid() == 0:  # root ignores RLIMIT_NPROC and file modes: run programs as nobody
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def serve(memory_mb: int) -> int:
    # Private duplicates of the pipes; fds 0-2 become /dev/null so stray writes cannot corrupt the protocol.
    inbox, outbox = os.dup(0), os.dup(1)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGPROF, _on_timer)
    sys.setrecursionlimit(1000)
    _lock_down(memory_mb)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(inbox, outbox) + 1, hard))  # no new files or sockets
    programs, blobs = Programs(), {}
    protocol.write_frame(outbox, {"ready": os.getpid()})
    while True:
        message = protocol.read_frame(inbox)
        if message is None or message.get("op") == "exit":
            return 0
        if message["op"] == "put":
            blobs[message["key"]] = marshal.dumps(message["value"])
        elif message["op"] == "forget":
            blobs.clear()
        elif message["op"] == "run":
            for job_id, code, scene_key, frame_key, timeout_s in message["jobs"]:
                result = run_job(programs, code, blobs[scene_key], blobs.get(frame_key), timeout_s)
                result["i"] = job_id
                protocol.write_frame(outbox, result)
                if result["s"] in ("timeout", "memory"):
                    return protocol.EXIT_RECYCLE


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
