"""The learner's workspace: copies of the exercises that nothing in the course ever overwrites."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hwprune_edu.course.cli import main
from hwprune_edu.course.workspace import ORIGINS_FILE, UPDATES_FILE, sync_workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path):
    """A small course folder: two exercise notebooks (copies of the real ones) and no workspace yet."""
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    for name in ("01_weight_pruning.ipynb", "02_structured_masks.ipynb"):
        shutil.copyfile(ROOT / "exercises" / name, exercises / name)
    return tmp_path


def _answer(path: Path) -> str:
    """Write an 'answer' into a notebook's first cell, as a learner's autosave would; return the new text."""
    notebook = json.loads(path.read_text())
    notebook["cells"][0]["source"] = ["my answer\n"]
    text = json.dumps(notebook)
    path.write_text(text)
    return text


def test_first_sync_copies_every_exercise_and_a_readme(course):
    changes = sync_workspace(course / "exercises", course / "workspace")
    assert [(c.action, c.path.name) for c in changes] == [("copied", "01_weight_pruning.ipynb"),
                                                         ("copied", "02_structured_masks.ipynb")]
    for change in changes:
        assert change.path.read_bytes() == change.source.read_bytes()
    assert "ever overwrites" in (course / "workspace" / "README.md").read_text()
    assert sync_workspace(course / "exercises", course / "workspace") == [], "a second sync writes nothing"


def test_learner_work_is_never_overwritten_and_a_newer_version_goes_beside_it(course):
    ws, ex = course / "workspace", course / "exercises"
    sync_workspace(ex, ws)
    mine = _answer(ws / "01_weight_pruning.ipynb")
    assert sync_workspace(ex, ws) == [], "the learner's edits alone offer nothing"

    _answer(ex / "01_weight_pruning.ipynb")  # the course ships a new version
    (ex / "01_weight_pruning.ipynb").write_text((ex / "01_weight_pruning.ipynb").read_text() + "\n")
    changes = sync_workspace(ex, ws)
    assert [(c.action, c.path.name) for c in changes] == [("offered", "01_weight_pruning.v2.ipynb")]
    assert (ws / "01_weight_pruning.ipynb").read_text() == mine
    assert (ws / "01_weight_pruning.v2.ipynb").read_bytes() == (ex / "01_weight_pruning.ipynb").read_bytes()
    note = (ws / UPDATES_FILE).read_text()
    assert "01_weight_pruning.v2.ipynb" in note and "untouched" in note
    assert sync_workspace(ex, ws) == [], "the same new version is offered once"

    (ex / "01_weight_pruning.ipynb").write_text((ex / "01_weight_pruning.ipynb").read_text() + "\n")
    assert [c.path.name for c in sync_workspace(ex, ws)] == ["01_weight_pruning.v3.ipynb"]
    assert (ws / "01_weight_pruning.ipynb").read_text() == mine


def test_a_deleted_copy_comes_back_fresh_and_other_files_are_left_alone(course):
    ws, ex = course / "workspace", course / "exercises"
    sync_workspace(ex, ws)
    (ws / "02_structured_masks.ipynb").unlink()
    (ws / "notes.txt").write_text("mine")
    assert [(c.action, c.path.name) for c in sync_workspace(ex, ws)] == [("copied", "02_structured_masks.ipynb")]
    assert (ws / "notes.txt").read_text() == "mine"


def test_lost_origins_offer_only_copies_that_differ(course):
    ws, ex = course / "workspace", course / "exercises"
    sync_workspace(ex, ws)
    _answer(ws / "01_weight_pruning.ipynb")
    (ws / ORIGINS_FILE).unlink()
    # The pristine copy matches its exercise: nothing to offer. The edited one may be older: offered once.
    assert [c.path.name for c in sync_workspace(ex, ws)] == ["01_weight_pruning.v2.ipynb"]
    assert sync_workspace(ex, ws) == []


@pytest.mark.parametrize("bad", ["exercises", "exercises/inner", "."])
def test_workspace_must_not_overlap_the_exercises(course, bad):
    with pytest.raises(ValueError, match="workspace_dir"):
        sync_workspace(course / "exercises", course / bad)


def test_missing_exercises_and_a_file_as_workspace_are_refused(course):
    with pytest.raises(FileNotFoundError, match="exercises_dir"):
        sync_workspace(course / "nowhere", course / "workspace")
    (course / "workspace").write_text("a file")
    with pytest.raises(ValueError, match="workspace_dir must be a folder"):
        sync_workspace(course / "exercises", course / "workspace")


def test_command_line(course, capsys):
    ws, ex = str(course / "workspace"), str(course / "exercises")
    assert main(["workspace", "--exercises", ex, "--dir", ws]) == 0
    out = capsys.readouterr().out
    assert "copied" in out and "01_weight_pruning.ipynb" in out and "ever overwritten" in out
    assert main(["workspace", "--exercises", ex, "--dir", ws]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["workspace", "--exercises", str(course / "nowhere"), "--dir", ws]) == 2
    assert "argument --exercises: must be an existing folder" in capsys.readouterr().err


def _make_n(target):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_make_lab_fills_the_workspace_and_make_test_never_reads_it():
    lab = _make_n("lab")
    assert "hwprune-edu workspace" in lab and lab.index("hwprune-edu workspace") < lab.index("jupyter lab")
    assert "workspace" not in _make_n("test").replace("hwprune-edu workspace", ""), "make test must not read workspace/"
    assert "workspace/" in (ROOT / ".gitignore").read_text().split()


def test_an_exercises_folder_without_notebooks_is_refused(tmp_path, capsys):
    empty = tmp_path / "exercises"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"^exercises_dir must hold the exercise notebooks"):
        sync_workspace(empty, tmp_path / "workspace")
    assert main(["workspace", "--exercises", str(empty), "--dir", str(tmp_path / "workspace")]) == 2
    assert "--exercises must hold the exercise notebooks" in capsys.readouterr().err
    assert not (tmp_path / "workspace").exists()
