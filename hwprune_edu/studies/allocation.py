"""How many units each layer keeps under a latency budget: per-layer latency tables and an exact knapsack over them.

The global hardware-aware method (:func:`hwprune_edu.studies.halp.halp_prune`,
in the spirit of HALP, Shen et al., NeurIPS 2022) needs two things from
here, both torch-free:

* :func:`latency_tables`: the simulator's latency of every weighted layer as
  a function of its own width *and* its producer's width (a layer's GEMM is
  ``K = producer's units`` by ``N = its units``), on a grid of candidate
  widths. The simulator adds layer latencies, so a model's latency is a sum
  of these pairwise terms along the chain of prunable layers.
* :func:`select_widths`: the widths that maximise the total importance of
  the kept units subject to that sum meeting the budget: a knapsack whose
  items are coupled along a chain, solved exactly by dynamic programming
  (see its docstring for the argument).

:func:`uniform_widths` is the hardware-agnostic allocation (the same fraction
of every layer) that meets a budget; the global method keeps it among its
candidates, and :func:`hwprune_edu.studies.search.uniform_channel_prune` uses it.

>>> values = [np.array([0.0, 5.0, 6.0]), np.array([0.0, 1.0, 9.0])]   # importance of keeping 1, 2, 3 units
>>> costs = [np.array([1, 2, 3]), np.array([[1, 1, 2], [1, 2, 2], [2, 2, 3]])]
>>> select_widths(values, costs, 5).indices   # layer 0 keeps 2 units, layer 1 keeps 3: cost 2 + 2
(1, 2)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import Hardware, get_profile, simulate  # noqa: F401 - get_profile: the doctests use it
from hwprune_edu.nn import workload_from_geometry
from hwprune_edu.studies.targets import BUDGET_SLACK
from hwprune_edu.studies.arguments import check_budget, check_hardware, checked
from hwprune_edu.util.validation import as_weights, check_int, check_number, check_positive_int, describe

__all__ = ["Selection", "LatencyTables", "latency_tables", "select_widths", "brute_force_widths", "candidate_widths",
           "uniform_widths", "meets", "resolve_hardware", "unmeetable"]

# Latency is counted in this many steps of the budget: rounding every term *up* keeps the selection within the
# budget, and loses at most (layers / resolution) of it (0.2 % for three layers).
DEFAULT_RESOLUTION = 2000
# Candidate widths per layer on the grid (plus the tile multiples): 64 keeps a table to 64 x 64 simulations.
GRID_POINTS = 64


def resolve_hardware(hardware: Any, *, name: str = "hardware") -> Hardware:
    """``hardware`` itself if it is a ``Hardware`` profile, else the profile of that name.

    >>> resolve_hardware("cpu-avx2").name
    'cpu-avx2'
    """
    return check_hardware(hardware, name=name)


def unmeetable(hw: Hardware, budget: float, dense_s: float, min_s: float, floor: str) -> ValueError:
    """The error for a budget below the smallest reachable latency ``min_s`` (reached as ``floor`` says).

    >>> print(unmeetable(get_profile("cpu-avx2"), 0.1, 2.0, 0.5, "every layer at 1 unit"))  # doctest: +ELLIPSIS
    latency_budget=0.1 cannot be met on cpu-avx2: the smallest reachable latency is 0.5 s, 0.250 of ... >= 0.250
    """
    hw = resolve_hardware(hw, name="hw")
    budget = check_budget(budget, name="budget")
    dense_s = check_number(dense_s, name="dense_s", low=0, closed="neither")
    min_s = check_number(min_s, name="min_s", low=0, closed="neither")
    if not isinstance(floor, str):
        raise TypeError(f"floor must be a str (how the smallest latency is reached), got {describe(floor)}")
    return ValueError(
        f"latency_budget={budget:g} cannot be met on {hw.name}: the smallest reachable latency is {min_s:.4g} s, "
        f"{min_s / dense_s:.3f} of the dense model's {dense_s:.4g} s ({floor}); "
        f"ask for a budget >= {math.ceil(min_s / dense_s * 1000) / 1000:.3f}"
    )


def meets(latency_s: float, target_s: float) -> bool:
    """Whether a simulated latency meets a target, up to float rounding (:data:`~hwprune_edu.studies.targets.BUDGET_SLACK`).

    >>> meets(1.0, 1.0), meets(1.01, 1.0)
    (True, False)
    """
    latency_s = check_number(latency_s, name="latency_s", allow_inf=True)
    target_s = check_number(target_s, name="target_s", allow_inf=True)
    return latency_s <= target_s * (1 + BUDGET_SLACK)


@dataclass(frozen=True)
@checked
class Selection:
    """The knapsack's answer: one candidate index per layer, the total value and the total (integer) cost."""

    indices: tuple[int, ...]
    value: float
    cost: int


