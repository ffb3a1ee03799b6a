"""Call learner code without letting it take the notebook down.

Each call is guarded against what learner code does on a bad day: raises
(``NotImplementedError`` from a stub is reported as "not implemented yet",
not as a traceback), loops forever (a per-call time limit), prints a screenful
(captured), or writes into its inputs (detected by comparing them with a copy
taken before the call). What the function returned is snapshotted inside the
time limit, so a value that changes later (a reused buffer) is judged as it
was returned.

Time limits: on the main thread (where a Jupyter kernel runs cells) a
``SIGALRM`` interval timer raises :class:`CaseTimeout`, a ``BaseException``
so that ``except Exception`` in the learner's loop cannot swallow it, and it
keeps firing every 50 ms until the call gives up. Elsewhere (other threads,
Windows) the call runs in a daemon thread; on timeout it gets an asynchronous
``CaseTimeout`` and is abandoned if it still does not stop.

This module uses only the standard library and NumPy: the batch grader execs
its source into a fresh module inside the kernel (see ``transport``).

>>> outcome = call_safely(lambda x: x + 1, (1,), {}, timeout_s=1.0)
>>> outcome["status"], outcome["output"]
('ok', 2)
>>> def stub(x):
...     raise NotImplementedError()
>>> call_safely(stub, (1,), {}, timeout_s=1.0)["status"]
'not_implemented'
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import io
import linecache
import signal
import threading
import time
import traceback
import warnings
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["CaseTimeout", "call_safely", "run_cases", "describe_change"]

# After the first alarm, keep interrupting this often: a learner's bare
# ``except:`` may swallow one CaseTimeout, rarely all of them.
_REPEAT_S = 0.05
_MAX_PRINTED = 2000
# Frames of this file are not the learner's; exec'd copies have no __file__.
_THIS_FILE = globals().get("__file__", "<hwprune-grader>")


class CaseTimeout(BaseException):
    """Raised inside learner code that exceeded its time limit."""


def _same_value(before: Any, after: Any) -> bool:
    """``before == after`` for a ``before`` that is not an array or a container (those are compared in
    :func:`describe_change`); ``after`` may be anything."""
    if isinstance(after, np.ndarray):
        return False
    try:
        return bool(before == after)
    except Exception:
        return before is after


def describe_change(before: Any, after: Any, name: str) -> str | None:
    """Where ``after`` first differs from ``before`` (a snapshot of the same argument), or None.

    >>> describe_change(np.array([1.0, 2.0]), np.array([1.0, 0.0]), "weights")
    'weights[1] changed from 2.0 to 0.0'
    """
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return f"{name} was resized or replaced"
        if after.dtype != before.dtype:
            return f"{name} changed dtype from {before.dtype} to {after.dtype}"
        same = before == after
        if before.dtype.kind in "fc":
            same |= np.isnan(before) & np.isnan(after)
        differs = ~same
        if not differs.any():
            return None
        index = tuple(int(i) for i in np.argwhere(differs)[0])
        shown = ", ".join(map(str, index))
        return f"{name}[{shown}] changed from {before[index].item()!r} to {after[index].item()!r}"
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return f"{name} changed length from {len(before)} to {len(after) if hasattr(after, '__len__') else '?'}"
        for i, (x, y) in enumerate(zip(before, after)):
            change = describe_change(x, y, f"{name}[{i}]")
            if change:
                return change
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            added = sorted(map(str, set(after) - set(before))) if isinstance(after, dict) else []
            removed = sorted(map(str, set(before) - set(after))) if isinstance(after, dict) else []
            return f"{name} changed its keys (added {added}, removed {removed})"
        for key in before:
            change = describe_change(before[key], after[key], f"{name}[{key!r}]")
            if change:
                return change
        return None
    return None if _same_value(before, after) else f"{name} changed from {before!r} to {after!r}"


def _error_record(error: BaseException) -> dict:
    """The exception's type and message, and the deepest line of *learner* code it came from."""
    frames = traceback.extract_tb(error.__traceback__)
    learner = [f for f in frames if f.filename != _THIS_FILE and "site-packages" not in f.filename]
    frame = (learner or frames or [None])[-1]
    line = ""
    lineno = None
    if frame is not None:
        lineno = frame.lineno
        line = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
    try:
        message = str(error)
    except BaseException:  # an exception whose own message raises
        message = "(its message could not be printed)"
    if not isinstance(message, str):
        message = "(its message could not be printed)"
    if len(message) > 400:
        message = message[:400] + " ..."
    return {"type": type(error).__name__, "message": message, "line": line, "lineno": lineno}


