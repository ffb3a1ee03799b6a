"""Grade one submission: start its confined runner, run its cells, call its functions case by case, judge here.

The grader's side of the conversation with :mod:`~hwprune_edu.grading.runner`.
Every reply is untrusted data: it is read with a deadline and a size limit,
parsed defensively, and judged with this process's own references. Whatever
goes wrong with one submission (a cell that raises, a loop that cannot be
interrupted, a dead process, garbage on the wire, a judge surprised by an
odd output) ends as that submission's row, never as the batch's crash.

>>> Settings(cell_timeout_s=60, case_timeout_s=2, notebook_timeout_s=300, memory_mb=2048, seed=7).seed
7
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwprune_edu.grading import confine
from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.checks import judge_outcomes
from hwprune_edu.grading.registry import EXERCISES, references
from hwprune_edu.grading.report import Report
from hwprune_edu.grading.transport import encode

__all__ = ["Settings", "Submission", "NotebookResult", "grade_submission"]

_MAX_REPLY_BYTES = 20 << 20   # a little above the runner's own 16 MiB cap
_GRACE_S = 5.0                # on top of a cell's or a call's own limit: start-up, encoding, the pipe
_START_S = 60.0               # the runner's imports, on a loaded machine
_PRINT_WARN_CHARS = 100_000   # printing more than this in one cell is mentioned in the row


@dataclass(frozen=True)
class Settings:
    """How a batch grades: limits per cell, per call and per notebook, memory, the seed, confinement."""

    cell_timeout_s: float
    case_timeout_s: float
    notebook_timeout_s: float
    memory_mb: int
    seed: int
    confined: bool = True


@dataclass
class Submission:
    """A notebook as read once, before anything runs: its code cells and the exercises to grade."""

    path: str
    cells: list[tuple[int, str]] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)
    problem: tuple[str, str] | None = None  # (status, message) when it cannot be run at all


@dataclass
class NotebookResult:
    """One submission: how its run went, warnings (cells that raised), and one report per expected exercise."""

    path: str
    status: str = "ok"
    message: str = ""
    reports: dict[str, Report] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seed: int | None = None

    @property
    def passed(self) -> bool:
        """Ran, attempted at least one exercise, and passed all of them."""
        return self.status == "ok" and bool(self.reports) and all(r.passed for r in self.reports.values())

    @property
    def score(self) -> float:
        """Mean score over the expected exercises (0 when the notebook earned no credit)."""
        if self.status != "ok" or not self.reports:
            return 0.0
        return sum(r.score for r in self.reports.values()) / len(self.reports)


class _Stopped(Exception):
    """The runner can no longer be talked to: (status, message)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Runner:
    """A running runner process and the line protocol with it."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict[str, str], token: str, deadline: float) -> None:
        self.token, self.deadline, self.buffer = token, deadline, b""
        self.process = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        os.set_blocking(self.process.stdin.fileno(), False)

    def _left(self, timeout_s: float) -> tuple[float, bool]:
        budget = self.deadline - time.monotonic()
        return (min(timeout_s, budget), budget <= timeout_s)

    def _send(self, message: dict, until: float) -> None:
        data, fd = (json.dumps(message) + "\n").encode(), self.process.stdin.fileno()
        while data:
            left = until - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise _Stopped("timeout", "stopped reading its input")
            try:
                data = data[os.write(fd, data):]
            except (BrokenPipeError, OSError):
                raise _Stopped("died", "its process ended") from None

    def request(self, message: dict | None, timeout_s: float, what: str) -> dict:
        """Send ``message`` (None: just read) and return the reply; :class:`_Stopped` when there is none."""
        limit, budget_bound = self._left(timeout_s)
        until = time.monotonic() + max(limit, 0.0)
        if message is not None:
            self._send(message, until)
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            left = until - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                if budget_bound:
                    raise _Stopped("timeout", f"{what} was still running when the notebook's time budget ran out")
                raise _Stopped("timeout", f"{what} ran longer than {timeout_s - _GRACE_S:g} s and could not be "
                                          "interrupted (an infinite loop?)")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise _Stopped("died", f"the notebook's process ended during {what} (os._exit, a crash, or a "
                                       "resource limit such as memory or CPU time)")
            self.buffer += chunk
            if len(self.buffer) > _MAX_REPLY_BYTES:
                raise _Stopped("error", f"{what} sent more than {_MAX_REPLY_BYTES >> 20} MiB")
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            raise _Stopped("error", f"{what} sent something that is not a reply (did the notebook write to the "
                                    "grader's channel?)") from None
        if not isinstance(reply, dict):
            raise _Stopped("error", f"{what} sent something that is not a reply")
        return reply

    def close(self) -> None:
        confine.kill_tree(self.process, self.token)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _text(value: Any, limit: int = 300) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _clean_outcome(reply: dict) -> dict:
    """An outcome with the fields and types the judge expects, whatever the runner sent."""
    status = reply.get("status") if reply.get("status") in ("ok", "error", "timeout", "not_implemented") else "error"
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    error = {"type": _text(error.get("type"), 80) or "Error", "message": _text(error.get("message"), 400),
             "line": _text(error.get("line"), 200), "lineno": None}
    mutated = reply.get("mutated")
    elapsed = reply.get("elapsed_s")
    return {"status": status, "output": reply.get("output") if status == "ok" else None, "error": error,
            "mutated": (_text(mutated) or None) if mutated is not None else None, "printed": _text(reply.get("printed")),
            "elapsed_s": float(elapsed) if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) else 0.0}


def _skipped(reason: str) -> dict:
    return {"status": "skipped", "output": None, "mutated": None, "printed": "",
            "error": {"type": "Skipped", "message": reason, "line": "", "lineno": None}}


def _library_names() -> set[tuple[str, str]]:
    return {(getattr(f, "__module__", ""), f.__name__) for f in references()}


def _grade_exercise(runner: _Runner, exercise: str, expression: str, cases: list[CaseSpec],
                    settings: Settings) -> Report:
    """Resolve the learner's function, call it on every case (inputs sent one at a time), judge here."""
    found = runner.request({"op": "resolve", "exercise": exercise, "expression": expression}, 10 + _GRACE_S,
                           f"finding `{expression}`")
    if not found.get("ok"):
        return Report(exercise, problem=f"no function to grade: `{expression}` ({_text(found.get('message'))})")
    if (found.get("module"), found.get("name")) in _library_names():
        return Report(exercise, problem="that is the library's own function, not yours: no credit")
    arg_names = list(EXERCISES[exercise].arg_names)
    outcomes: list[dict] = []
    stop = ""
    for case in cases:
        if stop:
            outcomes.append(_skipped(stop))
            continue
        request = {"op": "call", "exercise": exercise, "args": encode(case.args), "kwargs": encode(case.kwargs),
                   "arg_names": arg_names, "timeout_s": settings.case_timeout_s}
        outcome = _clean_outcome(runner.request(request, settings.case_timeout_s + _GRACE_S, f"{exercise}'s call"))
        outcomes.append(outcome)
        if outcome["status"] == "not_implemented":
            stop = "not implemented yet"
        elif outcome["status"] == "timeout":
            stop = "skipped after an earlier case timed out"
    used = next((o["error"]["message"] for o in outcomes if confine.UNAVAILABLE in o["error"]["message"]), "")
    if used:
        library = used.split(" ", 1)[0]
        return Report(exercise, problem=f"no credit: your function reached the library's own `{library}`, which "
                                        "is not available while your notebook is graded (calling, wrapping, copying "
                                        "or exec'ing the library's code is not your implementation)")
    return judge_outcomes(exercise, cases, outcomes, timeout_s=settings.case_timeout_s)


