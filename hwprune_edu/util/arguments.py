"""Command-line values, checked as argparse reads them: numbers, seeds and paths.

Every ``hwprune-edu`` command declares its options with these converters
(``type=number_arg("--timeout", low=0, closed="neither")``), so a bad value
stops the command before any work starts, with one line in the words of
:func:`~hwprune_edu.util.validation.check_number` and ``check_int``::

    hwprune-edu grade: error: argument --timeout: must be in (0, 604800] (seconds), got nan

Numbers are read as Python reads them (``1e-3``, ``2_000``, and digits of any
script that ``str.isdecimal`` knows, so ``٣`` is 3); what Python cannot read
(``²``, ``①``, ``1,5``, a 5000-digit int) is refused with the option's name,
never a traceback. Paths are checked for what the command will do with them
(read a file, read a folder, write a file, write into a folder), and nothing
is created here.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hwprune-edu demo")
>>> _ = parser.add_argument("--budget", type=number_arg("--budget", low=0, high=1, closed="right"))
>>> parser.parse_args(["--budget", "0.25"]).budget
0.25
>>> number_arg("--budget", low=0, high=1, closed="right")("1.5")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be in (0, 1], got 1.5
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

from hwprune_edu.util.validation import SEED_MAX, check_int, check_number

__all__ = ["number_arg", "int_arg", "seed_arg", "timeout_arg", "input_path_arg", "output_file_arg",
           "output_folder_arg", "check_input_path", "check_output_file", "check_output_folder", "fail",
           "SEED_MAX", "MAX_TIMEOUT_S"]

#: The longest time limit a command takes, in seconds: a week, far beyond any course notebook, and far
#: below what the operating system's timers and ``RLIMIT_CPU`` can hold (1e300 s overflows them).
MAX_TIMEOUT_S = 7 * 24 * 3600
#: Text longer than this is shown cut in messages (a 5000-digit answer must not fill the terminal) ...
_SHOWN_CHARS = 40
#: ... and a path longer than this (a real path is shown whole: the user needs all of it).
_SHOWN_PATH_CHARS = 300


def _shown(text: str, limit: int = _SHOWN_CHARS) -> str:
    """``text`` as a message shows it: quoted, cut when longer than ``limit``."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:min(limit, 60) - 16]!r}... ({len(text)} characters)"


def _cut(text: str) -> str:
    """``text``, or its start when too long to show (the message then says how long it was)."""
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS // 2]


def _cut_note(text: str, value: Any) -> str:
    return f" (the first {len(value)} of {len(text)} characters)" if isinstance(value, str) and value != text else ""


def _path(path: Any) -> str:
    return _shown(str(path), _SHOWN_PATH_CHARS)


def _without_name(error: Exception, name: str) -> str:
    """The message of a ``check_*`` error without its leading name (argparse already says which option)."""
    message = str(error)
    return message[len(name) + 1:] if message.startswith(name + " ") else message


def number_arg(option: str, *, low: float | None = None, high: float | None = None, closed: str = "both",
               meaning: str = "") -> Callable[[str], float]:
    """An argparse ``type=`` that reads a real number in an interval (NaN and infinities refused).

    Args:
        option: the option's name as typed (``"--timeout"``), used in messages.
        low, high, closed, meaning: as in :func:`~hwprune_edu.util.validation.check_number`.

    Returns:
        A converter from the typed text to a ``float``.

    >>> number_arg("--lr", low=0, closed="neither")("3e-4")
    0.0003
    """
    def convert(text: str) -> float:
        try:
            value: Any = float(text)
        except ValueError:  # '²', '①', '1,5', '': check_number says what was expected
            value = _cut(text)
        try:
            return check_number(value, name=option, low=low, high=high, closed=closed, meaning=meaning)
        except (TypeError, ValueError) as error:
            message = _without_name(error, option) + _cut_note(text, value)
            if isinstance(value, float) and math.isinf(value) and "inf" not in text.lower():
                message += f" (read from {_shown(text)}, too large for a float)"
            raise argparse.ArgumentTypeError(message) from None

    convert.__name__ = "number"  # argparse names the type in some messages
    return convert