def _with_alarm(call: Callable[[], Any], timeout_s: float) -> Any:
    armed = {"on": True}

    def on_alarm(signum: int, frame: Any) -> None:
        if armed["on"]:
            raise CaseTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s, _REPEAT_S)
    # Two finally blocks on purpose: an alarm landing on the first statement of the inner one raises
    # CaseTimeout there, and the outer one still disarms, stops the timer and restores the handler.
    try:
        try:
            return call()
        finally:
            armed["on"] = False
    finally:
        armed["on"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_thread(call: Callable[[], Any], timeout_s: float) -> Any:
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as error:  # handed to the caller's thread below
            box["error"] = error

    worker = threading.Thread(target=target, daemon=True, name="hwprune-learner-call")
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        # Ask the thread to stop: CPython raises the exception at its next bytecode.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(CaseTimeout))
        worker.join(0.5)
        raise CaseTimeout()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call_safely(
    fn: Callable,
    args: Sequence[Any],
    kwargs: dict,
    *,
    timeout_s: float,
    snapshot: Callable[[Any], Any] = copy.deepcopy,
    arg_names: Sequence[str] | None = None,
) -> dict:
    """Call ``fn(*args, **kwargs)`` under a time limit; report what happened as plain data.

    Args:
        fn: the learner's function.
        args, kwargs: its arguments (the caller passes fresh copies per call).
        timeout_s: seconds the call may take.
        snapshot: turns the returned value into what is kept (deep copy by
            default; the graders pass ``transport.encode``).
        arg_names: names of the positional arguments, for mutation messages.

    Returns:
        A dict: ``status`` (``"ok"``, ``"error"``, ``"timeout"`` or
        ``"not_implemented"``), ``output`` (the snapshot, if ok), ``error``
        (type, message, learner's line), ``mutated`` (where an input changed,
        or None) and ``printed`` (captured stdout, truncated).
    """
    names = list(arg_names or [])
    names += [f"argument {i + 1}" for i in range(len(names), len(args))]
    before = copy.deepcopy((list(args), dict(kwargs)))
    printed = io.StringIO()
    outcome: dict = {"status": "ok", "output": None, "error": None, "mutated": None, "printed": "", "elapsed_s": 0.0}
    start = time.perf_counter()

    def call() -> Any:
        # stderr too: under nbgrader a graded cell that wrote to stderr loses its points.
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return snapshot(fn(*args, **kwargs))

    try:
        if timeout_s is None:
            outcome["output"] = call()
        elif _can_use_alarm():
            outcome["output"] = _with_alarm(call, timeout_s)
        else:
            outcome["output"] = _with_thread(call, timeout_s)
    except CaseTimeout:
        outcome["status"] = "timeout"
        outcome["error"] = {"type": "Timeout", "message": f"still running after {timeout_s:g} s", "line": "", "lineno": None}
    except NotImplementedError as error:
        outcome["status"] = "not_implemented"
        outcome["error"] = _error_record(error)
    except KeyboardInterrupt:  # the user stopped the check
        raise
    except BaseException as error:  # sys.exit(), GeneratorExit, a learner's own BaseException: none ends the kernel
        outcome["status"] = "error"
        outcome["error"] = _error_record(error)
    outcome["elapsed_s"] = time.perf_counter() - start
    outcome["printed"] = printed.getvalue()[:_MAX_PRINTED]
    inputs = [*zip(before[0], args, names), *((before[1][key], value, key) for key, value in kwargs.items())]
    try:
        outcome["mutated"] = next(filter(None, (describe_change(*item) for item in inputs)), None)
    except Exception:  # an argument the learner replaced by something that cannot even be compared
        outcome["mutated"] = "an argument was changed into something that cannot be compared"
    return outcome


def run_cases(
    fn: Callable,
    cases: Sequence[tuple[Sequence[Any], dict]],
    *,
    timeout_s: float,
    snapshot: Callable[[Any], Any] = copy.deepcopy,
    arg_names: Sequence[str] | None = None,
) -> list[dict]:
    """Call ``fn`` on every ``(args, kwargs)`` case; one outcome dict per case.

    Each case gets its own deep copy of its arguments, so one call's mutation
    cannot leak into the next. After a stub's ``NotImplementedError`` or a
    timeout, the remaining cases are skipped (status ``"skipped"``): a loop
    that never ends should cost one time limit, not one per case.

    >>> [o["status"] for o in run_cases(abs, [((-1,), {}), ((2,), {})], timeout_s=1.0)]
    ['ok', 'ok']
    """
    outcomes = []
    stop_reason = None
    for args, kwargs in cases:
        if stop_reason:
            outcomes.append({"status": "skipped", "output": None, "error": {"type": "Skipped", "message": stop_reason,
                             "line": "", "lineno": None}, "mutated": None, "printed": ""})
            continue
        args_copy, kwargs_copy = copy.deepcopy((list(args), dict(kwargs)))
        outcome = call_safely(fn, args_copy, kwargs_copy, timeout_s=timeout_s, snapshot=snapshot, arg_names=arg_names)
        outcomes.append(outcome)
        if outcome["status"] == "not_implemented":
            stop_reason = "not implemented yet"
        elif outcome["status"] == "timeout":
            stop_reason = "skipped after an earlier case timed out"
    return outcomes
