"""``hwprune-edu workspace``: the learner's own copies of the exercises, never overwritten.

``exercises/`` is generated from ``solutions/`` and the tests compare it with
what the builder writes, so answers typed there would fail ``make test`` and be
lost at the next ``make exercises``. The learner works in ``workspace/``
instead (git-ignored), which this module fills:

* an exercise notebook missing from the workspace is copied there;
* a notebook already in the workspace is never written to, renamed or deleted;
* when ``exercises/`` holds a newer version than the one the learner's copy was
  made from, it is written *beside* it as ``NAME.v2.ipynb`` (``v3``, ...), and
  ``UPDATES.md`` in the workspace says what changed and how to move across.

The workspace remembers which exercise version each copy came from in a small
JSON file (:data:`ORIGINS_FILE`), so an unchanged exercise is never offered twice.

>>> import tempfile
>>> from pathlib import Path

from hwprune_edu.util.arguments import fail, input_path_arg, output_folder_arg
>>> root = Path(tempfile.mkdtemp())
>>> (root / "exercises").mkdir()
>>> _ = (root / "exercises" / "01_a.ipynb").write_text("{}")
>>> [c.action for c in sync_workspace(root / "exercises", root / "workspace")]
['copied']
>>> _ = (root / "workspace" / "01_a.ipynb").write_text('{"my": "answers"}')
>>> _ = (root / "exercises" / "01_a.ipynb").write_text('{"new": "version"}')
>>> [(c.action, c.path.name) for c in sync_workspace(root / "exercises", root / "workspace")]
[('offered', '01_a.v2.ipynb')]
>>> (root / "workspace" / "01_a.ipynb").read_text()
'{"my": "answers"}'
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from hwprune_edu.util.arguments import fail, input_path_arg, output_folder_arg

__all__ = ["WorkspaceChange", "sync_workspace", "register", "ORIGINS_FILE", "UPDATES_FILE"]

#: Which exercise version (SHA-256 of its bytes) each workspace notebook was last copied or offered from.
ORIGINS_FILE = ".exercise-origins.json"
#: The note a learner reads when a newer exercise version has been put beside their copy.
UPDATES_FILE = "UPDATES.md"

_README = """\
# Your workspace

These are your copies of the course exercises: work here. They are yours alone:
git ignores this folder, `make test` never reads it, and neither `make workspace`
nor `make lab` ever overwrites a file in it.

