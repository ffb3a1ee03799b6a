"""What the course's experiments return: plain, frozen, torch-free records that print, render and plot.

The runners (:mod:`hwprune_edu.studies.comparison`, :mod:`~hwprune_edu.studies.sweeps`,
:mod:`~hwprune_edu.studies.search`) train and time with torch; what they return
lives here, so pictures and reports import these types without importing torch:

* the method comparison: :class:`MethodResult`, :class:`Comparison`,
  :class:`Measurement`, :class:`ParetoPoint`, :class:`BudgetPoint` and
  :func:`pareto_front`;
* the granularity sweeps: :class:`SweepPoint`, :class:`SweepTable`,
  :class:`LatencyRow`, :class:`LatencyTable` (defined in :mod:`~hwprune_edu.studies.sweep_results`);
* the searches' records: :class:`SearchStep` with its :class:`Proposal`,
  :class:`UniformCut`, :class:`MagnitudeCut`, and :func:`history_table`.

A model a result was made from may ride along (``MethodResult.model``), but
nothing here touches it.

>>> pareto_front(latencies=[1.0, 0.5, 0.45], accuracies=[0.97, 0.975, 0.96]).tolist()  # dense is beaten
[False, True, True]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import simulate
from hwprune_edu.studies.arguments import check_hardware, checked
from hwprune_edu.studies.sweep_results import LatencyRow, LatencyTable, SweepPoint, SweepTable  # noqa: F401 - re-exported
from hwprune_edu.studies.targets import TargetReport, check_targets
from hwprune_edu.util.tables import format_columns, format_si, html_table
from hwprune_edu.util.validation import as_weights, describe

__all__ = [
    "pareto_front",
    "MethodResult",
    "Measurement",
    "ParetoPoint",
    "BudgetPoint",
    "Comparison",
    "SweepPoint",
    "SweepTable",
    "LatencyRow",
    "LatencyTable",
    "Proposal",
    "AllocationCandidate",
    "SearchStep",
    "UniformCut",
    "MagnitudeCut",
    "history_table",
]


def pareto_front(latencies: Any, accuracies: Any) -> np.ndarray:
    """Which points no other point beats: nothing else is at most as slow *and* at least as accurate, one strictly.

    Args:
        latencies: one latency per point (lower is better).
        accuracies: one accuracy per point (higher is better).

    Returns:
        A boolean array, ``True`` for points on the Pareto front. Equal points are both on it.

    >>> pareto_front([1.0, 0.5, 0.5, 0.8], [0.97, 0.96, 0.95, 0.95]).tolist()
    [True, True, False, False]
    """
    latency = as_weights(latencies, name="latencies", ndim=1)
    accuracy = as_weights(accuracies, name="accuracies", ndim=1)
    if latency.shape != accuracy.shape:
        raise ValueError(f"accuracies must have one value per latency ({latency.size}), got {accuracy.size}")
    if (latency < 0).any():
        raise ValueError(f"latencies must be >= 0 (seconds), got a minimum of {latency.min()!r}")
    # dominated[i, j]: point j is no worse than point i on both axes and better on one.
    no_worse = (latency[None, :] <= latency[:, None]) & (accuracy[None, :] >= accuracy[:, None])
    better = (latency[None, :] < latency[:, None]) | (accuracy[None, :] > accuracy[:, None])
    return ~(no_worse & better).any(axis=1)


# --------------------------------------------------------------------------- the method comparison


@dataclass(frozen=True)
@checked
class MethodResult:
    """One row of the comparison: a pruned (or dense) model and what it costs.

    Attributes:
        name: row name, e.g. ``"hw_aware_npu-systolic"``.
        kind: ``"dense"``, ``"unstructured"``, ``"uniform"`` or ``"hw-aware"``.
        target: the profile the method pruned for (``None`` for dense and unstructured).
        accuracy: test accuracy, a fraction in [0, 1].
        params: parameters that remain (masked weights don't count).
        sim_latency_s: simulated latency of one batch, per profile name, in seconds.
        measured_latency_s: median measured latency of one batch here, or ``None`` if not measured.
        search_s: wall time of the pruning (search and fine-tune), 0 for dense.
        widths: units of each prunable layer, by layer index.
        history: the pruning run's records (:class:`SearchStep`, :class:`UniformCut` or :class:`MagnitudeCut`).
        workload: the simulator's layers of the model at the comparison's batch (what ``sim_latency_s`` costs).
        model: the ``torch`` model itself (held, never used here).
    """

    name: str
    kind: str
    target: str | None
    accuracy: float
    params: int
    sim_latency_s: Mapping[str, float]
    measured_latency_s: float | None
    search_s: float
    widths: Mapping[int, int]
    history: tuple = field(default=(), repr=False, compare=False)
    workload: tuple = field(default=(), repr=False, compare=False)
    model: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON fields of a row: ``accuracy``, ``params``, ``sim_latency_s``, ``measured_latency_s``, ``search_s``.

        >>> MethodResult("dense", "dense", None, 0.97, 10, {"cpu-avx2": 1e-3}, None, 0.0, {}).as_dict()
        {'accuracy': 0.97, 'params': 10, 'sim_latency_s': {'cpu-avx2': 0.001}, 'measured_latency_s': None, 'search_s': 0.0}
        """
        return {
            "accuracy": self.accuracy,
            "params": self.params,
            "sim_latency_s": dict(self.sim_latency_s),
            "measured_latency_s": self.measured_latency_s,
            "search_s": self.search_s,
        }


@dataclass(frozen=True)
@checked
class Measurement:
    """How the latencies of a comparison were measured: ``rounds`` interleaved rounds of ``repeats`` timed passes.

    >>> Measurement(rounds=5, repeats=10, warmup=3)
    Measurement(rounds=5, repeats=10, warmup=3)
    """

    rounds: int
    repeats: int
    warmup: int = 0


@dataclass(frozen=True)
@checked
class ParetoPoint:
    """One method on an accuracy-vs-simulated-latency plot (see :meth:`Comparison.pareto_points`)."""

    name: str
    kind: str
    sim_latency_s: float
    latency_ratio: float
    accuracy: float
    on_front: bool


@dataclass(frozen=True)
@checked
class BudgetPoint:
    """One structured model of a budget sweep (see :func:`hwprune_edu.studies.comparison.budget_sweep`).

    Attributes:
        budget: the latency budget asked for, a fraction of dense.
        method: ``"hw_aware"`` or ``"uniform_channel"``.
        sim_latency_s: its simulated latency on the sweep's profile.
        latency_ratio: that latency as a fraction of dense.
        accuracy: test accuracy.
        params: parameters that remain.
        widths: units of each prunable layer, by layer index.
    """

    budget: float
    method: str
    sim_latency_s: float
    latency_ratio: float
    accuracy: float
    params: int
    widths: Mapping[int, int]


@dataclass(frozen=True)
@checked
class Comparison:
    """What :func:`~hwprune_edu.studies.comparison.compare_methods` returns: one :class:`MethodResult` per method.

    Print it for the table, show it in Jupyter for HTML, ``to_json()`` for the
    benchmark's JSON, ``check_targets()`` for the course's verdicts,
    ``pareto_points(profile)`` for the Pareto plot. Measuring is a separate
    step (:func:`~hwprune_edu.studies.comparison.measure_comparison`) because
    its numbers vary from run to run.

    Attributes:
        methods: the table's rows by name, dense first.
        uniform_at: uniform channel pruning at the budget on each target
            (the first is ``methods["uniform_channel"]``): the equal-latency reference.
        budget: latency budget as a fraction of dense.
        batch: batch size latencies are simulated and measured at.
        targets: profiles the hardware-aware search ran on.
        profiles: profiles every model is simulated on.
        model_name: e.g. ``"digits MLP 64-1024-1024-10"``.
        num_threads: torch threads for training, search and timing.
        measurement: how latencies were measured (a :class:`Measurement`), or ``None``.

    A hand-made two-row comparison (``compare_methods`` builds real ones):

    >>> def row(name, kind, latency_s, accuracy, measured_s):
    ...     return MethodResult(name, kind, None, accuracy, 10, {"cpu-avx2": latency_s}, measured_s, 1.0, {})
    >>> c = Comparison({"dense": row("dense", "dense", 2e-3, 0.97, 8e-3),
    ...                 "hw_aware_cpu-avx2": row("hw_aware_cpu-avx2", "hw-aware", 1e-3, 0.97, 4e-3)},
    ...                {}, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy", measurement=Measurement(1, 1))
    >>> c.latency_ratio("hw_aware_cpu-avx2", "cpu-avx2"), c.speedup("hw_aware_cpu-avx2")
    (0.5, 2.0)
    >>> [(p.name, p.on_front) for p in c.pareto_points()]
    [('dense', False), ('hw_aware_cpu-avx2', True)]
    >>> list(json.loads(c.to_json())["methods"]["dense"])
    ['accuracy', 'params', 'sim_latency_s', 'measured_latency_s', 'search_s']
    """

    methods: Mapping[str, MethodResult]
    uniform_at: Mapping[str, MethodResult]
    budget: float
    batch: int
    targets: tuple[str, ...]
    profiles: tuple[str, ...]
    model_name: str
    num_threads: int = 1
    measurement: Measurement | None = None

    # ------------------------------------------------------------------ numbers

    @property
    def dense(self) -> MethodResult:
        """The dense row."""
        return self.methods["dense"]

    def row(self, name: str) -> MethodResult:
        """The row of method ``name``; a ValueError lists the methods otherwise."""
        if name not in self.methods:
            raise ValueError(f"name must be one of the methods {list(self.methods)}, got {describe(name)}")
        return self.methods[name]

    def profile(self, profile: Any = None) -> str:
        """The name of a simulated profile (default: the first target); a ValueError lists them otherwise."""
        name = check_hardware(self.targets[0] if profile is None else profile, name="profile").name
        if name not in self.profiles:
            raise ValueError(f"profile must be one of the simulated profiles {list(self.profiles)}, got {describe(profile)}")
        return name

    def latency_ratio(self, name: str, profile: str) -> float:
        """Simulated latency of method ``name`` on ``profile`` as a fraction of the dense model's."""
        row = self.row(name)
        profile = self.profile(profile)
        return row.sim_latency_s[profile] / self.dense.sim_latency_s[profile]

    def speedup(self, name: str) -> float | None:
        """Measured speed-up of method ``name`` over dense (dense time / its time), ``None`` if not measured."""
        row = self.row(name)
        if row.measured_latency_s is None or self.dense.measured_latency_s is None:
            return None
        return self.dense.measured_latency_s / row.measured_latency_s

    def pareto_points(self, profile: Any = None) -> list[ParetoPoint]:
        """One :class:`ParetoPoint` per method on ``profile`` (default: first target), in the table's order."""
        profile = self.profile(profile)
        rows = list(self.methods.values())
        ratios = [self.latency_ratio(row.name, profile) for row in rows]
        front = pareto_front(ratios, [row.accuracy for row in rows])
        return [ParetoPoint(row.name, row.kind, row.sim_latency_s[profile], ratio, row.accuracy, bool(on_front))
                for row, ratio, on_front in zip(rows, ratios, front)]

    def reports(self, profile: Any = None) -> dict[str, Any]:
        """The simulator's per-layer report of every method on ``profile`` (default: first target).

        Returns:
            ``{name: SimulationReport}`` (print one, or draw it with
            :func:`hwprune_edu.viz.simulator.latency_breakdown`).
        """
        profile = self.profile(profile)
        return {name: simulate(list(row.workload), profile) for name, row in self.methods.items()}

    def check_targets(self) -> TargetReport:
        """Every target of the course, MET / MISSED / SKIPPED, with the numbers (see :func:`~hwprune_edu.studies.targets.check_targets`)."""
        return check_targets(self)

    # ------------------------------------------------------------------ rendering

    def as_dict(self) -> dict[str, Any]:
        """``{"methods": {NAME: {"accuracy", "params", "sim_latency_s", "measured_latency_s", "search_s"}}}``."""
        return {"methods": {name: row.as_dict() for name, row in self.methods.items()}}

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`as_dict` as a JSON string: the shape ``bench_hw_aware.py --json`` prints."""
        return json.dumps(self.as_dict(), indent=indent)

    def _header(self) -> str:
        measured = (f"measured with {self.num_threads} torch thread(s), median of {self.measurement.rounds} "
                    f"interleaved rounds" if self.measurement else "not measured")
        return (f"{self.model_name}, batch {self.batch}, budget {self.budget:g}; simulated latency as a fraction of "
                f"dense (dense in brackets); {measured}")

    def _cells(self) -> list[list[str]]:
        rows = []
        for name, row in self.methods.items():
            if name == "dense":
                sims = [f"({format_si(row.sim_latency_s[p], 's')})" for p in self.profiles]
            else:
                sims = [f"{self.latency_ratio(name, p):.3f}" for p in self.profiles]
            speedup = self.speedup(name)
            rows.append([
                name, f"{100 * row.accuracy:.2f}", f"{row.params:,d}", *sims,
                "-" if row.measured_latency_s is None else format_si(row.measured_latency_s, "s"),
                "-" if speedup is None else f"{speedup:.2f}x",
                "-" if row.kind == "dense" else format_si(row.search_s, "s"),
            ])
        return rows

    def _column_names(self) -> list[str]:
        return ["method", "acc %", "params", *self.profiles, "measured", "speed-up", "search"]

    def _footer(self) -> list[str]:
        widths = ", ".join(f"{name} {_widths_text(row.widths)}" for name, row in self.methods.items()
                           if row.kind in ("uniform", "hw-aware"))
        lines = [f"widths: {widths}"]
        for p, row in self.uniform_at.items():
            if row is not self.methods.get("uniform_channel"):
                lines.append(
                    f"reference: uniform channel pruning at budget {self.budget:g} on {p}: {100 * row.accuracy:.2f} %, "
                    f"sim {row.sim_latency_s[p] / self.dense.sim_latency_s[p]:.3f}, widths {_widths_text(row.widths)}"
                )
        return lines

    def __str__(self) -> str:
        names = self._column_names()
        # Search time (it varies run to run) comes last, unpadded, so sanitizing it (nbval) leaves the rest of the
        # line unchanged.
        table = format_columns([names, *self._cells()], right=range(1, len(names) - 1), sep=" ", pad_last=False)
        head, *body = table.split("\n")
        return "\n".join([self._header(), head, "-" * len(head), *body, "", *self._footer()])

    def __repr__(self) -> str:
        return (f"Comparison(methods={list(self.methods)}, budget={self.budget:g}, batch={self.batch}, "
                f"targets={self.targets}, measured={self.measurement is not None})")

    def _repr_html_(self) -> str:
        return html_table(self._column_names(), self._cells(), title=self._header(), notes=self._footer())


def _widths_text(widths: Mapping[int, int]) -> str:
    return "{" + ", ".join(f"{i}: {w}" for i, w in widths.items()) + "}"


# --------------------------------------------------------------------------- the searches' records


@dataclass(frozen=True)
@checked
class Proposal:
    """One candidate of a search step: narrow ``layer`` to ``width`` units, then fine-tune briefly and score.

    >>> Proposal(layer=2, width=768, sim_latency_s=3.5e-5, val_accuracy=0.97).width
    768
    """

    layer: int
    width: int
    sim_latency_s: float
    val_accuracy: float


@dataclass(frozen=True)
@checked
class AllocationCandidate:
    """One allocation a round of the global search tried: its widths, latency and validation accuracy after the round's fine-tune.

    >>> AllocationCandidate("knapsack", {0: 768, 2: 256}, 2.1e-5, 0.71).allocation
    'knapsack'
    """

    allocation: str
    widths: Mapping[int, int]
    sim_latency_s: float
    val_accuracy: float


@dataclass(frozen=True)
@checked
class SearchStep:
    """One record of the hardware-aware search: where it stood after a stage.

    Attributes:
        stage: ``"start"`` (the dense model), ``"step"`` (one NetAdapt iteration), ``"round"`` (one round of the
            global search) or ``"final"`` (after the last fine-tune).
        layer: the layer the step narrowed (``None`` for start, round and final).
        widths: units of each prunable layer, by layer index.
        sim_latency_s: simulated latency on the search's profile, in seconds.
        latency_ratio: that latency as a fraction of dense.
        val_accuracy: validation accuracy (of the winning proposal, for a step).
        proposals: the candidates the step considered (empty for start and final): :class:`Proposal` for a
            NetAdapt step, :class:`AllocationCandidate` for a round.
        allocation: which allocation a round kept (``"knapsack"`` or ``"uniform"``), else ``None``.
        finetune_steps: optimiser steps the kept model has received so far (since the dense model).

    >>> SearchStep("start", None, {0: 8}, 2e-3, 1.0, 0.9).proposals
    ()
    """

    stage: str
    layer: int | None
    widths: Mapping[int, int]
    sim_latency_s: float
    latency_ratio: float
    val_accuracy: float
    proposals: tuple[Proposal | AllocationCandidate, ...] = ()
    allocation: str | None = None
    finetune_steps: int | None = None


@dataclass(frozen=True)
@checked
class UniformCut:
    """The one record of uniform channel pruning: the fraction of units every layer kept, and what it cost.

    Attributes:
        keep_ratio: fraction of units kept in every prunable layer.
        widths: the resulting units of each prunable layer.
        sim_latency_s: simulated latency on the profile it pruned for.
        latency_ratio: that latency as a fraction of dense.
        val_accuracy: validation accuracy after the fine-tune.
    """

    keep_ratio: float
    widths: Mapping[int, int]
    sim_latency_s: float
    latency_ratio: float
    val_accuracy: float


@dataclass(frozen=True)
@checked
class MagnitudeCut:
    """The one record of global magnitude pruning: weights zeroed, parameters left, validation accuracy."""

    pruned_weights: int
    params: int
    val_accuracy: float


def history_table(history: Sequence[SearchStep]) -> str:
    """A search history as a text table: one line per record (stage, layer cut, widths, latency, accuracy).

    Args:
        history: the :class:`SearchStep` records of :func:`hwprune_edu.studies.search.hardware_aware_prune`.

    Returns:
        The table as one string (``print`` it).

    >>> print(history_table([SearchStep("start", None, {0: 8}, 2e-3, 1.0, 0.9),
    ...                      SearchStep("step", 0, {0: 5}, 1.22e-3, 0.61, 0.875)]))
    stage  layer  widths  latency  val acc
    start  -      0:8       1.000  90.00 %
    step   0      0:5       0.610  87.50 %
    """
    if isinstance(history, (str, bytes)) or not isinstance(history, (list, tuple)):
        raise TypeError(f"history must be the list of SearchStep records hardware_aware_prune returns, got {describe(history)}")
    rows = [("stage", "layer", "widths", "latency", "val acc")]
    for step in history:
        if not isinstance(step, SearchStep):
            raise TypeError(f"history must hold SearchStep records (what hardware_aware_prune returns), got {describe(step)}")
        rows.append((
            step.stage,
            step.allocation or ("-" if step.layer is None else str(step.layer)),
            " ".join(f"{i}:{w}" for i, w in step.widths.items()),
            f"{step.latency_ratio:.3f}",
            f"{100 * step.val_accuracy:.2f} %",
        ))
    return format_columns(rows, right=(3, 4))
