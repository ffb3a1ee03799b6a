"""The argument checks the pictures share: where to draw (an ``Axes``, or one per panel).

A chart handed a wrong ``ax`` otherwise fails deep inside matplotlib with an
``AttributeError`` that names neither the argument nor what it wanted.

>>> check_ax(None) is None
True
>>> check_ax("left")
Traceback (most recent call last):
...
TypeError: ax must be a matplotlib Axes or None (a new figure), got str 'left'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.util.validation import describe

__all__: list[str] = []  # shared by the viz modules; their charts are the public surface


def check_ax(ax: Any, *, name: str = "ax") -> Any:
    """``ax`` if it is ``None`` (draw on a new figure) or a matplotlib ``Axes``.

    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> check_ax(ax) is ax
    True
    """
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes or None (a new figure), got {describe(ax)}")
    return ax


def check_axes(axes: Any, count: int | None = None, *, name: str = "axes", per: str = "panel") -> list | None:
    """``None`` or ``axes`` as a list of ``Axes`` (``count`` of them, when given); NumPy arrays of Axes are flattened.

    >>> import matplotlib.pyplot as plt
    >>> _, grid = plt.subplots(1, 2)
    >>> len(check_axes(grid, 2))
    2
    """
    if axes is None:
        return None
    from matplotlib.axes import Axes

    if isinstance(axes, Axes):
        axes = [axes]
    elif isinstance(axes, np.ndarray):
        axes = list(axes.ravel())
    if not isinstance(axes, (list, tuple)):
        raise TypeError(f"{name} must be a list of matplotlib Axes or None (a new figure), got {describe(axes)}")
    for i, ax in enumerate(axes):
        check_ax(ax, name=f"{name}[{i}]")
    if count is not None and len(axes) != count:
        raise ValueError(f"{name} must hold one Axes per {per} ({count}), got {len(axes)}")
    return list(axes)
