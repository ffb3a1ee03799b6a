"""Where one submission runs during ``hwprune-edu grade``: a confined process that sees no reference answer.

Each submission gets:

* **a student view of the package**: a private copy of ``hwprune_edu`` in
  which the reference implementation of every exercise being graded is
  replaced by a stub that raises ``PermissionError`` (the signature and
  docstring stay, so the exercises' helpers keep working). Importing,
  ``importlib``, ``inspect.getsource``, reading the ``.py`` file and exec'ing
  it all find the stub; the simulator and the data helpers stay;
* **bubblewrap** (``bwrap``, Debian/Ubuntu package ``bubblewrap``) when it
  works here: a read-only view of the system and of the Python installation,
  the student view mounted at ``/course``, a private ``/tmp``, no network,
  its own PID namespace (it sees no other process, and every process it
  starts dies with it), and nothing of the grader's or the other
  submissions' files;
* **resource limits** set by the runner before any learner code runs:
  address space, CPU time, file size and processes (:func:`limits`);
* a clean environment: no variable of the grader's leaks in.

Without bubblewrap the limits, the student view, the process-group kill and
the clean environment still apply, but the submission runs as the grader's
user with the grader's view of the machine; :func:`confinement_warning` says
so in one line.

>>> blocked_names(["magnitude_mask", "gemm_macs"])
[('hwprune_edu.hardware.cost', 'gemm_macs'), ('hwprune_edu.pruning.unstructured', 'magnitude_mask')]
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from hwprune_edu.grading.checks import GRADING_ENV
from hwprune_edu.grading.registry import EXERCISES

__all__ = ["bwrap_available", "confinement_warning", "blocked_names", "write_student_view", "command", "environment",
           "limits", "kill_tree", "GRADING_ENV", "UNAVAILABLE"]

#: The stubs' message starts with this; the grader recognises it in an outcome's error.
UNAVAILABLE = "is not available while your notebook is graded"
_MOUNT = "/course"
# /etc entries a Python process needs (the dynamic loader, users, locale, fonts); the rest stays hidden.
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "localtime", "fonts",
        "alternatives", "mime.types")


@functools.lru_cache(maxsize=1)
def bwrap_available() -> str | None:
    """The ``bwrap`` program, if it is installed and can create the namespaces the grader uses here."""
    program = shutil.which("bwrap")
    if program is None:
        return None
    probe = [program, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent", "true"]
    try:
        ok = subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return program if ok else None


def confinement_warning() -> str:
    """One line for the grader's terminal when submissions cannot be confined (empty when they can)."""
    if bwrap_available():
        return ""
    return ("warning: confinement is off (bubblewrap `bwrap` is not installed or cannot create namespaces here): "
            "submissions run with resource limits and without the reference answers, but as your user, with your "
            "files and network in reach; install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)")


def blocked_names(exercise_ids: Iterable[str]) -> list[tuple[str, str]]:
    """``(module, function)`` of the reference of every exercise in ``exercise_ids``, sorted."""
    found = {(e.reference.__module__, e.reference.__name__) for e in map(EXERCISES.get, exercise_ids)
             if e is not None and e.reference is not None}
    return sorted(found)


def _stub_functions(source: str, names: set[str], module: str) -> str:
    """``source`` with each top-level ``def`` in ``names`` reduced to its signature, docstring and a raise."""
    lines = source.split("\n")
    tree = ast.parse(source)
    # Bottom-up, so earlier line numbers stay valid while later functions are rewritten.
    for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names),
                       key=lambda n: n.lineno, reverse=True):
        body = node.body
        has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str)
        first = body[1] if has_doc and len(body) > 1 else None if has_doc else body[0]
        indent = " " * body[0].col_offset
        message = (f"{module}.{node.name} {UNAVAILABLE}: the grader needs your own implementation, "
                   "not the library's (calling, wrapping, copying or exec'ing it gets no credit)")
        stub = f"{indent}raise PermissionError({message!r})"
        if first is None:  # docstring only: append the raise after it
            lines[body[0].end_lineno - 1] += "\n" + stub
        else:
            lines[first.lineno - 1: node.end_lineno] = [stub]
    return "\n".join(lines)


