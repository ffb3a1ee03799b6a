"""The question bank: the quiz's topics and questions, read from TOML files and checked on load.

The questions are data, kept in ``hwprune_edu/quiz/questions/`` (its README.md
shows how to write one): ``tags.toml`` lists the topics in order, each with what
it covers and the file of its questions; each topic's file holds
``[[question]]`` tables whose choices carry their own ``why_wrong``.
:func:`load_bank` reads and checks such a folder; :func:`questions`,
:func:`tags` and :func:`get_question` serve the course's own bank, loaded once.

>>> bank = load_bank()
>>> list(bank.tags)[:3], bank.questions[0].id
(['granularity', '2:4', 'roofline'], 'granularity-dense-zeros')
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from hwprune_edu.quiz.question import LETTERS, Choice, Question
from hwprune_edu.studies.arguments import checked
from hwprune_edu.util.validation import describe

__all__ = ["Bank", "load_bank", "questions", "tags", "get_question", "QUESTIONS_DIR", "TAGS_FILE"]

#: the course's own question files (package data, so a wheel carries them)
QUESTIONS_DIR: Traversable = files("hwprune_edu.quiz") / "questions"
TAGS_FILE = "tags.toml"

# The keys each table may have: anything else is a typo (``why_wrog``) that would otherwise vanish silently.
_TAG_KEYS = {"name": True, "about": True, "file": False}  # key -> required
_QUESTION_KEYS = {"id": True, "question": True, "choices": True, "explanation": True, "tags": True}
_CHOICE_KEYS = {"text": True, "correct": False, "why_wrong": False}


@dataclass(frozen=True)
@checked
class Bank:
    """A loaded bank: the topics (tag -> what it covers, in order) and the questions, in order.

    Attributes:
        tags: a read-only mapping tag -> description, in the order of ``tags.toml``.
        questions: every question, topic by topic, each topic's in file order.
    """

    tags: Mapping[str, str]
    questions: tuple[Question, ...]


def _read_toml(path: Traversable) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None


def _check_keys(table: Any, keys: dict[str, bool], where: str) -> None:
    """``table`` is a TOML table with every required key of ``keys`` and no other."""
    if not isinstance(table, dict):
        raise ValueError(f"{where}: expected a table, got {describe(table)}")
    missing = [key for key, required in keys.items() if required and key not in table]
    unknown = sorted(set(table) - set(keys))
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise ValueError(f"{where}: unknown key {', '.join(map(repr, unknown))} (allowed: {', '.join(keys)})")


def _array_of_tables(data: dict[str, Any], key: str, path: Traversable) -> list[dict[str, Any]]:
    """The file's ``[[key]]`` tables; nothing else may sit at the top of the file."""
    if set(data) != {key} or not isinstance(data[key], list) or not data[key]:
        raise ValueError(f"{path}: expected one or more [[{key}]] tables and nothing else, got keys {sorted(data)}")
    return data[key]


def _load_tags(path: Traversable) -> tuple[dict[str, str], dict[str, str]]:
    """Read ``tags.toml``: (tag -> description, file name -> tag), both in file order."""
    about: dict[str, str] = {}
    topic_files: dict[str, str] = {}
    for i, entry in enumerate(_array_of_tables(_read_toml(path), "tag", path), start=1):
        where = f"{path}: tag {i}"
        _check_keys(entry, _TAG_KEYS, where)
        for key, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: {key} must be a non-empty string, got {describe(value)}")
        name = entry["name"]
        if name in about:
            raise ValueError(f"{path}: tag {name!r} is listed twice")
        about[name] = entry["about"]
        if "file" in entry:
            if entry["file"] in topic_files:
                raise ValueError(f"{path}: file {entry['file']!r} is named by two tags, {topic_files[entry['file']]!r} and {name!r}")
            topic_files[entry["file"]] = name
    return about, topic_files


def _build(entry: Any, path: Traversable, number: int) -> Question:
    """One ``[[question]]`` table as a :class:`Question`; errors name the file and the question."""
    qid = entry.get("id") if isinstance(entry, dict) else None
    where = f"{path}: question {qid!r}" if isinstance(qid, str) else f"{path}: question {number}"
    _check_keys(entry, _QUESTION_KEYS, where)
    choices = entry["choices"]
    if not isinstance(choices, list):
        raise ValueError(f"{where}: choices must be a list of {{ text = ..., ... }} tables, got {describe(choices)}")
    built = []
    for i, choice in enumerate(choices):
        label = f"choice ({LETTERS[i]})" if i < len(LETTERS) else f"choice {i + 1}"
        _check_keys(choice, _CHOICE_KEYS, f"{where}: {label}")
        try:
            built.append(Choice(**choice))
        except (TypeError, ValueError) as err:
            raise type(err)(f"{where}: {label}: {err}") from None
    try:
        return Question(**{**entry, "choices": built})
    except (TypeError, ValueError) as err:
        raise type(err)(f"{path}: {err}") from None


