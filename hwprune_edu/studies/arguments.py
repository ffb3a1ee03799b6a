"""The argument checks every search, sweep and study shares, run before any training starts.

A search that trains for a minute and then refuses its ``lr`` wastes that
minute, so the entry points check every argument first, with these. Each
check returns the value in the form the code uses (``float``, ``int``,
``tuple``) and raises a ``TypeError``/``ValueError`` naming the argument.

>>> check_lr(np.float32(1e-3)) > 0
True
>>> check_choice(["taylor"], ("taylor", "l1"), name="importance")
Traceback (most recent call last):
...
ValueError: importance must be one of ['taylor', 'l1'], got a list
"""

from __future__ import annotations

from dataclasses import fields, replace
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from hwprune_edu.util.validation import (  # noqa: F401 - SEED_MAX, check_lr, check_input_shape: shared by the studies modules
    SEED_MAX,
    check_fraction,
    check_input_shape,
    check_int,
    check_lr,
    check_number,
    check_positive_int,
    describe,
)


__all__: list[str] = []  # shared by the studies modules; their entry points are the public surface


def check_budget(budget: Any, *, name: str = "latency_budget") -> float:
    """A latency budget: a fraction of the dense model's latency in (0, 1].

    >>> check_budget(0.5)
    0.5
    """
    return check_fraction(budget, name=name, zero_ok=False, meaning=" (a fraction of the dense model's latency)")


def check_choice(value: Any, choices: Iterable[str], *, name: str) -> str:
    """``value`` if it is one of the strings ``choices`` (an unhashable value is refused by name, not by ``in``).

    >>> check_choice("l1", ("taylor", "l1"), name="importance")
    'l1'
    """
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {describe(value)}")
    return value


