"""The command line's argument types (``hwprune_edu.util.arguments``), called directly.

The sweep in ``tests/test_cli_sweep.py`` runs them through every command; these
pin the exact words and the edge cases a sweep row would not name.
"""

import argparse
import os

import pytest

from hwprune_edu.util.arguments import (MAX_TIMEOUT_S, SEED_MAX, check_input_path, check_output_file,
                                        check_output_folder, input_path_arg, int_arg, number_arg, output_file_arg,
                                        seed_arg, timeout_arg)


@pytest.mark.parametrize("text,value", [("3", 3), (" 3 ", 3), ("+3", 3), ("1_000", 1000), ("٣", 3), ("１２", 12)])
def test_ints_are_read_as_python_reads_them(text, value):
    assert int_arg("-n", low=1)(text) == value


@pytest.mark.parametrize("text,message", [
    ("0", "must be in [1, inf), got 0"),
    ("2.5", "must be an int, got str '2.5'"),
    ("²", "must be an int, got str '²'"),
    ("", "must be an int, got str ''"),
    ("9" * 5000, "must be an int in [1, inf), got a 5000-digit number"),
    ("x" * 500, "must be an int, got str 'xxxxxxxxxxxxxxxxxxxx' (the first 20 of 500 characters)"),
])
def test_bad_ints_say_what_was_expected(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as error:
        int_arg("-n", low=1)(text)
    assert str(error.value) == message


def test_seeds_and_their_range():
    assert seed_arg()("0") == 0 and seed_arg()(str(SEED_MAX)) == SEED_MAX
    with pytest.raises(argparse.ArgumentTypeError, match=r"must be in \[0, 4294967295\] \(a seed\), got 4294967296"):
        seed_arg()(str(SEED_MAX + 1))
    with pytest.raises(argparse.ArgumentTypeError, match="got a 41-digit number"):
        seed_arg()("9" * 41)


@pytest.mark.parametrize("text,message", [
    ("nan", "must be in (0, 604800] (seconds), got nan"),
    ("inf", "must be a finite number in (0, 604800] (seconds), got inf"),
    ("0", "must be in (0, 604800] (seconds), got 0.0"),
    ("1,5", "must be a number in (0, 604800] (seconds), got str '1,5'"),
    ("1e400", "must be a finite number in (0, 604800] (seconds), got inf (read from '1e400', too large for a float)"),
])
def test_bad_time_limits_say_what_was_expected(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as error:
        timeout_arg("--timeout")(text)
    assert str(error.value) == message


def test_numbers_accept_what_a_person_types():
    assert timeout_arg("--timeout")("0.5") == 0.5
    assert timeout_arg("--timeout")(str(MAX_TIMEOUT_S)) == MAX_TIMEOUT_S
    assert number_arg("--budget", low=0, high=1, closed="right")(" 1e-1 ") == 0.1
    assert number_arg("--x")("٣.٥") == 3.5  # Arabic-Indic digits, as float() reads them


def test_paths_must_be_paths(tmp_path):
    for check in (check_output_file, check_output_folder):
        with pytest.raises(TypeError, match="--out must be a path, got NoneType"):
            check(None, name="--out")
    with pytest.raises(TypeError, match="PATH must be a path, got int"):
        check_input_path(3, name="PATH")
    with pytest.raises(ValueError, match="kind must be"):
        check_input_path(tmp_path, name="PATH", kind="socket")
    with pytest.raises(ValueError, match="got an empty text"):
        check_output_file("", name="--csv")


def test_input_paths(tmp_path):
    notebook = tmp_path / "a.ipynb"
    notebook.write_text("{}")
    assert check_input_path(notebook, name="PATH", kind="file") == notebook
    assert check_input_path(tmp_path, name="PATH", kind="folder") == tmp_path
    with pytest.raises(ValueError, match="PATH must be a file, got .*, which is a folder"):
        check_input_path(tmp_path, name="PATH", kind="file")
    with pytest.raises(ValueError, match="which does not exist"):
        check_input_path(tmp_path / "nowhere", name="PATH")
    with pytest.raises(ValueError, match="a.ipynb' is a file"):
        check_input_path(notebook / "inside", name="PATH")
    with pytest.raises(ValueError, match="cannot be used: .*characters"):
        check_input_path("x" * 5000, name="PATH")  # too long a name for the file system
    assert input_path_arg("PATH")(str(notebook)) == str(notebook), "the user's own spelling is kept"


def test_output_files(tmp_path):
    assert check_output_file(tmp_path / "g.csv", name="--csv").name == "g.csv"
    with pytest.raises(argparse.ArgumentTypeError, match="which is a folder"):
        output_file_arg("--csv")(str(tmp_path))
    with pytest.raises(ValueError, match="the folder .*missing' does not exist"):
        check_output_file(tmp_path / "missing" / "g.csv", name="--csv")
    (tmp_path / "f").write_text("")
    with pytest.raises(ValueError, match="f' is a file"):
        check_output_file(tmp_path / "f" / "g.csv", name="--csv")
    with pytest.raises(ValueError, match="f' is a file"):
        check_output_file(tmp_path / "f" / "deeper" / "g.csv", name="--csv")


def test_output_folders_are_not_created(tmp_path):
    target = tmp_path / "new" / "deeper"
    assert check_output_folder(target, name="--out") == target and not (tmp_path / "new").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_places_are_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "old.csv").write_text("")
    locked.chmod(0o500)
    (locked / "old.csv").chmod(0o400)
    try:
        with pytest.raises(ValueError, match="is not writable"):
            check_output_folder(locked / "pictures", name="--out")
        with pytest.raises(ValueError, match="is not writable"):
            check_output_file(locked / "new.csv", name="--csv")
        with pytest.raises(ValueError, match="which is read-only"):
            check_output_file(locked / "old.csv", name="--csv")
    finally:
        locked.chmod(0o700)
