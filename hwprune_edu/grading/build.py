"""``hwprune-edu build-exercises``: write the learners' notebooks from the solution notebooks.

``solutions/`` is the source (nbgrader-style): solution code sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``. The builder replaces each
region by a stub at the same indentation::

    # YOUR CODE HERE
    raise NotImplementedError()

so a function keeps its signature and docstring. Markdown regions become
``YOUR ANSWER HERE``. Every output and execution count is dropped (the
exercises are stored unexecuted, so no answer leaks through a stored output,
and they run under nbval-lax); cell ids and nbgrader metadata are kept, and
locked check cells are marked not editable and not deletable. They are not an
nbgrader release (no checksums): for nbgrader, ``--nbgrader COURSE`` lays the
solutions out as ``COURSE/source/<assignment>/`` for ``nbgrader
generate_assignment``. The output depends only on the
solutions, byte for byte: a test rebuilds and compares (no drift).

>>> print(strip_solutions("def f(x):\\n    '''Doc.'''\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION\\n"))
def f(x):
    '''Doc.'''
    # YOUR CODE HERE
    raise NotImplementedError()
<BLANKLINE>
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

from hwprune_edu.util.arguments import fail, input_path_arg, output_folder_arg

__all__ = ["strip_solutions", "build_notebook", "build_exercises", "nbgrader_course", "register", "BEGIN", "END",
           "NBGRADER_CONFIG"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
_MARKDOWN_STUB = ["YOUR ANSWER HERE"]
# Per-cell metadata that records a run, not the content.
_RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def strip_solutions(source: str, *, cell_type: str = "code", where: str = "cell") -> str:
    """``source`` with every solution region replaced by a stub at the region's indentation.

    Args:
        source: a cell's text.
        cell_type: ``"code"`` (stub raises ``NotImplementedError``) or ``"markdown"``.
        where: names the cell in error messages.

    Returns:
        The stripped text (unchanged if it has no region).

    Raises:
        ValueError: for an ``END`` without ``BEGIN``, nested regions or a missing ``END``.
    """
    out: list[str] = []
    inside = False
    lines = source.split("\n")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number}: {BEGIN!r} inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            stub = _CODE_STUB if cell_type == "code" else _MARKDOWN_STUB
            out.extend(indent + s for s in stub)
        elif stripped == END:
            if not inside:
                raise ValueError(f"{where}, line {number}: {END!r} without {BEGIN!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN!r} without {END!r}")
    return "\n".join(out)


def build_notebook(notebook: Any, *, name: str = "notebook") -> Any:
    """The exercise version of a solution notebook (a new ``NotebookNode``; the input is not changed)."""
    exercise = copy.deepcopy(notebook)
    for index, cell in enumerate(exercise.cells):
        where = f"{name} cell {index}"
        if cell.cell_type in ("code", "markdown"):
            cell.source = strip_solutions(cell.source, cell_type=cell.cell_type, where=where)
        for key in _RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if cell.metadata.get("nbgrader", {}).get("locked"):
            # JupyterLab honours these: a learner cannot edit or delete a check cell by accident.
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
    # What the builder wrote, so a later build can tell an untouched exercise (safe to replace) from edited work.
    exercise.metadata[BUILD_KEY] = {"sources_sha256": sources_digest(exercise)}
    return exercise


#: Notebook metadata key under which the builder records what it wrote.
BUILD_KEY = "hwprune_edu_build"


def sources_digest(notebook: Any) -> str:
    """SHA-256 of a notebook's cell types and sources (outputs and metadata do not count).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> sources_digest(nb) == sources_digest(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    True
    """
    import hashlib
    import json

    cells = [[cell.cell_type, cell.source] for cell in notebook.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def _edited(target: Path, new: Any) -> bool:
    """Whether the notebook at ``target`` holds someone's edits that writing ``new`` would lose."""
    import nbformat

    try:
        old = nbformat.read(target, as_version=4)
    except Exception:  # not a notebook we can read: never overwrite it silently
        return True
    digest = sources_digest(old)
    if digest == sources_digest(new):
        return False
    return digest != old.metadata.get(BUILD_KEY, {}).get("sources_sha256")


def build_exercises(solutions_dir: str | Path = "solutions", out_dir: str | Path = "exercises", *,
                    force: bool = False) -> list[Path]:
    """Write ``out_dir/X.ipynb`` for every ``solutions_dir/X.ipynb``; return the paths written.

    An exercise that someone edited since the builder wrote it (its sources differ from what the builder recorded)
    is never overwritten unless ``force``: nothing is written then, and the error lists the edited notebooks.

    Raises:
        FileNotFoundError: when ``solutions_dir`` has no notebooks.
        ValueError: ``out_dir`` is ``solutions_dir`` or inside it (the stubs would replace the solutions), or an
            exercise holds edits and ``force`` is false.
    """
    import nbformat

    solutions = sorted(Path(solutions_dir).glob("*.ipynb"))
    if not solutions:
        raise FileNotFoundError(f"solutions_dir must contain .ipynb notebooks, found none in {solutions_dir}")
    check_not_in_solutions(solutions_dir, out_dir)
    built = [(Path(out_dir) / path.name, build_notebook(_read_solution(path), name=path.name)) for path in solutions]
    edited = [str(target) for target, notebook in built if target.exists() and _edited(target, notebook)]
    if edited and not force:
        raise ValueError(f"these exercises were edited since they were built and would be overwritten: "
                         f"{', '.join(edited)}; work in workspace/ (make workspace), or pass --force to replace them")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for target, notebook in built:
        nbformat.write(notebook, target)
    return [target for target, _ in built]


