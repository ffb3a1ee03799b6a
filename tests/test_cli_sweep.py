"""The command line, swept as a careless and as a thorough user would use it: never a traceback.

Each row of :data:`SWEEP` is one command line run as a process of its own,
from a scratch
folder holding a file, an empty folder, a tiny notebook and a few solution and
exercise folders, good and broken. For every row the test asserts: no
``Traceback`` on stderr, the expected exit status (2 usage error, 1 failure,
0 success; ``grade`` keeps 1 for "some notebook failed" and 2 for "the grader
could not run"), and, for an error, exactly one line on stderr that names the
option (or path) at fault. Nothing trains, grades a real batch or waits for a
timeout: every bad value is refused before the work starts, which is what the
sweep is also there to prove.

Rows marked ``real`` (one or more per command, every closed pipe and every
simulated bug) start ``python -m hwprune_edu`` from scratch. The others run in
processes forked from ``tests/cli_zygote.py``, which has imported the commands
once and then runs the package's real ``__main__`` in each child with its own
folder, environment and files: the same code path and exit statuses, without
0.4 s of interpreter start and imports per row, so the file stays well under a
minute on a shared 2-core machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each row must be done well within this; a row still running is killed and fails (e.g. a bad value that started work).
ROW_TIMEOUT_S = 60
HUGE = "9" * 5000  # more digits than Python reads into an int (4300)
NOT_UTF8 = b"\xff\xfe\n"


@dataclass(frozen=True)
class Run:
    """One command line and what it must do.

    ``argv`` may use ``{tmp}`` for the scratch folder (the process's working folder too).
    ``names``: text the one line on stderr must contain (the option at fault); ``""``: stderr must be empty.
    """

    id: str
    argv: tuple[str, ...]
    status: int
    names: str = ""
    stdin: bytes = b""
    close_stdout: bool = False  # the reader of stdout goes away at once (`| head` that stopped reading)
    code: str = ""  # run `python -c code ARGV...` instead: a command with a function patched to fail
    env: dict = field(default_factory=dict)
    stdout_has: str = ""
    traceback: bool = False  # only with HWPRUNE_EDU_DEBUG=1
    real: bool = False  # start `python -m hwprune_edu` itself, not a child of the zygote
    redirect: str = ""  # a shell redirection the command starts with (`>&-`: stdout closed); implies real
    prefix: str = "hwprune-edu"  # how the one line on stderr starts


def _usage(id_: str, *argv: str, names: str, real: bool = False) -> Run:
    return Run(id_, argv, 2, names, real=real)


# A command patched so that it fails unexpectedly (a bug, not a bad input): the guard in main() must catch it.
CRASH_INFO = ("import sys\nfrom hwprune_edu.course import cli\n"
              "def broken(args):\n    raise ZeroDivisionError('simulated bug\\non two lines')\n"
              "cli._run_info = broken\nraise SystemExit(cli.main(sys.argv[1:]))")
CRASH_GRADE = ("import sys\nfrom hwprune_edu.course import cli\nfrom hwprune_edu.grading import batch\n"
               "def broken(*a, **k):\n    raise RuntimeError('simulated bug in the scorecard')\n"
               "batch.scorecard = broken\nraise SystemExit(cli.main(sys.argv[1:]))")

SWEEP: list[Run] = [
    # ------------------------------------------------------------------ the top level
    Run("no-arguments", (), 0, stdout_has="usage: hwprune-edu"),
    Run("version", ("--version",), 0, stdout_has="hwprune-edu ", real=True),
    Run("info", ("info",), 0, stdout_has="numpy"),
    _usage("unknown-command", "nope", names="invalid choice: 'nope'", real=True),
    _usage("empty-command", "", names="invalid choice: ''"),
    _usage("unicode-command", "²", names="invalid choice: '²'"),
    _usage("unknown-option", "--nope", names="--nope"),
    _usage("info-extra-argument", "info", "extra", names="extra"),
    # ------------------------------------------------------------------ grade: numbers
    _usage("grade-no-path", "grade", names="PATH"),
    _usage("grade-seed-negative", "grade", "{tmp}/empty", "--seed", "-1", names="--seed", real=True),
    _usage("grade-seed-text", "grade", "{tmp}/empty", "--seed", "abc", names="--seed"),
    _usage("grade-seed-float", "grade", "{tmp}/empty", "--seed", "1.5", names="--seed"),
    _usage("grade-seed-superscript", "grade", "{tmp}/empty", "--seed", "²", names="--seed"),
    _usage("grade-seed-circled", "grade", "{tmp}/empty", "--seed", "①", names="--seed"),
    _usage("grade-seed-5000-digits", "grade", "{tmp}/empty", "--seed", HUGE, names="--seed"),
    _usage("grade-seed-too-big", "grade", "{tmp}/empty", "--seed", "99999999999999999999", names="--seed"),
    _usage("grade-seed-empty", "grade", "{tmp}/empty", "--seed", "", names="--seed"),
    _usage("grade-seed-nan", "grade", "{tmp}/empty", "--seed", "nan", names="--seed"),
    _usage("grade-seed-hex", "grade", "{tmp}/empty", "--seed", "0x10", names="--seed"),
    _usage("grade-seed-missing-value", "grade", "{tmp}/empty", "--seed", names="--seed"),
    _usage("grade-timeout-nan", "grade", "{tmp}/empty", "--timeout", "nan", names="--timeout", real=True),
    _usage("grade-timeout-inf", "grade", "{tmp}/empty", "--timeout", "inf", names="--timeout"),
    _usage("grade-timeout-zero", "grade", "{tmp}/empty", "--timeout", "0", names="--timeout"),
    _usage("grade-timeout-negative", "grade", "{tmp}/empty", "--timeout", "-5", names="--timeout"),
    _usage("grade-timeout-overflow", "grade", "{tmp}/empty", "--timeout", "1e400", names="--timeout"),
    _usage("grade-timeout-5000-digits", "grade", "{tmp}/empty", "--timeout", HUGE, names="--timeout"),
    _usage("grade-timeout-comma", "grade", "{tmp}/empty", "--timeout", "1,5", names="--timeout"),
    _usage("grade-timeout-empty", "grade", "{tmp}/empty", "--timeout", "", names="--timeout"),
    _usage("grade-timeout-over-a-week", "grade", "{tmp}/empty", "--timeout", "1e9", names="--timeout"),
    _usage("grade-case-timeout-negative", "grade", "{tmp}/empty", "--case-timeout", "-1", names="--case-timeout"),
    _usage("grade-notebook-timeout-nan", "grade", "{tmp}/empty", "--notebook-timeout", "nan",
           names="--notebook-timeout"),
    _usage("grade-jobs-zero", "grade", "{tmp}/empty", "--jobs", "0", names="--jobs"),
    _usage("grade-jobs-float", "grade", "{tmp}/empty", "--jobs", "2.5", names="--jobs"),
    _usage("grade-jobs-5000-digits", "grade", "{tmp}/empty", "--jobs", HUGE, names="--jobs"),
    _usage("grade-memory-too-small", "grade", "{tmp}/empty", "--memory-mb", "10", names="--memory-mb"),
    _usage("grade-memory-exponent", "grade", "{tmp}/empty", "--memory-mb", "1e9", names="--memory-mb"),
    _usage("grade-memory-too-big", "grade", "{tmp}/empty", "--memory-mb", "99999999999999999", names="--memory-mb"),
    _usage("grade-unknown-option", "grade", "{tmp}/empty", "--bogus", names="--bogus"),
    # ------------------------------------------------------------------ grade: paths (all checked before grading)
    _usage("grade-missing-path", "grade", "{tmp}/nowhere.ipynb", names="PATH"),
    _usage("grade-empty-path", "grade", "", names="PATH"),
    _usage("grade-path-under-a-file", "grade", "{tmp}/afile/x.ipynb", names="PATH"),
    _usage("grade-csv-missing-folder", "grade", "{tmp}/nb.ipynb", "--csv", "{tmp}/missing/g.csv", names="--csv"),
    _usage("grade-csv-is-a-folder", "grade", "{tmp}/nb.ipynb", "--csv", "{tmp}/empty", names="--csv", real=True),
    _usage("grade-csv-under-a-file", "grade", "{tmp}/nb.ipynb", "--csv", "{tmp}/afile/g.csv", names="--csv"),
    _usage("grade-csv-empty", "grade", "{tmp}/nb.ipynb", "--csv", "", names="--csv"),
    _usage("grade-csv-over-the-notebook", "grade", "{tmp}/nb.ipynb", "--csv", "{tmp}/nb.ipynb", names="--csv"),
    _usage("grade-gradebook-is-a-folder", "grade", "{tmp}/nb.ipynb", "--gradebook", "{tmp}/empty",
           names="--gradebook"),
    _usage("grade-csv-and-gradebook-same-file", "grade", "{tmp}/nb.ipynb", "--csv", "{tmp}/g.csv", "--gradebook",
           "{tmp}/g.csv", names="--gradebook"),
    _usage("grade-no-notebooks-in-folder", "grade", "{tmp}/empty", names="no notebooks"),
    # a valid Unicode decimal digit is a number (٣ is 3): the run gets past the options to the empty folder
    _usage("grade-timeout-arabic-digit", "grade", "{tmp}/empty", "--timeout", "٣", names="no notebooks"),
    Run("grade-notebook-without-exercises", ("grade", "{tmp}/nb.ipynb", "--seed", "1"), 1,
        names="graded 1 notebook(s)", prefix="graded", stdout_has="NO CREDIT (empty)", real=True),
    # ------------------------------------------------------------------ quiz
    _usage("quiz-n-zero", "quiz", "-n", "0", names="-n"),
    _usage("quiz-n-negative", "quiz", "-n", "-3", names="-n"),
    _usage("quiz-n-text", "quiz", "-n", "abc", names="-n"),
    _usage("quiz-n-superscript", "quiz", "-n", "²", names="-n"),
    _usage("quiz-n-circled", "quiz", "-n", "①", names="-n"),
    _usage("quiz-n-5000-digits", "quiz", "-n", HUGE, names="-n"),
    _usage("quiz-n-empty", "quiz", "-n", "", names="-n"),
    _usage("quiz-seed-float", "quiz", "--seed", "1.5", names="--seed"),
    _usage("quiz-tag-unknown", "quiz", "--tag", "nope", names="--tag"),
    _usage("quiz-tag-empty", "quiz", "--tag", "", names="--tag"),
    Run("quiz-odd-answers", ("quiz", "-n", "1", "--seed", "0"), 0,
        stdin=f"²\n①\n{HUGE}\n\n0\nq\n".encode(), stdout_has="is not one of the options", real=True),
    Run("quiz-answers-not-utf8", ("quiz", "-n", "1", "--seed", "0"), 0, stdin=NOT_UTF8 + b"q\n",
        stdout_has="is not one of the options"),
    Run("quiz-no-input", ("quiz", "-n", "2", "--seed", "3"), 0, stdout_has="no more answers"),
    Run("quiz-huge-count-asks-all", ("quiz", "-n", "99999999999999999999", "--seed", "0"), 0, stdin=b"q\n",
        stdout_has="Interview drill"),
    Run("quiz-negative-seed", ("quiz", "-n", "1", "--seed", "-7"), 2, names="--seed"),
    Run("quiz-arabic-digit-count", ("quiz", "-n", "١", "--seed", "0"), 0, stdin=b"1\n", stdout_has="Score: "),
    Run("quiz-list-tags", ("quiz", "--list-tags"), 0, stdout_has="questions"),
    # ------------------------------------------------------------------ build-exercises
    _usage("build-defaults-from-elsewhere", "build-exercises", names="--solutions"),
    _usage("build-out-is-a-file", "build-exercises", "--solutions", "{tmp}/sol_good", "--out", "{tmp}/afile",
           names="--out", real=True),
    _usage("build-out-under-a-file", "build-exercises", "--solutions", "{tmp}/sol_good", "--out", "{tmp}/afile/sub",
           names="--out"),
    _usage("build-out-empty", "build-exercises", "--solutions", "{tmp}/sol_good", "--out", "", names="--out"),
    _usage("build-out-is-the-solutions", "build-exercises", "--solutions", "{tmp}/sol_good", "--out",
           "{tmp}/sol_good", names="--out"),
    _usage("build-out-inside-the-solutions", "build-exercises", "--solutions", "{tmp}/sol_good", "--out",
           "{tmp}/sol_good/sub", names="--out"),
    _usage("build-solutions-missing", "build-exercises", "--solutions", "{tmp}/nowhere", "--out", "{tmp}/o",
           names="--solutions"),
    _usage("build-solutions-is-a-file", "build-exercises", "--solutions", "{tmp}/afile", "--out", "{tmp}/o",
           names="--solutions"),
    _usage("build-solutions-empty-folder", "build-exercises", "--solutions", "{tmp}/empty", "--out", "{tmp}/o",
           names="--solutions"),
    _usage("build-solutions-empty-text", "build-exercises", "--solutions", "", names="--solutions"),
    _usage("build-nbgrader-is-a-file", "build-exercises", "--solutions", "{tmp}/sol_good", "--nbgrader",
           "{tmp}/afile", names="--nbgrader"),
    Run("build-unreadable-solution", ("build-exercises", "--solutions", "{tmp}/sol_bad", "--out", "{tmp}/o_bad"), 1,
        names="sol_bad/01_bad.ipynb"),
    Run("build-solution-that-is-a-folder", ("build-exercises", "--solutions", "{tmp}/sol_dirnb", "--out",
                                            "{tmp}/o_dir"), 1, names="01_dir.ipynb"),
    Run("build-good", ("build-exercises", "--solutions", "{tmp}/sol_good", "--out", "{tmp}/o_good"), 0,
        stdout_has="wrote"),
    # ------------------------------------------------------------------ demo (refused before any training)
    _usage("demo-out-is-a-file", "demo", "--out", "{tmp}/afile", names="--out", real=True),
    _usage("demo-out-under-a-file", "demo", "--out", "{tmp}/afile/pictures", names="--out"),
    _usage("demo-out-empty", "demo", "--out", "", names="--out"),
    _usage("demo-budget-zero", "demo", "--budget", "0", names="--budget"),
    _usage("demo-budget-above-one", "demo", "--budget", "1.5", names="--budget"),
    _usage("demo-budget-nan", "demo", "--budget", "nan", names="--budget"),
    _usage("demo-budget-text", "demo", "--budget", "half", names="--budget"),
    _usage("demo-threads-zero", "demo", "--threads", "0", names="--threads"),
    _usage("demo-threads-huge", "demo", "--threads", "99999", names="--threads"),
    _usage("demo-seed-negative", "demo", "--seed", "-1", names="--seed"),
    _usage("demo-seed-5000-digits", "demo", "--seed", HUGE, names="--seed"),
    # ------------------------------------------------------------------ execute
    _usage("execute-no-path", "execute", names="PATH"),
    _usage("execute-missing-path", "execute", "{tmp}/nowhere.ipynb", names="PATH"),
    _usage("execute-folder-for-a-notebook", "execute", "{tmp}/empty", names="PATH"),
    _usage("execute-empty-path", "execute", "", names="PATH"),
    _usage("execute-timeout-zero", "execute", "{tmp}/nb.ipynb", "--timeout", "0", names="--timeout", real=True),
    _usage("execute-timeout-negative", "execute", "{tmp}/nb.ipynb", "--timeout", "-5", names="--timeout"),
    _usage("execute-timeout-nan", "execute", "{tmp}/nb.ipynb", "--timeout", "nan", names="--timeout"),
    _usage("execute-timeout-over-a-week", "execute", "{tmp}/nb.ipynb", "--timeout", "1e9", names="--timeout"),
    Run("execute-not-a-notebook", ("execute", "{tmp}/afile", "--no-save"), 1, names="1 of 1 notebook(s) failed",
        stdout_has="FAIL"),
    # 0.5 s is accepted and rounded up to the whole second nbclient takes (it wants an int)
    Run("execute-half-second-timeout", ("execute", "{tmp}/nb.ipynb", "--timeout", "0.5", "--no-save"), 0,
        stdout_has="ok   ", real=True),
    # ------------------------------------------------------------------ workspace
    _usage("workspace-defaults-from-elsewhere", "workspace", names="--exercises"),
    _usage("workspace-exercises-missing", "workspace", "--exercises", "{tmp}/nowhere", "--dir", "{tmp}/ws",
           names="--exercises"),
    _usage("workspace-exercises-is-a-file", "workspace", "--exercises", "{tmp}/afile", "--dir", "{tmp}/ws",
           names="--exercises"),
    _usage("workspace-dir-is-a-file", "workspace", "--exercises", "{tmp}/ex_good", "--dir", "{tmp}/afile",
           names="--dir"),
    _usage("workspace-dir-inside-exercises", "workspace", "--exercises", "{tmp}/ex_good", "--dir",
           "{tmp}/ex_good/ws", names="--dir"),
    Run("workspace-exercise-that-is-a-folder", ("workspace", "--exercises", "{tmp}/ex_dirnb", "--dir", "{tmp}/ws_d"),
        1, names="cannot copy the exercises"),
    Run("workspace-damaged-record", ("workspace", "--exercises", "{tmp}/ex_good", "--dir", "{tmp}/ws_bad"), 1,
        names=".exercise-origins.json"),
    Run("workspace-good", ("workspace", "--exercises", "{tmp}/ex_good", "--dir", "{tmp}/ws_new"), 0,
        stdout_has="copied", real=True),
    # ------------------------------------------------------------------ output cut short (`| head` stopped reading)
    # BrokenPipeError handled as Python's docs recommend (the `signal` module's note on SIGPIPE): status 1, silence
    Run("pipe-closed-list-tags", ("quiz", "--list-tags"), 1, close_stdout=True, real=True),
    Run("pipe-closed-info", ("info",), 1, close_stdout=True, real=True),
    Run("pipe-closed-drill", ("quiz", "-n", "3", "--seed", "0"), 1, stdin=b"a\nb\nc\n", close_stdout=True,
        real=True),
    Run("pipe-closed-list-tags-forked", ("quiz", "--list-tags"), 1, close_stdout=True),
    # started with a standard stream closed: print() writes nothing, the status still tells
    Run("stdout-closed-list-tags", ("quiz", "--list-tags"), 0, redirect=">&-"),
    Run("stdout-closed-drill", ("quiz", "-n", "1", "--seed", "1"), 1, names="standard output is closed", redirect=">&-",
        real=True),
    Run("stdout-closed-usage-error", ("quiz", "-n", "0"), 2, names="-n", redirect=">&-"),
    Run("stdin-closed-drill", ("quiz", "-n", "1", "--seed", "0"), 0, stdout_has="no more answers", redirect="<&-"),
    Run("stderr-closed-usage-error", ("grade", "{tmp}/empty", "--seed", "-1"), 2, redirect="2>&-"),
    # --help: argparse ignores a failed write itself (ArgumentParser._print_message), and exits 0
    Run("pipe-closed-help", ("--help",), 0, close_stdout=True, real=True),
    Run("pipe-closed-grade-help", ("grade", "--help"), 0, close_stdout=True, real=True),
    # ---------------------------------------------------- a bug, not a bad input: one line, or the traceback on request
    Run("crash-one-line", ("info",), 1, names="ZeroDivisionError: simulated bug on two lines", code=CRASH_INFO),
    Run("crash-names-the-debug-switch", ("info",), 1, names="HWPRUNE_EDU_DEBUG=1", code=CRASH_INFO),
    Run("crash-debug-shows-traceback", ("info",), 1, code=CRASH_INFO, env={"HWPRUNE_EDU_DEBUG": "1"},
        traceback=True),
    Run("crash-in-grade-is-status-2", ("grade", "{tmp}/nb.ipynb", "--seed", "1"), 2, names="RuntimeError",
        code=CRASH_GRADE),
]


def _scratch(root: Path) -> None:
    """The files and folders the sweep's command lines point at."""
    (root / "afile").write_text("not a notebook\n")
    (root / "empty").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), root / "nb.ipynb")
    solution = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")])
    for name in ("sol_good", "ex_good"):
        (root / name).mkdir()
        nbformat.write(solution, root / name / "01_one.ipynb")
    (root / "sol_bad").mkdir()
    (root / "sol_bad" / "01_bad.ipynb").write_text("{ this is not JSON")
    for name in ("sol_dirnb", "ex_dirnb"):
        (root / name / "01_dir.ipynb").mkdir(parents=True)
    (root / "ws_bad").mkdir()
    (root / "ws_bad" / ".exercise-origins.json").write_text(json.dumps(["not", "a", "record"]))