def _run_cells(runner: _Runner, submission: Submission, settings: Settings, result: NotebookResult) -> None:
    for index, source in submission.cells:
        reply = runner.request({"op": "cell", "index": index, "source": source, "timeout_s": settings.cell_timeout_s},
                               settings.cell_timeout_s + _GRACE_S, f"cell {index}")
        if reply.get("timeout"):
            result.warnings.append(f"cell {index} ran longer than {settings.cell_timeout_s:g} s and was interrupted")
        elif not reply.get("ok"):
            result.warnings.append(f"cell {index} raised {_text(reply.get('error')) or 'an error'}")
        printed = reply.get("printed_chars")
        if isinstance(printed, int) and printed > _PRINT_WARN_CHARS:
            result.warnings.append(f"cell {index} printed {printed:,} characters (not kept)")


def grade_submission(submission: Submission, cases: dict[str, list[CaseSpec]], settings: Settings,
                     scratch: Path) -> NotebookResult:
    """Run and grade one submission in its own confined runner; every failure becomes part of the result."""
    result = NotebookResult(submission.path)
    if submission.problem:
        result.status, result.message = submission.problem
        return result
    private = Path(tempfile.mkdtemp(dir=scratch))  # an unpredictable name, mode 0700
    runner = None
    phase = "start"
    try:
        view = confine.write_student_view(private / "view", submission.expected)
        (private / "work").mkdir()
        token = secrets.token_hex(16)
        rlimits = confine.limits(memory_mb=settings.memory_mb, cpu_s=settings.notebook_timeout_s)
        cmd, cwd = confine.command(view / "hwprune_edu" / "grading" / "runner.py", view, private / "work",
                                   confined=settings.confined, rlimits=rlimits)
        env = confine.environment(view, confined=settings.confined, token=token)
        runner = _Runner(cmd, cwd, env, token, time.monotonic() + settings.notebook_timeout_s)
        runner.request(None, _START_S, "starting Python")
        phase = "cells"
        _run_cells(runner, submission, settings, result)
        phase = "grading"
        for exercise, expression in submission.expected.items():
            result.reports[exercise] = _grade_exercise(runner, exercise, expression, cases[exercise], settings)
    except _Stopped as stop:
        if phase == "start":  # no learner code has run yet: the sandbox itself is broken
            result.status = "grader error"
            result.message = f"the grader could not start the notebook's process ({stop.message})"
            result.reports = {e: Report(e, problem="not graded (grader error)") for e in submission.expected}
        elif phase != "grading":
            result.status, result.message = stop.status, stop.message
            result.reports = {e: Report(e, problem=f"no credit: {stop.message}") for e in submission.expected}
        else:
            result.warnings.append(f"grading stopped: {stop.message}")
            for exercise in submission.expected:
                result.reports.setdefault(exercise, Report(exercise, problem=f"not graded: {stop.message}"))
    finally:
        if runner is not None:
            runner.close()
        shutil.rmtree(private, ignore_errors=True)
    return result