def _check_tables(values: Sequence[Any], costs: Sequence[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if not isinstance(values, Sequence) or not isinstance(costs, Sequence) or len(values) != len(costs) or not values:
        raise ValueError(f"values and costs must be sequences of the same non-zero length, got {describe(values)} "
                         f"and {describe(costs)}")
    vals = [as_weights(v, name=f"values[{k}]", ndim=1).astype(np.float64, copy=False) for k, v in enumerate(values)]
    cost = []
    for k, c in enumerate(costs):
        if c is None or isinstance(c, (str, bytes)):
            raise TypeError(f"costs[{k}] must be an array of non-negative ints, got {describe(c)}")
        cost.append(np.asarray(c))
    for k, (v, c) in enumerate(zip(vals, cost)):
        want = (v.size,) if k == 0 else (vals[k - 1].size, v.size)
        if c.shape != want or c.dtype.kind not in "iu" or (c < 0).any():
            raise ValueError(f"costs[{k}] must be non-negative ints of shape {want}, got {c.dtype} {c.shape}")
    return vals, cost


def select_widths(values: Sequence[Any], costs: Sequence[Any], capacity: int) -> Selection:
    """Choose one candidate per layer to maximise the total value with total cost <= ``capacity``: exact DP.

    ``values[k][j]`` is what keeping candidate ``j`` of layer ``k`` is worth
    (the summed importance of its kept units); ``costs[0][j]`` is layer 0's
    cost at candidate ``j`` and ``costs[k][i, j]`` (k >= 1) the cost of layer
    ``k`` at ``j`` when layer ``k - 1`` is at ``i``: each layer's latency
    depends on its own width and its producer's, so the costs couple
    neighbours along a chain.

    Why it is exact: with integer costs, let ``best[k][j][c]`` be the largest
    value of layers ``0..k`` with layer ``k`` at ``j`` and total cost at most
    ``c``. Then ``best[0][j][c] = values[0][j]`` if ``costs[0][j] <= c``, and
    ``best[k][j][c] = values[k][j] + max_i best[k-1][i][c - costs[k][i, j]]``,
    because given layer ``k - 1``'s choice ``i``, layer ``k`` adds a fixed
    cost and value and nothing before ``k - 1`` interacts with ``k`` (the
    chain's Markov property). Every feasible choice is counted in some
    ``best`` entry and every entry is feasible, so ``max_j best[-1][j][capacity]``
    is the optimum; backtracking the argmax recovers it. Time
    ``O(layers * candidates^2 * capacity)``, vectorised over the last two.

    Args:
        values: one 1-D array of values per layer.
        costs: ``costs[0]`` 1-D; ``costs[k]`` 2-D ``(candidates of k-1, candidates of k)``; non-negative ints.
        capacity: the budget in the same integer units.

    Returns:
        A :class:`Selection`.

    Raises:
        ValueError: malformed tables, or no choice fits ``capacity``.

    >>> select_widths([np.array([1.0, 3.0])], [np.array([1, 4])], 3)
    Selection(indices=(0,), value=1.0, cost=1)
    """
    vals, cost = _check_tables(values, costs)
    capacity = check_int(capacity, name="capacity", minimum=0)
    budgets = np.arange(capacity + 1)
    # best[j, c]: layers so far, last at j, total cost <= c. -inf marks "does not fit".
    best = np.where(cost[0][:, None] <= budgets[None, :], vals[0][:, None], -np.inf)
    parents: list[np.ndarray] = []
    for k in range(1, len(vals)):
        n_prev, n_here = cost[k].shape
        new = np.full((n_here, capacity + 1), -np.inf)
        parent = np.zeros((n_here, capacity + 1), dtype=np.int64)
        for i in range(n_prev):
            remaining = budgets[None, :] - cost[k][i][:, None]          # (n_here, capacity + 1)
            fits = remaining >= 0
            gain = np.where(fits, best[i][np.clip(remaining, 0, None)], -np.inf)
            better = gain > new
            new = np.where(better, gain, new)
            parent = np.where(better, i, parent)
        best = new + vals[k][:, None]
        parents.append(parent)
    last = int(np.argmax(best[:, capacity]))
    if not np.isfinite(best[last, capacity]):
        raise ValueError(f"no choice of candidates fits capacity={capacity}: even the cheapest costs more")
    # Backtrack: at each layer, the parent chosen for the remaining budget.
    chosen, c = [last], capacity
    for k in range(len(vals) - 1, 0, -1):
        j = chosen[-1]
        i = int(parents[k - 1][j, c])
        c -= int(cost[k][i, j])
        chosen.append(i)
    indices = tuple(reversed(chosen))
    return Selection(indices, float(best[last, capacity]), _total_cost(cost, indices))


def _total_cost(cost: Sequence[np.ndarray], indices: Sequence[int]) -> int:
    return int(cost[0][indices[0]]) + sum(int(cost[k][indices[k - 1], indices[k]]) for k in range(1, len(indices)))


def brute_force_widths(values: Sequence[Any], costs: Sequence[Any], capacity: int) -> Selection:
    """:func:`select_widths` by trying every combination: the oracle for tiny instances (exponential).

    Among equal values the lexicographically *largest* indices win, as the DP's tie rule may differ; compare values.

    >>> brute_force_widths([np.array([1.0, 3.0])], [np.array([1, 4])], 3).value
    1.0
    """
    vals, cost = _check_tables(values, costs)
    capacity = check_int(capacity, name="capacity", minimum=0)
    best: Selection | None = None
    for indices in itertools.product(*(range(v.size) for v in vals)):
        total = _total_cost(cost, indices)
        if total <= capacity:
            value = float(sum(v[j] for v, j in zip(vals, indices)))
            if best is None or value > best.value:
                best = Selection(tuple(indices), value, total)
    if best is None:
        raise ValueError(f"no choice of candidates fits capacity={capacity}: even the cheapest costs more")
    return best


def candidate_widths(width: int, hw: Hardware, *, points: int = GRID_POINTS, extra: Sequence[int] = ()) -> np.ndarray:
    """Widths a layer of ``width`` units may keep: an even grid, the tile multiples, 1, ``width`` itself and ``extra``.

    The tile multiples (``hw.channel_multiple``) are where a tiled chip's cost
    steps, so the knapsack can land exactly on an edge where that pays.

    >>> from hwprune_edu.hardware import get_profile
    >>> candidate_widths(1024, get_profile("npu-systolic"), points=4).tolist()
    [1, 256, 512, 768, 1024]
    """
    width = check_positive_int(width, name="width")
    hw = resolve_hardware(hw, name="hw")
    points = check_positive_int(points, name="points")
    if isinstance(extra, (str, bytes)) or not isinstance(extra, (list, tuple, np.ndarray)):
        raise TypeError(f"extra must be a list of widths (ints), got {describe(extra)}")
    extra = [check_int(w, name=f"extra[{i}]") for i, w in enumerate(list(extra))]
    step = max(1, math.ceil(width / points))
    multiple = hw.channel_multiple
    grid = set(range(step, width + 1, step)) | {1, width}
    if width // multiple <= points:  # fine tiles (a CPU's 8 lanes) are already close to the grid's steps
        grid |= set(range(multiple, width + 1, multiple))
    grid |= {int(w) for w in extra if 1 <= int(w) <= width}
    return np.array(sorted(grid), dtype=np.int64)


@dataclass(frozen=True)
@checked
class LatencyTables:
    """Simulated latency of a model as a sum of per-layer tables over candidate widths, on one profile.

    Attributes:
        layers: the prunable layers, in chain order.
        candidates: candidate widths of each (same order).
        unary: ``unary[0]`` the seconds that depend on the first prunable layer's width alone (the layers
            before it and the layer itself); for the last prunable layer, the non-prunable consumer after it
            is folded into the last pair table.
        pairs: ``pairs[k - 1][i, j]`` seconds of layer ``k`` at candidate ``j`` fed by layer ``k - 1`` at ``i``.
        constant_s: seconds that no width changes (layers before the first prunable one's consumer that have no
            prunable producer and are not prunable).
    """

    layers: tuple[int, ...]
    candidates: tuple[np.ndarray, ...]
    unary: np.ndarray
    pairs: tuple[np.ndarray, ...]
    constant_s: float

    def latency_s(self, indices: Sequence[int]) -> float:
        """The model's simulated latency with layer ``k`` at ``candidates[k][indices[k]]``."""
        total = self.constant_s + float(self.unary[indices[0]])
        return total + sum(float(self.pairs[k - 1][indices[k - 1], indices[k]]) for k in range(1, len(indices)))

    def costs(self, budget_s: float, resolution: int = DEFAULT_RESOLUTION) -> tuple[list[np.ndarray], int]:
        """The tables in integer steps of ``budget_s / resolution``, rounded up, and the capacity left for them."""
        unit = budget_s / resolution
        costs = [np.ceil(self.unary / unit - 1e-9).astype(np.int64)]
        costs += [np.ceil(p / unit - 1e-9).astype(np.int64) for p in self.pairs]
        return costs, resolution - math.ceil(self.constant_s / unit - 1e-9)


def latency_tables(geometry: Sequence[Any], batch: int, hw: Hardware, candidates: Mapping[int, np.ndarray]) -> LatencyTables:
    """Per-layer latency tables of a model's geometry on ``hw``: each weighted layer simulated at every width pair.

    Args:
        geometry: what :func:`hwprune_edu.nn.model_geometry` returns.
        batch: samples per forward pass.
        hw: the profile.
        candidates: candidate widths of every prunable layer (by layer index).

    Returns:
        A :class:`LatencyTables`; its ``latency_s`` equals simulating the whole model at those widths.
    """
    if isinstance(geometry, (str, bytes)) or not isinstance(geometry, (list, tuple)) or not geometry:
        raise TypeError(f"geometry must be the non-empty list model_geometry() returns, got {describe(geometry)}")
    batch = check_positive_int(batch, name="batch")
    hw = resolve_hardware(hw, name="hw")
    if not isinstance(candidates, Mapping):
        raise TypeError(f"candidates must be a dict of candidate widths by layer index, got {describe(candidates)}")
    layers = tuple(sorted(candidates))
    if not layers:
        raise ValueError("candidates must name at least one prunable layer")
    # The prunable layers are those whose units feed another: a layer left out would be costed as fixed.
    prunable = sorted({g.producer for g in geometry if getattr(g, "producer", None) is not None})
    if list(layers) != prunable:
        raise ValueError(f"candidates must give the candidate widths of every prunable layer, {prunable}, "
                         f"got layers {list(layers)}")
    position = {layer: k for k, layer in enumerate(layers)}
    cand = tuple(np.asarray(candidates[layer], dtype=np.int64) for layer in layers)
    unary = np.zeros(cand[0].size)
    pairs = [np.zeros((cand[k - 1].size, cand[k].size)) for k in range(1, len(layers))]
    constant_s = 0.0

    def seconds(g: Any, grid: Sequence[Mapping[int, int]]) -> np.ndarray:
        # One simulate call for the whole grid: the per-layer rows are the table.
        layers = [workload_from_geometry([g], batch, widths=widths)[0] for widths in grid]
        return np.array([row.latency_s for row in simulate(layers, hw).layers])

    for g in geometry:
        own = position.get(g.index)
        fed = position.get(g.producer) if g.producer is not None else None
        if own is None and fed is None:
            constant_s += float(seconds(g, [{}])[0])
        elif fed is None:  # a prunable layer fed by the input: only its own width matters
            if own != 0:
                raise ValueError(f"layer {g.index} is prunable but not fed by the previous prunable layer: "
                                 "the tables need a chain of prunable layers")
            unary += seconds(g, [{g.index: int(w)} for w in cand[0]])
        elif own is None:  # the model's last weighted layer: its cost follows its producer's width
            table = seconds(g, [{g.producer: int(w)} for w in cand[fed]])
            if fed == 0:
                unary += table
            else:
                pairs[fed - 1] += table[None, :]
        else:
            if own != fed + 1:
                raise ValueError(f"layer {g.index} is fed by layer {g.producer}, which is not the prunable layer "
                                 "before it: the tables need a chain of prunable layers")
            grid = [{g.producer: int(a), g.index: int(b)} for a in cand[fed] for b in cand[own]]
            pairs[own - 1] += seconds(g, grid).reshape(cand[fed].size, cand[own].size)
    return LatencyTables(layers, cand, unary, tuple(pairs), constant_s)


def uniform_widths(widths: Mapping[int, int], latency_at: Callable[[Mapping[int, int]], float],
                   target_s: float) -> dict[int, int] | None:
    """The same fraction of every layer's units, the largest (in steps of one unit of the widest) that meets ``target_s``.

    Returns:
        The widths, or ``None`` when even one unit per layer misses the target.

    >>> uniform_widths({0: 10, 2: 20}, lambda w: sum(w.values()), 15.0)
    {0: 5, 2: 10}
    """
    if not isinstance(widths, Mapping) or not widths:
        raise TypeError(f"widths must be a non-empty dict of layer widths by layer index, got {describe(widths)}")
    for layer, width in widths.items():
        check_positive_int(width, name=f"widths[{layer!r}]")
    if not callable(latency_at):
        raise TypeError(f"latency_at must be a function of the widths, got {describe(latency_at)}")
    target_s = check_number(target_s, name="target_s", low=0, closed="neither")
    widest = max(widths.values())
    for kept in range(widest, 0, -1):
        ratio = kept / widest
        trial = {i: max(1, round(ratio * w)) for i, w in widths.items()}
        if meets(latency_at(trial), target_s):
            return trial
    return None