def int_arg(option: str, *, low: int | None = None, high: int | None = None,
            meaning: str = "") -> Callable[[str], int]:
    """An argparse ``type=`` that reads an int in ``[low, high]`` (either end may be ``None``).

    >>> int_arg("-n", low=1)("12")
    12
    >>> int_arg("-n", low=1)("2.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an int, got str '2.5'
    """
    def convert(text: str) -> int:
        digits = text.strip().lstrip("+-").replace("_", "")
        if digits.isdecimal() and len(digits) > sys.get_int_max_str_digits() > 0:
            # Python refuses to read ints this long (a guard against slow conversions).
            raise argparse.ArgumentTypeError(f"must be an int{_range(low, high)}{meaning}, "
                                             f"got a {len(digits)}-digit number")
        try:
            value: Any = int(text)
        except ValueError:
            value = _cut(text)
        try:
            value = check_int(value, name=option)
        except TypeError as error:
            raise argparse.ArgumentTypeError(_without_name(error, option) + _cut_note(text, value)) from None
        if (low is not None and value < low) or (high is not None and value > high):
            got = str(value) if len(str(value)) <= _SHOWN_CHARS else f"a {len(str(value))}-digit number"
            raise argparse.ArgumentTypeError(f"must be{_range(low, high)}{meaning}, got {got}")
        return value

    convert.__name__ = "int"
    return convert


def _range(low: int | None, high: int | None) -> str:
    """`` in [low, high]`` in check_number's notation, or nothing when unbounded."""
    if low is None and high is None:
        return ""
    left = "(-inf" if low is None else f"[{low}"
    right = "inf)" if high is None else f"{high}]"
    return f" in {left}, {right}"


def seed_arg(option: str = "--seed") -> Callable[[str], int]:
    """An argparse ``type=`` for a seed: an int in ``[0, SEED_MAX]``.

    >>> seed_arg()("7")
    7
    """
    return int_arg(option, low=0, high=SEED_MAX, meaning=" (a seed)")


def timeout_arg(option: str) -> Callable[[str], float]:
    """An argparse ``type=`` for a time limit in seconds: in ``(0, MAX_TIMEOUT_S]``.

    >>> timeout_arg("--timeout")("0.5")
    0.5
    """
    return number_arg(option, low=0, high=MAX_TIMEOUT_S, closed="right", meaning=" (seconds)")


# ----------------------------------------------------------------------------------------------- paths