def load_bank(folder: Traversable | str | os.PathLike[str] | None = None) -> Bank:
    """Read and check a folder of question files: ``tags.toml`` plus one file per topic.

    Checks, with errors naming the file and the question id: every table has its
    required keys and no unknown ones; each question has exactly one correct
    choice, a ``why_wrong`` for every wrong choice and none for the right one;
    ids are unique; every tag is listed in ``tags.toml``; a question's first tag
    is the topic of its file; every ``.toml`` file in the folder is some topic's.

    Args:
        folder: the folder (a path); the course's own bank (:data:`QUESTIONS_DIR`) if ``None``.

    Returns:
        A :class:`Bank` (new objects; nothing is cached here).

    Raises:
        ValueError: a file is missing, is not valid TOML, or breaks one of the checks
            (TypeError for a value of the wrong type, e.g. ``correct = "yes"``).

    >>> len(load_bank().tags)
    24
    """
    if folder is None:
        folder = QUESTIONS_DIR
    elif isinstance(folder, (str, os.PathLike)):
        folder = Path(folder)
    elif not isinstance(folder, Traversable):
        raise TypeError(f"folder must be a path to a folder of question files, or None, got {describe(folder)}")
    tags_path = folder / TAGS_FILE
    if not tags_path.is_file():
        raise ValueError(f"folder {str(folder)!r} has no {TAGS_FILE} (a question folder lists its topics there)")
    about, topic_files = _load_tags(tags_path)
    present = {f.name for f in folder.iterdir() if f.name.endswith(".toml") and f.name != TAGS_FILE}
    orphans = sorted(present - set(topic_files))
    if orphans:
        raise ValueError(f"{folder / orphans[0]}: no tag in {TAGS_FILE} names this file, so its questions would be ignored")
    for name in topic_files:
        if name not in present:
            raise ValueError(f"{tags_path}: tag {topic_files[name]!r} names {name!r}, which is not in {folder}")
    seen: dict[str, Traversable] = {}
    loaded = []
    for name, topic in topic_files.items():
        path = folder / name
        for number, entry in enumerate(_array_of_tables(_read_toml(path), "question", path), start=1):
            question = _build(entry, path, number)
            where = f"{path}: question {question.id!r}"
            if question.id in seen:
                raise ValueError(f"{where}: id already used in {seen[question.id]}")
            seen[question.id] = path
            unknown = [t for t in question.tags if t not in about]
            if unknown:
                raise ValueError(f"{where}: tag {unknown[0]!r} is not in {TAGS_FILE} (known: {', '.join(about)})")
            # The first tag is the topic: the notebook shows one quiz per topic by grouping on it.
            if question.tags[0] != topic:
                raise ValueError(f"{where}: its file holds the {topic!r} questions, so its first tag must be "
                                 f"{topic!r}, got {question.tags[0]!r}")
            loaded.append(question)
    return Bank(tags=MappingProxyType(about), questions=tuple(loaded))


@lru_cache(maxsize=1)
def _course_bank() -> Bank:
    return load_bank()


def tags() -> dict[str, str]:
    """Every tag in the bank -> what it covers (a new dict; edit freely).

    >>> tags()["2:4"]
    '2:4 sparse tensor cores: the pattern, the metadata, the real speedup'
    """
    return dict(_course_bank().tags)


def questions(tag: str | None = None) -> list[Question]:
    """The bank's questions, in bank order; only those tagged ``tag`` if given.

    Args:
        tag: one of :func:`tags`, or ``None`` for all questions.

    Returns:
        A new list of :class:`Question` (frozen, safe to share).

    >>> [q.id for q in questions("lottery-ticket")][:2]
    ['lottery-ticket-claim', 'lottery-ticket-speed']
    """
    bank = _course_bank()
    if tag is None:
        return list(bank.questions)
    if not isinstance(tag, str) or tag not in bank.tags:
        raise ValueError(f"tag must be one of {sorted(bank.tags)}, got {describe(tag)}")
    return [q for q in bank.questions if tag in q.tags]


def get_question(question_id: str) -> Question:
    """The question with id ``question_id``.

    >>> get_question("apoz-after-relu").tags
    ('apoz',)
    """
    for q in _course_bank().questions:
        if q.id == question_id:
            return q
    raise ValueError(f"question_id must be one of the bank's ids (see questions()), got {describe(question_id)}")