def _env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "HWPRUNE_EDU_DEBUG"}
    env.update(PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", **extra)
    return env


def _run(row: Run, tmp: Path) -> tuple[int, str, str, float]:
    """Start ``python -m hwprune_edu`` (or ``python -c code``) for one row."""
    argv = [a.replace("{tmp}", str(tmp)) for a in row.argv]
    command = [sys.executable, "-c", row.code, *argv] if row.code else [sys.executable, "-m", "hwprune_edu", *argv]
    if row.redirect:
        command = ["sh", "-c", f'exec "$@" {row.redirect}', "sh", *command]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=tmp, env=_env(row.env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    if row.close_stdout:
        process.stdout.close()  # before the command has written a byte: its first flush meets a closed pipe
    try:
        out, err = process.communicate(row.stdin, timeout=ROW_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return f"killed: still running after {ROW_TIMEOUT_S} s", "", err.decode("utf-8", "replace"), ROW_TIMEOUT_S
    out = out or b""
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), \
        time.perf_counter() - start


def _run_forked(rows: list[Run], tmp: Path) -> dict[str, tuple[int, str, str, float]]:
    """Run ``rows`` one after another in children of the zygote (see the module docstring)."""
    files = tmp / "zygote-files"
    files.mkdir()
    zygote = subprocess.Popen([sys.executable, str(Path(__file__).with_name("cli_zygote.py"))], cwd=tmp,
                              env=_env({}), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    done = {}
    try:
        for row in rows:
            stdin, out, err = (files / f"{row.id}.{suffix}" for suffix in ("in", "out", "err"))
            stdin.write_bytes(row.stdin)
            request = {"argv": [a.replace("{tmp}", str(tmp)) for a in row.argv], "cwd": str(tmp),
                       "env": _env(row.env), "stdin": str(stdin), "stdout": None if row.close_stdout else str(out),
                       "stderr": str(err), "timeout_s": ROW_TIMEOUT_S}
            start = time.perf_counter()
            zygote.stdin.write(json.dumps(request) + "\n")
            zygote.stdin.flush()
            answer = json.loads(zygote.stdout.readline())
            status = f"killed: still running after {ROW_TIMEOUT_S} s" if answer["timed_out"] else answer["status"]
            read = (lambda path: path.read_bytes().decode("utf-8", "replace") if path.exists() else "")
            done[row.id] = (status, read(out), read(err), time.perf_counter() - start)
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
    return done


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every row's (status, stdout, stderr, seconds): real processes two at a time, beside the zygote's children."""
    tmp = tmp_path_factory.mktemp("cli-sweep")
    _scratch(tmp)
    start = time.perf_counter()
    real = [r for r in SWEEP if r.real or r.code or r.redirect]
    with ThreadPoolExecutor(max_workers=2) as pool:
        started = pool.map(lambda r: _run(r, tmp), real)
        done = _run_forked([r for r in SWEEP if r not in real], tmp)
        done.update(zip((r.id for r in real), started))
    print(f"\nCLI sweep: {len(SWEEP)} command lines ({len(real)} as fresh processes) in "
          f"{time.perf_counter() - start:.1f} s; slowest: "
          + ", ".join(f"{name} {r[3]:.1f} s" for name, r in sorted(done.items(), key=lambda kv: -kv[1][3])[:4]))
    return done


def test_the_sweep_is_large_and_its_ids_unique():
    assert len(SWEEP) >= 80
    assert len({r.id for r in SWEEP}) == len(SWEEP)


@pytest.mark.parametrize("row", SWEEP, ids=[r.id for r in SWEEP])
def test_command_line(row, results):
    status, out, err, _ = results[row.id]
    shown = f"argv={list(row.argv)[:6]}\nstatus={status}\nstdout={out[-800:]!r}\nstderr={err[-1500:]!r}"
    if row.traceback:
        assert "Traceback" in err and "ZeroDivisionError" in err, shown
    else:
        assert "Traceback" not in err, shown
    assert status == row.status, shown
    if row.stdout_has:
        assert row.stdout_has in out, shown
    if row.traceback:
        return
    if row.names:
        lines = err.splitlines()
        assert len(lines) == 1, f"the error must be one line\n{shown}"
        assert row.names in lines[0], shown
        assert lines[0].startswith(row.prefix), shown
        assert len(lines[0]) < 1000, "a long value is shown cut, not whole"
    else:
        assert err == "", shown


def test_a_real_pipe_into_head_ends_quietly(tmp_path):
    # The shell's own pipeline, as in the course's docs: head stops after 10 bytes; whatever the timing, no noise.
    script = f'"{sys.executable}" -m hwprune_edu quiz --list-tags | head -c10'
    result = subprocess.run(["sh", "-c", script], cwd=tmp_path, env=_env({}), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and len(result.stdout) == 10
    assert result.stderr == "", result.stderr


def test_ctrl_c_exits_130_quietly(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "hwprune_edu", "quiz", "-n", "1", "--seed", "0"], cwd=tmp_path,
                               env=_env({}), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith(b"Interview drill"), "the drill started"
        process.send_signal(signal.SIGINT)  # while it waits for an answer
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in err and err == b"", err


def test_the_whole_sweep_is_quick(results):
    slowest = max(results.items(), key=lambda item: item[1][3])
    # Each row is a process start plus a refusal; only the one real notebook run takes a kernel's start.
    assert slowest[1][3] < 60, f"{slowest[0]} took {slowest[1][3]:.1f} s"