def write_student_view(root: Path, exercise_ids: Iterable[str]) -> Path:
    """Write ``root/hwprune_edu``: the package with the references of ``exercise_ids`` stubbed; return ``root``."""
    source_dir = _PACKAGE
    target = root / "hwprune_edu"
    shutil.copytree(source_dir, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    by_module: dict[str, set[str]] = {}
    for module, name in blocked_names(exercise_ids):
        by_module.setdefault(module, set()).add(name)
    for module, names in by_module.items():
        relative = Path(*module.split(".")[1:])
        path = target / relative.with_suffix(".py")
        if not path.exists():
            path = target / relative / "__init__.py"
        path.write_text(_stub_functions(path.read_text(), names, module))
    return root


# The package this file belongs to (the grader's own copy, never shown to a submission).
_PACKAGE = Path(__file__).resolve().parents[1]


def _python_roots() -> list[Path]:
    """The interpreter's installation and the environment's (venv) prefix, outside /usr."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(os.path.realpath(sys.executable)).parents[1]}
    return sorted(r for r in roots if r.exists() and not r.is_relative_to("/usr"))


def command(runner: Path, view: Path, workdir: Path, *, confined: bool, rlimits: dict[str, int]
            ) -> tuple[list[str], Path]:
    """The command that starts the runner for one submission, and the directory it starts in.

    Args:
        runner: the runner script (inside ``view``).
        view: the student view (see :func:`write_student_view`).
        workdir: a private, empty directory for the unconfined case.
        confined: whether to wrap it in bubblewrap.
        rlimits: what :func:`limits` chose (the runner sets them on itself).
    """
    import json

    sandbox_py = view / "hwprune_edu" / "grading" / "sandbox.py"
    transport_py = view / "hwprune_edu" / "grading" / "transport.py"
    base = [sys.executable, "-P", "-X", "utf8"]
    if not confined:
        return [*base, str(runner), str(sandbox_py), str(transport_py), json.dumps(rlimits)], workdir
    inside = lambda p: str(Path(_MOUNT) / p.relative_to(view))  # noqa: E731 - one path rule, used three times
    # The private /tmp first: mounts made after it may lie inside it (a checkout or venv under /tmp stays visible).
    args = [bwrap_available(), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    roots = _python_roots()
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    if any(_PACKAGE.is_relative_to(r) for r in [Path("/usr"), *roots]):
        # An installed (non-editable) package sits inside a mounted prefix: cover it with the student view.
        args += ["--ro-bind", str(view / "hwprune_edu"), str(_PACKAGE)]
    args += ["--ro-bind", str(view), _MOUNT, "--proc", "/proc", "--dev", "/dev",
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
             "--new-session", "--chdir", "/tmp"]
    return [*args, *base, inside(runner), inside(sandbox_py), inside(transport_py), json.dumps(rlimits)], Path("/")


def environment(view: Path, *, confined: bool, token: str) -> dict[str, str]:
    """The submission's whole environment (nothing of the grader's own)."""
    from hwprune_edu.util.notebooks import DETERMINISTIC_ENV

    home = "/tmp" if confined else str(view.parent / "work")
    return {
        **DETERMINISTIC_ENV, "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "PYTHONPATH": _MOUNT if confined else str(view),
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.matplotlib", "IPYTHONDIR": f"{home}/.ipython", GRADING_ENV: "1",
        "HWPRUNE_GRADE_TOKEN": token,
    }


def limits(*, memory_mb: int, cpu_s: float, file_mb: int = 64, processes: int = 256) -> dict[str, int]:
    """The ``resource`` limits the runner sets on itself before running learner code.

    A process limit counts every process of the user, so it is only set for a
    user other than root (root is exempt from it anyway) and on top of what
    that user already runs.
    """
    chosen = {"RLIMIT_AS": int(memory_mb) << 20, "RLIMIT_CPU": int(cpu_s) + 1, "RLIMIT_FSIZE": int(file_mb) << 20,
              "RLIMIT_CORE": 0}
    if hasattr(os, "geteuid") and os.geteuid() != 0 and Path("/proc").is_dir():
        uid = os.geteuid()
        running = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid)
        chosen["RLIMIT_NPROC"] = running + processes
    return chosen


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def kill_tree(process: subprocess.Popen, token: str) -> None:
    """Kill the runner, its process group, and (Linux) every process that carries the submission's token."""
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the runner started a new session: its group is its pid
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        process.kill()
    except OSError:
        pass
    # Daemons that left the group (setsid, double fork) still carry the token in their environment.
    marker = f"HWPRUNE_GRADE_TOKEN={token}".encode()
    if Path("/proc").is_dir():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
