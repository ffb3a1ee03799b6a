"""Run many ``python -m hwprune_edu`` command lines quickly: import once, fork a fresh process per command line.

Used by ``tests/test_cli_sweep.py``. Starting an interpreter and importing the
grader costs about 0.4 s of CPU per command line; a sweep of a hundred of them
would take minutes on a shared machine. This script imports every command's
module once, then, for each request (one JSON object per line on stdin), forks:
the child gets its own working folder, environment, stdin and stdout/stderr
files (or a pipe already closed by its reader), runs the package's real
``__main__`` exactly as ``python -m hwprune_edu`` does, and ends as the
interpreter would (an uncaught exception prints its traceback and exits 1; a
failed flush of stdout at exit prints "Exception ignored" and exits 120). The
parent answers each request with the child's exit status.

Request: ``{"argv": [...], "cwd": str, "env": {...}, "stdin": path, "stdout": path | null, "stderr": path,
"timeout_s": float}`` (``stdout: null`` means a pipe whose reader has gone). Answer: ``{"status": int | null,
"timed_out": bool}``; a child still running after ``timeout_s`` is killed (a command that should have refused its
input at once and started working instead must fail the sweep, not hang it).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import runpy
import signal
import sys
import time
import traceback


def _child(request: dict) -> int:
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(request["stdin"], os.O_RDONLY)
    if request["stdout"] is None:
        read_end, stdout = os.pipe()
        os.close(read_end)  # the reader is gone before the first byte
    else:
        stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
        os.close(fd)
    # Fresh stream objects: the parent's stdin holds read-ahead of its requests.
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True)
    sys.argv = ["hwprune-edu", *request["argv"]]
    try:
        runpy.run_module("hwprune_edu", run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as exit_:
        code = exit_.code
        if code is None or isinstance(code, int):
            status = code or 0
        else:  # as the interpreter does with a message
            print(code, file=sys.stderr)
            status = 1
    except BaseException:  # what the interpreter prints for an uncaught exception
        traceback.print_exc()
        status = 1
    try:
        sys.stdout.flush()
    except Exception:  # the interpreter's own flush at exit, on a closed pipe
        print("Exception ignored on flushing sys.stdout:", file=sys.stderr)
        traceback.print_exc()
        status = 120
    sys.stderr.flush()
    return status


def main() -> None:
    from hwprune_edu.course import cli

    for module, _ in cli.SUBCOMMANDS.values():
        importlib.import_module(module)
    # What build-exercises and execute import when they run: once here, not per child (importing nbformat pulls
    # in jsonschema's format checkers, several seconds of CPU on a loaded machine).
    importlib.import_module("nbformat")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os._exit(_child(request))
        deadline = time.monotonic() + request.get("timeout_s", 60)
        while True:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                print(json.dumps({"status": os.waitstatus_to_exitcode(wait_status), "timed_out": False}), flush=True)
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                print(json.dumps({"status": None, "timed_out": True}), flush=True)
                break
            time.sleep(0.005)


if __name__ == "__main__":
    main()