def check_not_in_solutions(solutions_dir: str | Path, out_dir: str | Path, *, name: str = "out_dir") -> None:
    """Refuse an ``out_dir`` that is ``solutions_dir`` or inside it (the stubs would replace the solutions).

    >>> check_not_in_solutions("solutions", "exercises")
    >>> check_not_in_solutions("solutions", "solutions/sub")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out_dir must not be the solutions folder or inside it (the stubs would replace the solutions), ...
    """
    out, source = Path(out_dir).resolve(), Path(solutions_dir).resolve()
    if out == source or source in out.parents:
        raise ValueError(f"{name} must not be the solutions folder or inside it (the stubs would replace the "
                         f"solutions), got {str(out_dir)!r} for solutions {str(solutions_dir)!r}")


def _read_solution(path: Path) -> Any:
    """A solution notebook, or a ValueError naming the file when it cannot be read."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)  # a JSON file of another shape would fail later, far from its name
        return notebook
    except Exception as error:  # nbformat raises OSError, ValueError, jsonschema's, KeyError, TypeError...
        reason = " ".join(str(error).split())[:300]
        raise ValueError(f"cannot read the solution notebook {str(path)!r}: {type(error).__name__}: {reason}") \
            from None


#: A starting ``nbgrader_config.py`` for a course directory made by :func:`nbgrader_course`.
NBGRADER_CONFIG = """\
# nbgrader configuration for the hwprune-edu exercises (written by `hwprune-edu build-exercises --nbgrader`).
c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "hwprune-edu"
# The check cells call the learner's functions with a time limit of their own; give a cell room for that.
c.ExecutePreprocessor.timeout = 120
# The hidden cases under `nbgrader autograde` come from HWPRUNE_EDU_GRADING_SEED, which only the
# instructor's environment sets (export it before autograding; never the public seed 0).
"""


def nbgrader_course(solutions_dir: str | Path, course_dir: str | Path) -> list[Path]:
    """Lay the solutions out as nbgrader wants them: ``course/source/<assignment>/<notebook>.ipynb``.

    Each solution notebook becomes its own assignment, named after it
    (``01_weight_pruning``); ``course/nbgrader_config.py`` is written when
    missing. Returns the notebooks written.
    """
    import shutil

    solutions = sorted(Path(solutions_dir).glob("*.ipynb"))
    if not solutions:
        raise FileNotFoundError(f"solutions_dir must contain .ipynb notebooks, found none in {solutions_dir}")
    course = Path(course_dir)
    written = []
    for path in solutions:
        target = course / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(NBGRADER_CONFIG)
    return written


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu build-exercises``."""
    parser = subparsers.add_parser("build-exercises",
                                   help="write exercises/ from solutions/ (solution regions -> stubs)")
    parser.add_argument("--solutions", default="solutions", metavar="DIR", type=input_path_arg("--solutions", "folder"),
                        help="solution notebooks (default solutions/, from the course's root folder)")
    parser.add_argument("--out", default="exercises", metavar="DIR", type=output_folder_arg("--out"),
                        help="where to write (default exercises/)")
    parser.add_argument("--force", action="store_true", help="replace exercises even where someone edited them")
    parser.add_argument("--nbgrader", metavar="COURSE", type=output_folder_arg("--nbgrader"),
                        help="instead, lay the solutions out as an nbgrader course: "
                             "COURSE/source/<assignment>/ and nbgrader_config.py")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not sorted(Path(args.solutions).glob("*.ipynb")):
        return fail("build-exercises", f"--solutions must be a folder of .ipynb notebooks, found none in "
                                       f"{args.solutions!r}", 2)
    if args.nbgrader:
        try:
            written = nbgrader_course(args.solutions, args.nbgrader)
        except OSError as error:
            return fail("build-exercises", f"cannot write the nbgrader course: {error}")
        for path in written:
            print(f"wrote {path}")
        name = written[0].parent.name
        print(f"next: cd {args.nbgrader} && nbgrader generate_assignment {name} "
              f"--CourseDirectory.db_assignments=\"[{{'name': '{name}'}}]\"")
        return 0
    try:
        check_not_in_solutions(args.solutions, args.out, name="--out")
    except ValueError as error:
        return fail("build-exercises", error, 2)
    try:
        written = build_exercises(args.solutions, args.out, force=args.force)
    except ValueError as error:  # a solution notebook that cannot be read, or exercises someone edited
        return fail("build-exercises", error)
    except OSError as error:
        return fail("build-exercises", f"cannot write the exercises: {error}")
    stale = sorted(p.name for p in Path(args.out).glob("*.ipynb") if not (Path(args.solutions) / p.name).exists())
    for path in written:
        print(f"wrote {path}")
    for name in stale:
        print(f"note: {Path(args.out) / name} has no solution notebook; left as it is")
    return 0
