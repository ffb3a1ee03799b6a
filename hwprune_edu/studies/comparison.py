"""The comparison experiment: dense vs unstructured vs uniform channel vs hardware-aware pruning, on digits.

One call, :func:`compare_methods`, trains the dense model and builds the
pruned versions issue 5 asks about:

* ``dense``: the trained ``64-1024-1024-10`` MLP (or the model you pass);
* ``unstructured_90``: global magnitude pruning of 90 % of the weights,
  fine-tuned with the masks on (hardware-agnostic; timed on dense kernels);
* ``uniform_channel``: the same fraction of units kept in every layer, the
  fraction chosen to meet the latency budget on the first target
  (hardware-agnostic in *how* it cuts);
* ``hw_aware_<profile>``: the NetAdapt-style search at the same budget, one
  per target profile (the simulator inside the loop).

Each gets its test accuracy, parameter count, simulated latency on every
profile, the wall time of its pruning, and (optionally) its measured latency
on this machine. The result, a :class:`Comparison`, prints as a table, shows
as HTML in Jupyter, serialises to the JSON shape of ``bench_hw_aware.py
--json``, checks the issue's targets (:meth:`Comparison.check_targets`) and
gives the points of an accuracy-vs-simulated-latency Pareto plot.

Importing this module does not import torch; :func:`compare_methods` does.

>>> pareto_front(latencies=[1.0, 0.5, 0.45], accuracies=[0.97, 0.975, 0.96]).tolist()  # dense is beaten
[False, True, True]
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import numbers
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import PROFILES, get_profile
from hwprune_edu.util.tables import format_si
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe

__all__ = [
    "compare_methods",
    "budget_sweep",
    "width_latency_curve",
    "pareto_front",
    "Comparison",
    "MethodResult",
    "TargetCheck",
    "TargetReport",
    "DEFAULT_TARGETS",
    "ACCURACY_LOSS_MAX_POINTS",
    "UNSTRUCTURED_SPEEDUP_BAND",
    "PHYSICAL_SPEEDUP_MIN",
    "SEARCH_LIMIT_S",
]

#: The two profiles issue 5 runs the hardware-aware search on.
DEFAULT_TARGETS = ("npu-systolic", "cpu-avx2")
#: Issue 5: the hardware-aware model loses at most this many points of test accuracy against dense.
ACCURACY_LOSS_MAX_POINTS = 1.0
#: Issue 5: unstructured 90 % on dense kernels runs "about 1x"; this band is what we call about.
UNSTRUCTURED_SPEEDUP_BAND = (0.8, 1.25)
#: Issue 5: the physically pruned model's measured speed-up is at least this.
PHYSICAL_SPEEDUP_MIN = 1.5
#: Issue 5: each search runs in under this many seconds here.
SEARCH_LIMIT_S = 60.0

# Budgets are compared as floats built from sums of simulated times: allow rounding noise.
_RELATIVE_SLACK = 1e-9

# Settings: full (the benchmark's) and quick (tests, `hwprune-edu demo --quick`).
_FULL = {"epochs": 10, "finetune_epochs": 5, "finetune_steps": 30, "rounds": 5, "repeats": 10}
_QUICK = {"epochs": 2, "finetune_epochs": 1, "finetune_steps": 5, "rounds": 1, "repeats": 3}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
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
        history: the search's records (see :func:`hwprune_edu.nn.search.hardware_aware_prune`).
        model: the ``torch`` model itself.
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
    model: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The issue-5 JSON fields: ``accuracy``, ``params``, ``sim_latency_s``, ``measured_latency_s``, ``search_s``.

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
class TargetCheck:
    """One issue-5 target, its verdict and the numbers behind it.

    ``status`` is ``"MET"``, ``"MISSED"`` or ``"SKIPPED"`` (a measured target
    when nothing was measured).

    >>> print(TargetCheck("search under 60 s", "MET", "4.2 s"))
    [MET] search under 60 s: 4.2 s
    """

    target: str
    status: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.status}] {self.target}: {self.detail}"


class TargetReport(tuple):
    """The verdicts of :meth:`Comparison.check_targets`: a tuple of :class:`TargetCheck` that prints as a list.

    >>> report = TargetReport([TargetCheck("a", "MET", "1"), TargetCheck("b", "SKIPPED", "not measured")])
    >>> report.all_met, len(report.missed)
    (True, 0)
    >>> print(report)
    [MET] a: 1
    [SKIPPED] b: not measured
    1 met, 0 missed, 1 skipped
    """

    @property
    def missed(self) -> list[TargetCheck]:
        """The checks whose target was missed."""
        return [check for check in self if check.status == "MISSED"]

    @property
    def all_met(self) -> bool:
        """``True`` when no target was missed (skipped ones don't count against)."""
        return not self.missed

    def _summary(self) -> str:
        counts = {status: sum(check.status == status for check in self) for status in ("MET", "MISSED", "SKIPPED")}
        return f"{counts['MET']} met, {counts['MISSED']} missed, {counts['SKIPPED']} skipped"

    def __str__(self) -> str:
        return "\n".join([str(check) for check in self] + [self._summary()])

    def __repr__(self) -> str:
        return f"TargetReport({self._summary()})"

    def _repr_html_(self) -> str:
        colours = {"MET": "#070", "MISSED": "#b00", "SKIPPED": "#777"}
        rows = "".join(
            f"<tr><td style='color:{colours[c.status]}'><b>{c.status}</b></td><td>{html.escape(c.target)}</td>"
            f"<td>{html.escape(c.detail)}</td></tr>"
            for c in self
        )
        return (
            "<table><thead><tr><th>verdict</th><th>target (issue 5)</th><th>numbers</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><p>{html.escape(self._summary())}</p>"
        )


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
    latency = np.asarray(latencies, dtype=float)
    accuracy = np.asarray(accuracies, dtype=float)
    if latency.ndim != 1 or latency.shape != accuracy.shape:
        raise ValueError(
            f"latencies and accuracies must be 1-D and of the same length, got shapes {latency.shape} and {accuracy.shape}"
        )
    # dominated[i, j]: point j is no worse than point i on both axes and better on one.
    no_worse = (latency[None, :] <= latency[:, None]) & (accuracy[None, :] >= accuracy[:, None])
    better = (latency[None, :] < latency[:, None]) | (accuracy[None, :] > accuracy[:, None])
    return ~(no_worse & better).any(axis=1)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare_methods` returns: one :class:`MethodResult` per method, and how they were made.

    Print it for the table, show it in Jupyter for HTML, ``to_json()`` for the
    benchmark's JSON, ``check_targets()`` for the issue's verdicts,
    ``pareto_points(profile)`` for the Pareto plot. Measuring is a separate
    step (:meth:`with_measurements`) because its numbers vary from run to run.

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
        measurement: ``{"rounds", "repeats", "warmup"}`` if measured, else ``None``.

    A hand-made two-row comparison (``compare_methods`` builds real ones):

    >>> def row(name, kind, latency_s, accuracy, measured_s):
    ...     return MethodResult(name, kind, None, accuracy, 10, {"cpu-avx2": latency_s}, measured_s, 1.0, {})
    >>> c = Comparison({"dense": row("dense", "dense", 2e-3, 0.97, 8e-3),
    ...                 "hw_aware_cpu-avx2": row("hw_aware_cpu-avx2", "hw-aware", 1e-3, 0.97, 4e-3)},
    ...                {}, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy", measurement={"rounds": 1})
    >>> c.latency_ratio("hw_aware_cpu-avx2", "cpu-avx2"), c.speedup("hw_aware_cpu-avx2")
    (0.5, 2.0)
    >>> [(p["name"], p["on_front"]) for p in c.pareto_points()]
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
    measurement: Mapping[str, int] | None = None

    # ------------------------------------------------------------------ numbers

    @property
    def dense(self) -> MethodResult:
        """The dense row."""
        return self.methods["dense"]

    def latency_ratio(self, name: str, profile: str) -> float:
        """Simulated latency of method ``name`` on ``profile`` as a fraction of the dense model's."""
        row = self._row(name)
        profile = self._profile(profile)
        return row.sim_latency_s[profile] / self.dense.sim_latency_s[profile]

    def speedup(self, name: str) -> float | None:
        """Measured speed-up of method ``name`` over dense (dense time / its time), ``None`` if not measured."""
        row = self._row(name)
        if row.measured_latency_s is None or self.dense.measured_latency_s is None:
            return None
        return self.dense.measured_latency_s / row.measured_latency_s

    def _row(self, name: str) -> MethodResult:
        if name not in self.methods:
            raise ValueError(f"name must be one of the methods {list(self.methods)}, got {describe(name)}")
        return self.methods[name]

    def _profile(self, profile: Any) -> str:
        name = get_profile(profile).name
        if name not in self.profiles:
            raise ValueError(f"profile must be one of the simulated profiles {list(self.profiles)}, got {describe(profile)}")
        return name

    def pareto_points(self, profile: Any = None) -> list[dict[str, Any]]:
        """One point per method for an accuracy-vs-simulated-latency plot on ``profile`` (default: first target).

        Returns:
            Dicts with ``name``, ``kind``, ``sim_latency_s``, ``latency_ratio``
            (of dense), ``accuracy`` and ``on_front`` (see :func:`pareto_front`),
            in the table's order.
        """
        profile = self._profile(self.targets[0] if profile is None else profile)
        rows = list(self.methods.values())
        ratios = [self.latency_ratio(row.name, profile) for row in rows]
        front = pareto_front(ratios, [row.accuracy for row in rows])
        return [
            {"name": row.name, "kind": row.kind, "sim_latency_s": row.sim_latency_s[profile], "latency_ratio": ratio,
             "accuracy": row.accuracy, "on_front": bool(on_front)}
            for row, ratio, on_front in zip(rows, ratios, front)
        ]

    def reports(self, profile: Any = None) -> dict[str, Any]:
        """The simulator's per-layer report of every method on ``profile`` (default: first target).

        Returns:
            ``{name: SimulationReport}`` (print one, or draw it with
            :func:`hwprune_edu.viz.simulator.latency_breakdown`).
        """
        from hwprune_edu.hardware import simulate
        from hwprune_edu.nn import workload_from_model

        profile = self._profile(self.targets[0] if profile is None else profile)
        return {name: simulate(workload_from_model(row.model, None, self.batch), profile)
                for name, row in self.methods.items()}

    # ------------------------------------------------------------------ measuring

    def with_measurements(self, *, rounds: int = _FULL["rounds"], repeats: int = _FULL["repeats"], warmup: int = 3,
                          progress: bool = False) -> "Comparison":
        """A copy with every method's latency measured here (this one is not changed).

        Models are timed with their masks folded into the weights (what a dense
        kernel runs). Rounds alternate between the models, so a burst of load
        from other processes hits every model alike; each model's figure is
        the median over rounds of the median of ``repeats`` passes.

        Args:
            rounds: interleaved rounds.
            repeats: timed passes per model and round.
            warmup: untimed passes before each round's timing.
            progress: show a ``tqdm.auto`` bar over rounds.

        Returns:
            A new :class:`Comparison` with ``measured_latency_s`` filled in.
        """
        rounds = check_positive_int(rounds, name="rounds")
        repeats = check_positive_int(repeats, name="repeats")
        warmup = check_int(warmup, name="warmup", minimum=0)
        measured = _measure_interleaved({n: r.model for n, r in self.methods.items()}, self.batch, rounds=rounds,
                                        repeats=repeats, warmup=warmup, num_threads=self.num_threads, progress=progress)
        methods = {n: dataclasses.replace(r, measured_latency_s=measured[n]) for n, r in self.methods.items()}
        uniform_at = {p: methods["uniform_channel"] if r is self.methods["uniform_channel"] else r
                      for p, r in self.uniform_at.items()}
        return dataclasses.replace(self, methods=methods, uniform_at=uniform_at,
                                   measurement={"rounds": rounds, "repeats": repeats, "warmup": warmup})

    # ------------------------------------------------------------------ verdicts

    def check_targets(self) -> TargetReport:
        """Every issue-5 target, MET / MISSED / SKIPPED, with the numbers.

        Per target profile: the hardware-aware model meets the budget in
        simulation; loses at most :data:`ACCURACY_LOSS_MAX_POINTS` of test
        accuracy against dense; is at least as accurate as uniform channel
        pruning at the same budget on that profile; its search took under
        :data:`SEARCH_LIMIT_S`; and, if measured, runs at least
        :data:`PHYSICAL_SPEEDUP_MIN` x faster than dense. Plus: unstructured
        pruning on dense kernels runs about 1x (:data:`UNSTRUCTURED_SPEEDUP_BAND`).
        """
        dense = self.dense
        checks = []
        for p in self.targets:
            name = f"hw_aware_{p}"
            row = self.methods[name]
            ratio = self.latency_ratio(name, p)
            checks.append(_verdict(f"{name} meets budget {self.budget:g} on {p} in simulation",
                                   ratio <= self.budget * (1 + _RELATIVE_SLACK), f"{ratio:.3f} of dense"))
            loss = 100 * (dense.accuracy - row.accuracy)
            checks.append(_verdict(
                f"{name} loses <= {ACCURACY_LOSS_MAX_POINTS:g} point of test accuracy vs dense",
                loss <= ACCURACY_LOSS_MAX_POINTS + 1e-9,
                f"dense {100 * dense.accuracy:.2f} % -> {100 * row.accuracy:.2f} % ({-loss:+.2f} points)",
            ))
            uniform = self.uniform_at[p]
            checks.append(_verdict(
                f"{name} at least as accurate as uniform channel pruning at budget {self.budget:g} on {p}",
                row.accuracy >= uniform.accuracy,
                f"{100 * row.accuracy:.2f} % (sim {ratio:.3f}) vs {100 * uniform.accuracy:.2f} % "
                f"(sim {uniform.sim_latency_s[p] / dense.sim_latency_s[p]:.3f})",
            ))
        unstructured = next((r for r in self.methods.values() if r.kind == "unstructured"), None)
        if unstructured is not None:
            low, high = UNSTRUCTURED_SPEEDUP_BAND
            speedup = self.speedup(unstructured.name)
            checks.append(_measured_verdict(
                f"{unstructured.name} on dense kernels: measured speed-up about 1x ({low:g}-{high:g}x)",
                speedup, lambda s: low <= s <= high,
            ))
        for p in self.targets:
            name = f"hw_aware_{p}"
            checks.append(_measured_verdict(f"{name} (physically pruned): measured speed-up >= {PHYSICAL_SPEEDUP_MIN:g}x",
                                            self.speedup(name), lambda s: s >= PHYSICAL_SPEEDUP_MIN))
        for p in self.targets:
            name = f"hw_aware_{p}"
            seconds = self.methods[name].search_s
            checks.append(_verdict(f"{name} search wall time < {SEARCH_LIMIT_S:g} s", seconds < SEARCH_LIMIT_S,
                                   format_si(seconds, "s")))
        return TargetReport(checks)

    # ------------------------------------------------------------------ rendering

    def as_dict(self) -> dict[str, Any]:
        """``{"methods": {NAME: {"accuracy", "params", "sim_latency_s", "measured_latency_s", "search_s"}}}``."""
        return {"methods": {name: row.as_dict() for name, row in self.methods.items()}}

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`as_dict` as a JSON string: the shape ``bench_hw_aware.py --json`` prints (issue 5)."""
        return json.dumps(self.as_dict(), indent=indent)

    def _header(self) -> str:
        measured = (f"measured with {self.num_threads} torch thread(s), median of {self.measurement['rounds']} "
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
        cells = self._cells()
        # Every column but the last is padded; search time (it varies run to run) comes last, unpadded,
        # so sanitizing it (nbval) leaves the rest of the line unchanged.
        sizes = [max(len(r[c]) for r in [names] + cells) for c in range(len(names) - 1)]

        def line(row: list[str]) -> str:
            return " ".join([row[0].ljust(sizes[0])] + [cell.rjust(size) for cell, size in zip(row[1:-1], sizes[1:])]
                            + [row[-1]])

        head = line(names)
        return "\n".join([self._header(), head, "-" * len(head), *map(line, cells), "", *self._footer()])

    def __repr__(self) -> str:
        return (f"Comparison(methods={list(self.methods)}, budget={self.budget:g}, batch={self.batch}, "
                f"targets={self.targets}, measured={self.measurement is not None})")

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(n)}</th>" for n in self._column_names())
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in self._cells())
        footer = "".join(f"<li>{esc(line)}</li>" for line in self._footer())
        return (f"<div><p><b>{esc(self._header())}</b></p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table><ul>{footer}</ul></div>")


def _verdict(target: str, ok: bool, detail: str) -> TargetCheck:
    return TargetCheck(target, "MET" if ok else "MISSED", detail)


def _measured_verdict(target: str, speedup: float | None, ok: Callable[[float], bool]) -> TargetCheck:
    if speedup is None:
        return TargetCheck(target, "SKIPPED", "not measured (measure=False)")
    return _verdict(target, ok(speedup), f"{speedup:.2f}x")


def _widths_text(widths: Mapping[int, int]) -> str:
    return "{" + ", ".join(f"{i}: {w}" for i, w in widths.items()) + "}"


# --------------------------------------------------------------------------- running


def _measure_interleaved(models: Mapping[str, Any], batch: int, *, rounds: int, repeats: int, warmup: int,
                         num_threads: int, progress: bool) -> dict[str, float]:
    from tqdm.auto import tqdm

    from hwprune_edu.nn import make_masks_permanent, measure_latency

    # Time what a dense kernel runs: masks folded into the weights.
    plain = {name: make_masks_permanent(model) for name, model in models.items()}
    samples: dict[str, list[float]] = {name: [] for name in plain}
    for _ in tqdm(range(rounds), desc="measure", unit="round", disable=not progress, leave=False):
        for name, model in plain.items():
            samples[name].append(measure_latency(model, batch, repeats=repeats, warmup=warmup, num_threads=num_threads))
    return {name: statistics.median(values) for name, values in samples.items()}


def width_latency_curve(model: Any, hardware: Any, layer: int, *, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Simulated latency of the whole model as one prunable layer keeps 1, 2, ..., all of its units: the search's lookup table.

    The other layers keep their widths; the next layer's inputs shrink with
    the cut, as in :func:`hwprune_edu.nn.remove_units`. On tiled hardware the
    curve is a staircase: every width inside a tile costs the same.

    Args:
        model: an ``nn.Sequential`` of the supported family (not modified).
        hardware: a profile name or ``Hardware``.
        layer: index of a prunable layer (see :func:`hwprune_edu.nn.prunable_layers`).
        batch: batch size simulated.

    Returns:
        ``(widths, latency_s)``: ``widths`` is ``1 .. current width``, ``latency_s`` the model's latency at each.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> widths, latency_s = width_latency_curve(digits_mlp(hidden=(512,)), "npu-systolic", 0)
    >>> bool(latency_s[256] == latency_s[511]), bool(latency_s[255] < latency_s[256])  # 257 units cost a 2nd tile
    (True, True)
    """
    from hwprune_edu.hardware import simulate
    from hwprune_edu.nn import layer_widths, model_geometry, workload_from_geometry

    widths = layer_widths(model)
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or int(layer) not in widths:
        raise ValueError(f"layer must be the index of a prunable layer, one of {sorted(widths)}, got {describe(layer)}")
    batch = check_positive_int(batch, name="batch")
    hw = get_profile(hardware)
    geometry = model_geometry(model)
    sizes = np.arange(1, widths[int(layer)] + 1)
    latency_s = np.array([simulate(workload_from_geometry(geometry, batch, widths={**widths, int(layer): int(w)}), hw).latency_s
                          for w in sizes])
    return sizes, latency_s


def _check_budget(budget: Any) -> float:
    return check_fraction(budget, name="budget", zero_ok=False, meaning=" (a fraction of the dense model's latency)")


def _check_targets(targets: Any) -> tuple[str, ...]:
    if isinstance(targets, str) or not isinstance(targets, Sequence) or len(targets) == 0:
        raise TypeError(f"targets must be a non-empty sequence of profile names, e.g. ('npu-systolic',), got {describe(targets)}")
    names = tuple(get_profile(t).name for t in targets)
    if len(set(names)) != len(names):
        raise ValueError(f"targets must name each profile once, got {list(names)}")
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise ValueError(f"targets must be profiles of PROFILES (every model is simulated on those), got {unknown}")
    return names


def _setting(value: Any, key: str, quick: bool, *, minimum: int) -> int:
    if value is None:
        return (_QUICK if quick else _FULL)[key]
    return check_int(value, name=key, minimum=minimum)


def _model_name(model: Any) -> str:
    from torch import nn

    linears = [m for m in model if isinstance(m, nn.Linear)]
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    dims = "-".join([str(linears[0].in_features)] + [str(m.out_features) for m in linears]) if linears else ""
    if convs:
        return f"digits CNN conv {'-'.join(str(c.out_channels) for c in convs)}, linear {dims}"
    return f"digits MLP {dims}"


def _check_reachable(model: Any, targets: Sequence[str], budget: float, batch: int) -> None:
    """Fail before any training if a target cannot reach ``budget`` even with every prunable layer at 1 unit."""
    from hwprune_edu.hardware import simulate
    from hwprune_edu.nn import layer_widths, model_geometry, workload_from_geometry

    geometry = model_geometry(model)  # names any layer outside the supported family
    widths = layer_widths(model)
    if not widths:
        raise ValueError("model has no prunable layer: it needs a Linear/Conv2d followed by another one")
    for profile in targets:
        dense_s = simulate(workload_from_geometry(geometry, batch, widths=widths), profile).latency_s
        floor_s = simulate(workload_from_geometry(geometry, batch, widths={i: 1 for i in widths}), profile).latency_s
        if floor_s > budget * dense_s * (1 + _RELATIVE_SLACK):
            raise ValueError(
                f"budget={budget:g} cannot be met on {profile}: the smallest reachable latency is {floor_s:.4g} s, "
                f"{floor_s / dense_s:.3f} of the dense model's {dense_s:.4g} s (every prunable layer at 1 unit); "
                f"ask for a budget >= {math.ceil(floor_s / dense_s * 1000) / 1000:.3f}, or drop {profile} from targets"
            )


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def compare_methods(
    data: Any = None,
    *,
    model: Any = None,
    budget: float = 0.5,
    batch: int = 256,
    targets: Sequence[str] = DEFAULT_TARGETS,
    epochs: int | None = None,
    unstructured_amount: float = 0.9,
    finetune_epochs: int | None = None,
    search_options: Mapping[str, Any] | None = None,
    measure: bool = True,
    rounds: int | None = None,
    repeats: int | None = None,
    num_threads: int = 1,
    progress: bool = True,
    seed: int = 0,
    quick: bool = False,
) -> Comparison:
    """Train a dense model, prune it three ways at one latency budget, simulate (and measure) every result.

    The methods, in order: ``dense``; ``unstructured_<amount %>`` (global
    magnitude, hardware-agnostic); ``uniform_channel`` (same fraction of units
    in every layer, chosen to meet ``budget`` on ``targets[0]``); and
    ``hw_aware_<profile>`` for each target (NetAdapt-style search at
    ``budget``). Every pruned model gets the same ``finetune_epochs`` of final
    fine-tuning. Uniform channel pruning is also run on the other targets, as
    the equal-latency reference of :meth:`Comparison.check_targets`. ``model``
    is not modified.

    Args:
        data: what :func:`hwprune_edu.nn.data.load_digits` returns (loaded with ``seed`` if ``None``).
        model: the dense model to start from (default ``digits_mlp(seed=seed)``);
            trained here for ``epochs`` (pass ``epochs=0`` for a trained one).
        budget: latency budget as a fraction of the dense model's simulated latency, in (0, 1].
        batch: batch size latencies are simulated and measured at.
        targets: profiles to run the hardware-aware search on.
        epochs: dense training epochs (10; 2 if ``quick``).
        unstructured_amount: fraction of weights the unstructured baseline prunes.
        finetune_epochs: final fine-tune of every pruned model (5; 1 if ``quick``).
        search_options: extra keyword arguments for
            :func:`hwprune_edu.nn.search.hardware_aware_prune` (e.g. ``step``, ``round_to``).
        measure: measure latency here (see :meth:`Comparison.with_measurements`).
        rounds, repeats: measuring settings (5 and 10; 1 and 3 if ``quick``).
        num_threads: torch threads for everything, restored afterwards.
            Keep 1 on a shared machine: more threads wait on each other.
        progress: show ``tqdm.auto`` bars (a stage bar and each step's own).
        seed: seed of the data split (if ``data`` is ``None``), initial weights, training and search.
        quick: the reduced setting for tests and ``hwprune-edu demo --quick``:
            fewer epochs, 5 fine-tune steps per search proposal, short timing.

    Returns:
        A :class:`Comparison`.

    Raises:
        ValueError: a budget that cannot be met on a target (naming the smallest
            reachable latency), a model outside the supported family, bad settings.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> c = compare_methods(model=digits_mlp(hidden=(128, 128)), targets=("cpu-avx2",), measure=False,
    ...                     progress=False, quick=True)
    >>> list(c.methods)
    ['dense', 'unstructured_90', 'uniform_channel', 'hw_aware_cpu-avx2']
    >>> c.latency_ratio("hw_aware_cpu-avx2", "cpu-avx2") <= 0.5
    True
    """
    from tqdm.auto import tqdm

    from hwprune_edu.nn.data import Digits, digits_mlp, evaluate, load_digits, train
    from hwprune_edu.hardware import simulate
    from hwprune_edu.nn import copy_model, count_parameters, fixed_threads, layer_widths, workload_from_model
    from hwprune_edu.nn.search import global_magnitude_prune, hardware_aware_prune, uniform_channel_prune

    seed = check_int(seed, name="seed", minimum=0)
    if data is None:
        data = load_digits(seed=seed)
    elif not isinstance(data, Digits):
        raise TypeError(f"data must be what load_digits() returns (a Digits) or None, got {describe(data)}")
    budget = _check_budget(budget)
    batch = check_positive_int(batch, name="batch")
    targets = _check_targets(targets)
    epochs = _setting(epochs, "epochs", quick, minimum=0)
    finetune_epochs = _setting(finetune_epochs, "finetune_epochs", quick, minimum=0)
    rounds = _setting(rounds, "rounds", quick, minimum=1)
    repeats = _setting(repeats, "repeats", quick, minimum=1)
    num_threads = check_positive_int(num_threads, name="num_threads")
    if isinstance(unstructured_amount, bool) or not isinstance(unstructured_amount, numbers.Real) or not (
            0.0 < unstructured_amount < 1.0):
        raise ValueError(f"unstructured_amount must be a fraction in (0, 1), got {describe(unstructured_amount)}")
    if search_options is not None and not isinstance(search_options, Mapping):
        raise TypeError(f"search_options must be a dict of hardware_aware_prune keyword arguments, got {describe(search_options)}")
    options = {"final_epochs": finetune_epochs, "seed": seed, "num_threads": None}
    if quick:
        options["finetune_steps"] = _QUICK["finetune_steps"]
    options.update(search_options or {})
    dense = digits_mlp(seed=seed) if model is None else copy_model(model)
    _check_reachable(dense, targets, budget, batch)
    model_name = _model_name(dense)
    profiles = tuple(PROFILES)
    unstructured_name = f"unstructured_{round(100 * unstructured_amount)}"
    stages = ["train dense", unstructured_name, *(f"uniform {p}" for p in targets), *(f"hw-aware {p}" for p in targets),
              "simulate"]
    common = {"seed": seed, "progress": progress, "num_threads": None}

    with fixed_threads(num_threads):
        bar = tqdm(total=len(stages) + measure, desc="compare", unit="stage", disable=not progress)

        def stage(name: str) -> None:
            bar.set_postfix_str(name)

        stage(stages[0])
        train(dense, data, epochs=epochs, seed=seed, progress=progress, num_threads=None)
        bar.update()
        built: dict[str, tuple[str, str | None, Any, list, float]] = {"dense": ("dense", None, dense, [], 0.0)}

        stage(unstructured_name)
        (sparse, history), seconds = _timed(lambda: global_magnitude_prune(
            dense, data, unstructured_amount, final_epochs=finetune_epochs, **common))
        built[unstructured_name] = ("unstructured", None, sparse, history, seconds)
        bar.update()

        uniform_built = {}
        for p in targets:
            stage(f"uniform {p}")
            (uniform, history), seconds = _timed(lambda: uniform_channel_prune(
                dense, data, p, budget, batch=batch, final_epochs=finetune_epochs, **common))
            uniform_built[p] = ("uniform", p, uniform, history, seconds)
            bar.update()
        built["uniform_channel"] = uniform_built[targets[0]]

        for p in targets:
            stage(f"hw-aware {p}")
            (pruned, history), seconds = _timed(lambda: hardware_aware_prune(
                dense, data, p, budget, batch=batch, progress=progress, **options))
            built[f"hw_aware_{p}"] = ("hw-aware", p, pruned, history, seconds)
            bar.update()

        stage("simulate")

        def result(name: str, entry: tuple) -> MethodResult:
            kind, target, m, history, seconds = entry
            layers = workload_from_model(m, None, batch)  # one forward pass for the shapes, then every profile
            return MethodResult(
                name=name, kind=kind, target=target, accuracy=evaluate(m, data), params=count_parameters(m),
                sim_latency_s={p: simulate(layers, p).latency_s for p in profiles}, measured_latency_s=None,
                search_s=seconds, widths=layer_widths(m), history=tuple(history), model=m,
            )

        methods = {name: result(name, entry) for name, entry in built.items()}
        uniform_at = {p: methods["uniform_channel"] if p == targets[0] else result(f"uniform_channel_{p}", entry)
                      for p, entry in uniform_built.items()}
        bar.update()
        comparison = Comparison(methods=methods, uniform_at=uniform_at, budget=budget, batch=batch, targets=targets,
                                profiles=profiles, model_name=model_name, num_threads=num_threads)
        if measure:
            stage("measure")
            comparison = comparison.with_measurements(rounds=rounds, repeats=repeats, progress=progress)
            bar.update()
        bar.close()
    return comparison


def budget_sweep(
    model: Any,
    data: Any,
    hardware: Any,
    budgets: Sequence[float],
    *,
    batch: int = 256,
    finetune_epochs: int = _FULL["finetune_epochs"],
    search_options: Mapping[str, Any] | None = None,
    num_threads: int = 1,
    progress: bool = True,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Hardware-aware search and uniform channel pruning at several budgets on one profile: more Pareto points.

    Args:
        model: the trained dense model (e.g. ``comparison.dense.model``); not modified.
        data: what :func:`hwprune_edu.nn.data.load_digits` returns.
        hardware: the profile (name or ``Hardware``) both methods prune for.
        budgets: latency budgets, fractions of the dense latency in (0, 1].
        batch, finetune_epochs, search_options, num_threads, progress, seed:
            as in :func:`compare_methods`.

    Returns:
        One dict per (budget, method), ``method`` being ``"hw_aware"`` or
        ``"uniform_channel"``, with ``budget``, ``sim_latency_s``,
        ``latency_ratio``, ``accuracy`` (test), ``params`` and ``widths``.

    >>> from hwprune_edu.nn.data import digits_mlp, load_digits
    >>> points = budget_sweep(digits_mlp(hidden=(64, 64)), load_digits(), "cpu-avx2", [0.5], finetune_epochs=0,
    ...                       search_options={"finetune_steps": 1}, progress=False)
    >>> [(p["method"], p["latency_ratio"] <= 0.5) for p in points]
    [('hw_aware', True), ('uniform_channel', True)]
    """
    from hwprune_edu.nn.data import evaluate
    from hwprune_edu.nn import count_parameters, fixed_threads, layer_widths
    from hwprune_edu.nn.search import hardware_aware_prune, simulated_latency, uniform_channel_prune

    if isinstance(budgets, (str, bytes)) or not isinstance(budgets, Sequence) or len(budgets) == 0:
        raise TypeError(f"budgets must be a non-empty sequence of fractions in (0, 1], got {describe(budgets)}")
    budgets = [_check_budget(b) for b in budgets]
    hw = get_profile(hardware)
    options = {"final_epochs": finetune_epochs, "seed": seed, "num_threads": None, **(search_options or {})}
    points = []
    with fixed_threads(check_positive_int(num_threads, name="num_threads")):
        dense_s = simulated_latency(model, hw, batch=batch)
        for budget in budgets:
            runs = {
                "hw_aware": lambda: hardware_aware_prune(model, data, hw, budget, batch=batch, progress=progress, **options),
                "uniform_channel": lambda: uniform_channel_prune(model, data, hw, budget, batch=batch,
                                                                 final_epochs=finetune_epochs, seed=seed,
                                                                 progress=progress, num_threads=None),
            }
            for method, run in runs.items():
                pruned, _ = run()
                sim_s = simulated_latency(pruned, hw, batch=batch)
                points.append({"budget": budget, "method": method, "sim_latency_s": sim_s, "latency_ratio": sim_s / dense_s,
                               "accuracy": evaluate(pruned, data), "params": count_parameters(pruned),
                               "widths": layer_widths(pruned)})
    return points