def _stat(path: Path, name: str) -> os.stat_result | None:
    """``os.stat`` of ``path``, ``None`` if nothing is there; any other trouble is a ValueError naming ``name``."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as error:  # a name too long, a loop of links, a NUL character
        reason = getattr(error, "strerror", None) or str(error)
        raise ValueError(f"{name} cannot be used: {_path(path)}: {reason}") from None


def _nearest_existing(path: Path, name: str) -> Path:
    """``path`` or the nearest folder above it that exists."""
    for candidate in (path, *path.absolute().parents):
        if _stat(candidate, name) is not None:
            return candidate
    return Path(path.absolute().anchor)


def _refuse_missing(checked: Path, shown: Path, name: str, expected: str, missing: str) -> NoReturn:
    """Raise the ValueError for a ``checked`` path that is not there: a file in its way, or nothing at all."""
    above = _nearest_existing(checked, name)
    if not above.is_dir():
        raise ValueError(f"{name} must be {expected}, got {_path(shown)}, but {_path(above)} is a file")
    raise ValueError(f"{name} must be {expected}, got {_path(shown)}, {missing}")


def _check_text(path: Any, name: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path, got {type(path).__name__}")
    if not str(path):
        raise ValueError(f"{name} must be a path, got an empty text")
    return Path(path)


def check_input_path(path: Any, *, name: str, kind: str = "any") -> Path:
    """Check that ``path`` exists and can be read: a file (``kind="file"``), a folder (``"folder"``) or either.

    Returns:
        ``path`` as a ``Path``.

    >>> check_input_path(__file__, name="PATH", kind="file").suffix
    '.py'
    >>> check_input_path(__file__, name="--solutions", kind="folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --solutions must be a folder, got '...arguments.py', which is a file
    """
    if kind not in ("any", "file", "folder"):
        raise ValueError(f"kind must be 'any', 'file' or 'folder', got {kind!r}")
    p = _check_text(path, name)
    status = _stat(p, name)
    if status is None:
        _refuse_missing(p, p, name, f"an existing {kind if kind != 'any' else 'file or folder'}",
                        "which does not exist")
    is_dir = p.is_dir()
    if kind == "file" and is_dir:
        raise ValueError(f"{name} must be a file, got {_path(p)}, which is a folder")
    if kind == "folder" and not is_dir:
        raise ValueError(f"{name} must be a folder, got {_path(p)}, which is a file")
    if not os.access(p, os.R_OK | (os.X_OK if is_dir else 0)):
        raise ValueError(f"{name} must be readable, got {_path(p)}, which you may not read")
    return p


def check_output_file(path: Any, *, name: str) -> Path:
    """Check that a file can be written at ``path``: not a folder, in a folder that exists and is writable.

    Creates nothing; an existing file there will be replaced.

    >>> import tempfile, os
    >>> check_output_file(os.path.join(tempfile.mkdtemp(), "grades.csv"), name="--csv").name
    'grades.csv'
    >>> check_output_file(os.path.join(tempfile.mkdtemp(), "missing", "grades.csv"), name="--csv")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --csv must be a file in an existing folder, got '...grades.csv', but the folder '...missing' ...
    """
    p = _check_text(path, name)
    status = _stat(p, name)
    if status is not None and p.is_dir():
        raise ValueError(f"{name} must be a file to write, got {_path(p)}, which is a folder")
    folder = p.absolute().parent
    if _stat(folder, name) is None or not folder.is_dir():
        _refuse_missing(folder, p, name, "a file in an existing folder",
                        f"but the folder {_path(p.parent)} does not exist")
    if status is not None and not os.access(p, os.W_OK):
        raise ValueError(f"{name} must be a file you can write, got {_path(p)}, which is read-only")
    if status is None and not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{name} must be in a folder you can write to, got {_path(p)}, "
                         f"and {_path(p.parent)} is not writable")
    return p


def check_output_folder(path: Any, *, name: str, purpose: str = "") -> Path:
    """Check that ``path`` is, or can be made as, a folder to write into (every part of it that exists is a folder).

    Creates nothing: the command makes the folder when it writes.

    Args:
        path: the folder.
        name: the argument's name, used in messages.
        purpose: words after "a folder" in messages, e.g. ``" for the pictures"``.

    >>> import tempfile, os
    >>> check_output_folder(os.path.join(tempfile.mkdtemp(), "new", "pictures"), name="--out").name
    'pictures'
    >>> check_output_folder(os.path.join(__file__, "pictures"), name="--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --out must be a folder, got '...pictures', but '...arguments.py' is a file
    """
    p = _check_text(path, name)
    existing = _nearest_existing(p, name)
    if not existing.is_dir():
        raise ValueError(f"{name} must be a folder{purpose}, got {_path(p)}, but {_path(existing)} "
                         "is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{name} must be a folder you can write to, got {_path(p)}, "
                         f"and {_path(existing)} is not writable")
    return p


def _path_arg(check: Callable[..., Path], option: str, **options: Any) -> Callable[[str], str]:
    def convert(text: str) -> str:
        try:
            check(text, name=option, **options)
        except (TypeError, ValueError) as error:
            raise argparse.ArgumentTypeError(_without_name(error, option)) from None
        return text  # the user's own spelling, for messages and for the functions it goes to

    convert.__name__ = "path"
    return convert


def input_path_arg(option: str, kind: str = "any") -> Callable[[str], str]:
    """An argparse ``type=`` for a file or folder to read (see :func:`check_input_path`).

    >>> input_path_arg("PATH")(".")
    '.'
    """
    return _path_arg(check_input_path, option, kind=kind)


def output_file_arg(option: str) -> Callable[[str], str]:
    """An argparse ``type=`` for a file to write (see :func:`check_output_file`).

    >>> output_file_arg("--csv")(".")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a file to write, got '.', which is a folder
    """
    return _path_arg(check_output_file, option)


def output_folder_arg(option: str, purpose: str = "") -> Callable[[str], str]:
    """An argparse ``type=`` for a folder to write into (see :func:`check_output_folder`).

    >>> output_folder_arg("--out")("new-folder")
    'new-folder'
    """
    return _path_arg(check_output_folder, option, purpose=purpose)


def fail(command: str, message: Any, status: int = 1) -> int:
    """Print ``hwprune-edu COMMAND: error: MESSAGE`` as one line on stderr; return ``status``.

    The form argparse uses for a usage error, so every error of every command reads alike.

    >>> fail("quiz", "no questions\\non this topic", 2)
    2
    """
    text = " ".join(str(message).split())
    print(f"hwprune-edu {command}: error: {text}", file=sys.stderr)
    return status