def check_flag(value: Any, *, name: str) -> bool:
    """A yes/no switch: ``True``/``False`` (or NumPy's bools); ``"no"`` or ``0`` are refused, they read as a mistake.

    >>> check_flag(np.True_, name="progress")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_threads(num_threads: Any) -> int | None:
    """``None`` (leave torch's thread count alone) or a positive int.

    >>> check_threads(None), check_threads(np.int64(2))
    (None, 2)
    """
    return None if num_threads is None else check_positive_int(num_threads, name="num_threads")


def check_optional_int(value: Any, *, name: str, minimum: int) -> int | None:
    """``None`` or an int >= ``minimum``.

    >>> check_optional_int(None, name="round_to", minimum=1) is None
    True
    """
    return None if value is None else check_int(value, name=name, minimum=minimum)


def search_copy(model: Any, data: Any) -> tuple[Any, Any, Any]:
    """A float32 working copy of ``model`` (masks folded in), ``data`` with float32 features, and the model's dtype.

    The searches train and measure in float32, the dtype of the course's data:
    a float64 (NumPy's default) or half model is searched as float32 and
    handed back in its own dtype by :func:`restore_dtype`. ``model`` and
    ``data`` are not modified.

    >>> from hwprune_edu.nn.data import digits_mlp, load_digits
    >>> work, data, dtype = search_copy(digits_mlp(hidden=(4,)).double(), load_digits())
    >>> work[0].weight.dtype, dtype
    (torch.float32, torch.float64)
    """
    import torch

    from hwprune_edu.nn.search import prepare_model

    work = prepare_model(model, data)
    dtype = next((p.dtype for p in work.parameters()), torch.float32)
    if dtype != torch.float32:
        if not dtype.is_floating_point:
            raise TypeError(f"model must have floating-point weights, got {dtype}")
        work = work.float()  # work is already a copy: converting it in place leaves model alone
    features = {f"x_{split}": getattr(data, f"x_{split}") for split in ("train", "val", "test")}
    if any(x.dtype != torch.float32 for x in features.values()):
        data = replace(data, **{key: x.float() for key, x in features.items()})
    return work, data, dtype


def restore_dtype(model: Any, dtype: Any) -> Any:
    """``model`` (a search's own working copy) converted back to the caller's ``dtype``.

    >>> import torch
    >>> from hwprune_edu.nn.data import digits_mlp
    >>> restore_dtype(digits_mlp(hidden=(4,)), torch.float64)[0].weight.dtype
    torch.float64
    """
    return model if next(model.parameters()).dtype == dtype else model.to(dtype)


# How each keyword option of the searches is checked (one place, so every search refuses a value the same way).
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "batch": lambda v: check_positive_int(v, name="batch"),
    "rounds": lambda v: check_positive_int(v, name="rounds"),
    "round_steps": lambda v: check_optional_int(v, name="round_steps", minimum=0),
    "total_finetune_epochs": lambda v: check_int(v, name="total_finetune_epochs", minimum=0),
    "final_epochs": lambda v: check_int(v, name="final_epochs", minimum=0),
    "finetune_epochs": lambda v: check_int(v, name="finetune_epochs", minimum=0),
    "finetune_steps": lambda v: check_int(v, name="finetune_steps", minimum=0),
    "step": lambda v: check_number(v, name="step", low=0, high=1, closed="right",
                                   meaning=" (a fraction of the dense latency cut per iteration)"),
    "lr": check_lr,
    "calibration_samples": lambda v: check_positive_int(v, name="calibration_samples"),
    "round_to": lambda v: check_optional_int(v, name="round_to", minimum=1),
    "input_shape": check_input_shape,
    "seed": lambda v: check_int(v, name="seed", minimum=0, maximum=SEED_MAX),
    "progress": lambda v: check_flag(v, name="progress"),
    "num_threads": check_threads,
}


def check_options(options: Mapping[str, Any], *, importance: Iterable[str] = ()) -> SimpleNamespace:
    """Every option of ``options`` checked (``importance`` against the given choices), as attributes.

    >>> check_options({"lr": 1e-3, "importance": "l1"}, importance=("l1",)).lr
    0.001
    """
    checked = {}
    for name, value in options.items():
        checked[name] = check_choice(value, importance, name=name) if name == "importance" else _CHECKS[name](value)
    return SimpleNamespace(**checked)


def _field_check(annotation: str) -> Callable[[Any, str], None] | None:
    """The check of one dataclass field, read from its annotation (``None``: a type this does not check)."""
    annotation = annotation.replace(" ", "")
    optional = annotation.endswith("|None")
    base = annotation[: -len("|None")] if optional else annotation

    def number(value: Any, name: str) -> None:
        check_number(value, name=name)

    def integer(value: Any, name: str) -> None:
        check_int(value, name=name)

    def text(value: Any, name: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {describe(value)}")

    def flag(value: Any, name: str) -> None:
        check_flag(value, name=name)

    def mapping(value: Any, name: str) -> None:
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict, got {describe(value)}")

    def sequence(value: Any, name: str) -> None:
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name} must be a tuple, got {describe(value)}")

    kinds = {"float": number, "int": integer, "str": text, "bool": flag}
    check = kinds.get(base)
    if check is None and base.startswith(("Mapping[", "dict[")):
        check = mapping
    if check is None and (base == "tuple" or base.startswith("tuple[")):
        check = sequence
    if check is None:
        return None
    if not optional:
        return check
    return lambda value, name: None if value is None else check(value, name)


def check_fields(record: Any) -> None:
    """Check a record's fields against their annotations (``float``, ``int``, ``str``, ``bool``, mappings, tuples).

    The records of the studies are filled by the library, but also by hand (in
    the lessons, from JSON): a wrong type should fail where the record is
    made, naming the field, not three calls later in a chart.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Point:
    ...     name: str
    ...     accuracy: float
    ...     def __post_init__(self):
    ...         check_fields(self)
    >>> Point("dense", "97 %")
    Traceback (most recent call last):
    ...
    TypeError: Point.accuracy must be a number, got str '97 %'
    """
    cls = type(record)
    for item in fields(record):
        check = _field_check(item.type) if isinstance(item.type, str) else None
        if check is not None:
            check(getattr(record, item.name), f"{cls.__name__}.{item.name}")


def checked(cls: type) -> type:
    """Class decorator, under ``@dataclass``: the record checks its fields when made (:func:`check_fields`).

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... @checked
    ... class Cut:
    ...     params: int
    >>> Cut(2.5)
    Traceback (most recent call last):
    ...
    TypeError: Cut.params must be an int, got float 2.5
    """
    cls.__post_init__ = check_fields
    return cls


def check_hardware(hardware: Any, *, name: str = "hardware") -> Any:
    """``hardware`` as a ``Hardware`` profile (itself, or the profile of that name), the error naming ``name``.

    >>> check_hardware("cpu-avx2", name="platform").name
    'cpu-avx2'
    >>> check_hardware("tpu-v9", name="platform")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: platform: unknown hardware profile 'tpu-v9'; known profiles: ...
    """
    from hwprune_edu.hardware import Hardware, get_profile

    if isinstance(hardware, Hardware):
        return hardware
    if not isinstance(hardware, str):
        raise TypeError(f"{name} must be a profile name (str) or a Hardware, got {describe(hardware)}")
    try:
        return get_profile(hardware)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{name}: {err}") from None


def check_profiles(profiles: Any, *, name: str = "profiles", empty_ok: bool = True) -> list:
    """``profiles`` (a list or tuple of names or ``Hardware``) as ``Hardware`` profiles, each once.

    >>> [hw.name for hw in check_profiles(["cpu-avx2", "mcu-m4"])]
    ['cpu-avx2', 'mcu-m4']
    """
    if isinstance(profiles, (str, bytes)) or not isinstance(profiles, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple of profile names (or Hardware), got {describe(profiles)}")
    if not profiles and not empty_ok:
        raise ValueError(f"{name} must name at least one profile, got an empty sequence")
    hardware = [check_hardware(p, name=f"{name}[{i}]") for i, p in enumerate(profiles)]
    names = [hw.name for hw in hardware]
    if len(set(names)) != len(names):
        raise ValueError(f"{name} must not repeat a platform, got {names}")
    return hardware


def check_sequence(values: Any, *, name: str, kind: type | tuple[type, ...], what: str, empty_ok: bool = False) -> list:
    """``values`` as a list, after checking it is a list or tuple of ``kind`` (``what`` names it in messages).

    >>> check_sequence([1, 2], name="rows", kind=int, what="ints")
    [1, 2]
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of {what}, got {describe(values)}")
    if not values and not empty_ok:
        raise ValueError(f"{name} must not be empty")
    for i, value in enumerate(values):
        if not isinstance(value, kind):
            raise TypeError(f"{name}[{i}] must be one of the {what}, got {describe(value)}")
    return list(values)


def check_patterns(patterns: Any, *, name: str = "patterns", unique: bool = False) -> list:
    """``patterns`` (a non-empty list or tuple of pattern names or ``Pattern``) parsed, each error naming its entry.

    >>> [p.name for p in check_patterns(["2:4", "block 4x4"])]
    ['2:4', 'block 4x4']
    """
    from hwprune_edu.pruning.patterns import Pattern, parse_pattern

    if isinstance(patterns, (str, bytes, Pattern)) or not isinstance(patterns, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple of pattern names, e.g. ['2:4'], got {describe(patterns)}")
    if not patterns:
        raise ValueError(f"{name} must name at least one pattern, got an empty sequence")
    specs = []
    for i, pattern in enumerate(patterns):
        try:
            specs.append(parse_pattern(pattern))
        except (TypeError, ValueError) as err:
            raise type(err)(f"{name}[{i}]: {err}") from None
    names = [spec.name for spec in specs]
    if unique and len(set(names)) != len(names):
        raise ValueError(f"{name} must not repeat a pattern, got {names}")
    return specs