When an exercise in `exercises/` changes after you copied it, the new version is
put beside yours as `NAME.v2.ipynb` (then `v3`, ...) and `UPDATES.md` says so.
Your copy stays as it is: move your answers across, or delete your copy and
rename the new one. Delete a notebook here and the next `make workspace` copies
a fresh one.
"""


@dataclass(frozen=True)
class WorkspaceChange:
    """One file :func:`sync_workspace` wrote.

    Attributes:
        action: ``"copied"`` (a new copy of an exercise) or ``"offered"`` (a newer
            version, written beside the learner's copy).
        path: the file written in the workspace.
        source: the exercise notebook it came from.
    """

    action: str
    path: Path
    source: Path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_dirs(exercises_dir: Path, workspace_dir: Path) -> None:
    if not exercises_dir.is_dir():
        raise FileNotFoundError(f"exercises_dir must be a folder of exercise notebooks, got {str(exercises_dir)!r}, "
                                "which is not a folder (run from the course's root folder)")
    if not any(exercises_dir.glob("*.ipynb")):
        raise ValueError(f"exercises_dir must hold the exercise notebooks, got {str(exercises_dir)!r}, which "
                                "holds no .ipynb file (run from the course's root folder, or `make exercises`)")
    if workspace_dir.exists() and not workspace_dir.is_dir():
        raise ValueError(f"workspace_dir must be a folder, got {str(workspace_dir)!r}, which is a file")
    ex, ws = exercises_dir.resolve(), workspace_dir.resolve()
    if ws == ex or ex in ws.parents or ws in ex.parents:
        raise ValueError(f"workspace_dir must lie outside exercises_dir and not contain it, got {str(workspace_dir)!r} "
                         f"for exercises {str(exercises_dir)!r}: the exercises are generated, the workspace is yours")


def _read_origins(path: Path) -> dict[str, str]:
    """The workspace's record of where each copy came from (empty when there is none yet)."""
    if not path.exists():
        return {}
    try:
        origins = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        origins = None
    if not isinstance(origins, dict) or not all(isinstance(v, str) for v in origins.values()):
        raise ValueError(f"{str(path)!r} is damaged (it is not the record this command writes); delete it and run "
                         "again: your notebooks are untouched, and changed exercises are offered beside them")
    return origins


def _next_version(workspace_dir: Path, stem: str) -> Path:
    n = 2
    while (workspace_dir / f"{stem}.v{n}.ipynb").exists():
        n += 1
    return workspace_dir / f"{stem}.v{n}.ipynb"


def sync_workspace(exercises_dir: str | Path = "exercises", workspace_dir: str | Path = "workspace") -> list[WorkspaceChange]:
    """Copy new exercises into the workspace and offer newer versions beside the learner's copies.

    Never overwrites, renames or deletes a notebook in the workspace (see the
    module docstring for the rules). Creates ``workspace_dir`` with a README on
    first use.

    Args:
        exercises_dir: the generated exercise notebooks (``exercises/``).
        workspace_dir: the learner's folder (``workspace/``).

    Returns:
        What was written, in name order (empty when the workspace was up to date).

    Raises:
        FileNotFoundError: ``exercises_dir`` is not a folder.
        ValueError: ``workspace_dir`` is a file, or overlaps ``exercises_dir``.
    """
    exercises_dir, workspace_dir = Path(exercises_dir), Path(workspace_dir)
    _check_dirs(exercises_dir, workspace_dir)
    workspace_dir.mkdir(parents=True, exist_ok=True)
    readme = workspace_dir / "README.md"
    if not readme.exists():
        readme.write_text(_README)
    origins_path = workspace_dir / ORIGINS_FILE
    origins = _read_origins(origins_path)

    changes = []
    for source in sorted(exercises_dir.glob("*.ipynb")):
        digest, target = _digest(source), workspace_dir / source.name
        if not target.exists():
            shutil.copyfile(source, target)
            changes.append(WorkspaceChange("copied", target, source))
        elif origins.get(source.name) != digest and _digest(target) != digest:
            # The exercise changed since the learner's copy was made (or the origin is unknown
            # and the two differ): the learner's file may hold answers, so the new one goes beside it.
            offered = _next_version(workspace_dir, source.stem)
            shutil.copyfile(source, offered)
            changes.append(WorkspaceChange("offered", offered, source))
        origins[source.name] = digest
    origins_path.write_text(json.dumps(origins, indent=1, sort_keys=True) + "\n")

    offered = [c for c in changes if c.action == "offered"]
    if offered:
        with (workspace_dir / UPDATES_FILE).open("a") as note:
            note.write(f"\n## {datetime.date.today().isoformat()}\n\n")
            for change in offered:
                note.write(f"- `{change.path.name}` is a newer version of `{change.source.name}`. Your "
                           f"`{change.source.name}` is untouched: open both, move your answers across, "
                           "or delete yours and rename the new one.\n")
    return changes


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu workspace``."""
    parser = subparsers.add_parser(
        "workspace", help="copy the exercises into your workspace/ (never overwrites your work)",
        description="Copy exercise notebooks missing from the workspace; put a newer version of one you already "
                    "have beside it as NAME.v2.ipynb. Nothing in the workspace is ever overwritten.")
    parser.add_argument("--exercises", default="exercises", metavar="DIR",
                        type=input_path_arg("--exercises", "folder"),
                        help="the generated exercise notebooks (default exercises/, from the course's root folder)")
    parser.add_argument("--dir", default="workspace", metavar="DIR", type=output_folder_arg("--dir"),
                        help="your workspace (default workspace/)")
    parser.set_defaults(func=_run)


def _as_options(error: Exception) -> str:
    """A library message in the command's words (the options, not the function's arguments)."""
    return str(error).replace("workspace_dir", "--dir").replace("exercises_dir", "--exercises")


def _run(args: argparse.Namespace) -> int:
    try:
        _check_dirs(Path(args.exercises), Path(args.dir))
    except ValueError as err:  # the two folders overlap: the command line is wrong
        return fail("workspace", _as_options(err), 2)
    try:
        changes = sync_workspace(args.exercises, args.dir)
    except ValueError as err:  # the workspace's record of origins is damaged
        return fail("workspace", _as_options(err))
    except OSError as err:
        return fail("workspace", f"cannot copy the exercises: {err}")
    where = f"{args.dir.rstrip('/')}/"
    if not changes:
        print(f"{where} is up to date: your exercise notebooks are there, untouched.")
        return 0
    for change in changes:
        if change.action == "copied":
            print(f"copied  {where}{change.path.name}")
        else:
            print(f"newer   {where}{change.path.name}  (a new version of {change.source.name}; yours is untouched, "
                  f"see {where}{UPDATES_FILE})")
    print(f"Work the exercises in {where}: nothing there is ever overwritten.")
    return 0
