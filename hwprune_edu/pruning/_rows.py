"""What one-shot LLM pruners share: a per-row target (a count or N:M) and per-row selection of the k smallest scores.

Wanda and SparseGPT compare scores *within each output row* (Sun et al., ICLR
2024, section 3: per-output comparison is what makes LLM pruning work), so
every row of the result has exactly the same sparsity. ``amount`` follows the
package's convention, applied to each row: an ``int`` counts the entries each
row loses, a ``float`` in [0, 1] is a fraction of ``in_features``, rounded as
``round(amount * in_features)``. With ``n`` and ``m`` the target is N:M
instead: ``n`` kept in every ``m`` consecutive inputs, as in
:func:`~hwprune_edu.pruning.nm_mask`.

>>> RowTarget.resolve(0.5, None, None, 8)
RowTarget(prune_per_row=4, n=None, m=None)
>>> smallest_per_row(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 0.0]]), 1).tolist()
[[False, True, False], [True, False, False]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwprune_edu.util.validation import check_int, resolve_amount


@dataclass(frozen=True)
class RowTarget:
    """Either ``prune_per_row`` entries of every row, or N:M (``n`` kept of every ``m``) along the input axis."""

    prune_per_row: int | None
    n: int | None
    m: int | None

    @property
    def is_nm(self) -> bool:
        return self.m is not None

    @classmethod
    def resolve(cls, amount, n, m, in_features: int) -> RowTarget:
        """Check ``amount`` xor ``(n, m)`` and turn it into a per-row target for rows of ``in_features``."""
        if n is None and m is None:
            if amount is None:
                raise TypeError("amount is required (an int count or float fraction per row) unless n and m are given")
            return cls(resolve_amount(amount, in_features), None, None)
        if n is None or m is None:
            raise TypeError(f"n and m go together (keep n of every m inputs), got n={n!r}, m={m!r}")
        if amount is not None:
            raise ValueError(
                f"give either amount (unstructured, per row) or n and m (N:M), not both; got amount={amount!r}, "
                f"n={n!r}, m={m!r} (an N:M pattern fixes the sparsity at 1 - n/m)"
            )
        m = check_int(m, name="m", minimum=1)
        n = check_int(n, name="n", minimum=0)
        if n > m:
            raise ValueError(f"n must be <= m (keep n of every m inputs), got n={n} > m={m}")
        if in_features % m:
            raise ValueError(
                f"in_features = {in_features} must be a multiple of m={m} to form {n}:{m} groups along the input "
                "dimension"
            )
        return cls(None, n, m)


def smallest_per_row(scores: np.ndarray, k: int) -> np.ndarray:
    """Boolean ``(rows, cols)`` mask, True at the ``k`` smallest scores of every row (ties: earlier column first)."""
    rows, cols = scores.shape
    selected = np.zeros((rows, cols), dtype=bool)
    if k <= 0:
        return selected
    if k >= cols:
        selected[:] = True
        return selected
    # A stable sort keeps equal scores in column order, so the earlier one is selected first.
    order = np.argsort(scores, axis=1, kind="stable")[:, :k]
    np.put_along_axis(selected, order, True, axis=1)
    return selected
