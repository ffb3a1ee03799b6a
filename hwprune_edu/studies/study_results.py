"""The honest comparison's results, torch-free: every run of every method, cell, seed; tables, targets, JSON.

A :class:`Study` is what :func:`hwprune_edu.studies.study.run_study` returns
and what ``benchmarks/bench_hw_aware.py --write`` stores: one
:class:`StudyRun` per (model, target profile, budget, seed, method), the
cells no method can reach (with the simulator's floor), and the platform
specialisation runs. Pictures (:mod:`hwprune_edu.viz.comparison`) and
notebook 04 read it without importing torch.

>>> run = StudyRun("mlp", "cpu-avx2", 0.5, 0, "global", 0.75, 1000, {"cpu-avx2": 1e-4}, 0.49, 3.0, 300, {0: 8})
>>> study = Study((run,), (), (), {"batch": 256})
>>> Study.from_json(study.to_json()).runs[0] == run
True
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

from hwprune_edu.studies.arguments import check_flag, checked
from hwprune_edu.studies.targets import PHYSICAL_SPEEDUP_MIN, SEARCH_LIMIT_S, TargetCheck, TargetReport
from hwprune_edu.util.tables import Preformatted, format_columns, format_si
from hwprune_edu.util.validation import describe

__all__ = ["StudyRun", "Unreachable", "Study", "METHOD_ORDER", "CELL_TIE_POINTS", "MEAN_GAIN_POINTS"]

#: The rows of a cell, in the order the tables show them.
METHOD_ORDER = ("uniform_channel", "global_magnitude", "netadapt", "global")
#: The course's bar for the default method, per cell: no worse than latency-matched uniform by more than this
#: (half a point: 10 of MNIST-1D's 2,000 test signals, about half the standard error of a 75 % accuracy there).
CELL_TIE_POINTS = 0.5
#: ... and better on average over the cells by at least this many points.
MEAN_GAIN_POINTS = 1.0


@dataclass(frozen=True)
@checked
class StudyRun:
    """One pruned (or dense) model of the study, with every number measured or simulated for it.

    Attributes:
        model: ``"mlp"`` or ``"cnn"`` (the study's ``model_names`` say what they are).
        profile: the profile it was pruned for (``None`` for dense and unstructured).
        budget: the latency budget (``None`` for dense and unstructured).
        seed: seed of data, initial weights and training.
        method: ``dense``, ``unstructured_90``, ``uniform_channel``, ``global_magnitude``, ``netadapt`` or ``global``.
        accuracy: test accuracy in [0, 1].
        params: parameters left.
        sim_latency_s: simulated latency at the study's batch on every profile (a simulator output).
        latency_ratio: that on ``profile`` over dense's (``None`` without a profile).
        search_s: wall time of the pruning, fine-tunes included.
        finetune_steps: optimiser steps the returned model got after the dense training.
        widths: units of each prunable layer.
        measured_latency_s: median measured forward time here, if measured.
        batch: batch size simulated (and measured).
    """

    model: str
    profile: str | None
    budget: float | None
    seed: int
    method: str
    accuracy: float
    params: int
    sim_latency_s: Mapping[str, float]
    latency_ratio: float | None
    search_s: float
    finetune_steps: int
    widths: Mapping[int, int]
    measured_latency_s: float | None = None
    batch: int = 256

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> "StudyRun":
        """The run back from :meth:`Study.to_json`'s record (layer keys become ints again)."""
        values = dict(record)
        values["widths"] = {int(k): int(v) for k, v in values["widths"].items()}
        return cls(**values)


@dataclass(frozen=True)
@checked
class Unreachable:
    """A (model, profile, budget) cell no allocation reaches: the simulated floor with every prunable layer at 1 unit."""

    model: str
    profile: str
    budget: float
    floor_ratio: float


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def _render(rows: Sequence[Sequence[str]], right: Sequence[int], markdown: bool) -> str:
    """Aligned text columns, or a Markdown table (what the README's figures are pasted from)."""
    if not markdown:
        return format_columns(rows, right=right)
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join("---" for _ in rows[0]) + " |"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])


@dataclass(frozen=True)
@checked
class Study:
    """Every run of the honest comparison, and the tables and target checks made from them.

    Attributes:
        runs: the comparison's runs (dense and unstructured once per model and seed; the rest per cell).
        unreachable: the cells skipped, with their floors.
        specialisation: runs pruned for each profile at the specialisation batch, simulated on every profile.
        settings: how it was run (epochs, fine-tune budget, seeds, batch, model names ...).
    """

    runs: tuple[StudyRun, ...]
    unreachable: tuple[Unreachable, ...]
    specialisation: tuple[StudyRun, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ selection

    def cells(self) -> list[tuple[str, str, float]]:
        """The (model, profile, budget) cells that ran, in order."""
        seen = dict.fromkeys((r.model, r.profile, r.budget) for r in self.runs if r.budget is not None)
        return list(seen)

    def select(self, model: str, profile: str | None, budget: float | None, method: str) -> list[StudyRun]:
        """The runs (one per seed) of one method in one cell."""
        return [r for r in self.runs if (r.model, r.profile, r.budget, r.method) == (model, profile, budget, method)]

    def accuracy(self, model: str, profile: str | None, budget: float | None, method: str) -> tuple[float, float]:
        """Mean and standard deviation over seeds of the test accuracy, in points (%)."""
        return _mean_std([100 * r.accuracy for r in self.select(model, profile, budget, method)])

    def gains(self) -> dict[tuple[str, str, float], float]:
        """Per cell that ran both: mean accuracy of the default method (``global``) minus latency-matched uniform's, in points."""
        return {cell: self.accuracy(*cell, "global")[0] - self.accuracy(*cell, "uniform_channel")[0]
                for cell in self.cells() if self.select(*cell, "global") and self.select(*cell, "uniform_channel")}

    # ------------------------------------------------------------------ tables

    def _row_groups(self):
        """``(model, profile, budget, method, runs)`` in table order: per model, dense and unstructured, then each
        cell's methods (:data:`METHOD_ORDER`); groups without runs are skipped. Every table walks these rows."""
        unstructured = f"unstructured_{self.settings.get('unstructured_percent', 90)}"
        for model in dict.fromkeys(r.model for r in self.runs):
            groups = [(None, None, method) for method in ("dense", unstructured)]
            groups += [(cell[1], cell[2], method) for cell in self.cells() if cell[0] == model for method in METHOD_ORDER]
            for profile, budget, method in groups:
                runs = self.select(model, profile, budget, method)
                if runs:
                    yield model, profile, budget, method, runs

    def table(self) -> str:
        """The comparison, one line per (cell, method): mean +- std over seeds of accuracy, latency, measured, search."""
        seeds = len({r.seed for r in self.runs})
        rows = [("model", "target", "budget", "method", "test acc %", "sim latency / dense (max)", "measured speed-up",
                 "search s", "fine-tune steps")]
        for model, profile, budget, method, runs in self._row_groups():
            mean, std = _mean_std([100 * r.accuracy for r in runs])
            searches = [r.search_s for r in runs]  # unstructured pruning takes time too; dense none
            search = "-" if method == "dense" else f"{statistics.fmean(searches):.1f} (max {max(searches):.1f})"
            if budget is None:  # dense and unstructured: no target, one fine-tune budget
                rows.append((model, "-", "-", method, f"{mean:.2f} +- {std:.2f}", "-", self._measured(runs, model),
                             search, str(runs[0].finetune_steps)))
            else:
                steps = sorted({r.finetune_steps for r in runs})
                rows.append((model, profile, f"{budget:g}", method, f"{mean:.2f} +- {std:.2f}",
                             f"{max(r.latency_ratio for r in runs):.3f}", self._measured(runs, model), search,
                             "/".join(map(str, steps))))
        lines = [f"Test accuracy over {seeds} seeds (mean +- std); latencies simulated at batch "
                 f"{self.settings.get('batch', 256)} on the target (simulator outputs); measured here on one thread.",
                 format_columns(rows, right=(4, 5, 6, 7, 8))]
        for u in self.unreachable:
            lines.append(f"{u.model} on {u.profile} at budget {u.budget:g}: unreachable, the simulated floor with every "
                         f"prunable layer at 1 unit is {u.floor_ratio:.3f} of dense")
        return Preformatted("\n".join(lines))

    def _measured(self, runs: Sequence[StudyRun], model: str) -> str:
        speedups = []
        for r in runs:
            dense = self.select(model, None, None, "dense")
            dense = [d for d in dense if d.seed == r.seed and d.measured_latency_s]
            if r.measured_latency_s and dense:
                speedups.append(dense[0].measured_latency_s / r.measured_latency_s)
        if not speedups:
            return "-"
        mean, std = _mean_std(speedups)
        return f"{mean:.2f}x +- {std:.2f}"

    def gain_table(self) -> str:
        """Per cell: default (global) and uniform mean accuracy, and the gain in points; then the mean gain."""
        rows = [("model", "target", "budget", "global %", "uniform %", "gain (points)")]
        gains = self.gains()
        for cell, gain in gains.items():
            rows.append((cell[0], cell[1], f"{cell[2]:g}", f"{self.accuracy(*cell, 'global')[0]:.2f}",
                         f"{self.accuracy(*cell, 'uniform_channel')[0]:.2f}", f"{gain:+.2f}"))
        mean = statistics.fmean(gains.values()) if gains else float("nan")
        return format_columns(rows, right=(3, 4, 5)) + f"\nmean gain over {len(gains)} cells: {mean:+.2f} points"

    def accuracy_table(self, *, markdown: bool = False) -> str:
        """One row per cell: every pruning's test accuracy (mean +- std over seeds) and global's per-seed gain.

        The last column is the mean +- std over seeds of (global - uniform) in the same seed, which is
        tighter than the difference of the two means when both move with the seed's dense model.

        >>> runs = [StudyRun("mlp", "cpu-avx2", 0.5, seed, method, acc, 1, {"cpu-avx2": 1.0}, 0.5, 1.0, 10, {0: 4})
        ...         for seed, method, acc in [(0, "uniform_channel", 0.70), (0, "global", 0.72),
        ...                                   (1, "uniform_channel", 0.74), (1, "global", 0.75)]]
        >>> print(Study(tuple(runs), (), ()).accuracy_table(markdown=True))
        | model | target | budget | uniform channel | global magnitude | NetAdapt | global (default) | global - uniform |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | mlp | cpu-avx2 | 0.5 | 72.00 +- 2.83 | - | - | 73.50 +- 2.12 | +1.50 +- 0.71 |
        """
        markdown = check_flag(markdown, name="markdown")
        rows = [("model", "target", "budget", "uniform channel", "global magnitude", "NetAdapt", "global (default)",
                 "global - uniform")]
        for cell in self.cells():
            accuracies = []
            for method in METHOD_ORDER:
                runs = self.select(*cell, method)
                accuracies.append("%.2f +- %.2f" % self.accuracy(*cell, method) if runs else "-")
            uniform = {r.seed: r.accuracy for r in self.select(*cell, "uniform_channel")}
            diffs = [100 * (r.accuracy - uniform[r.seed]) for r in self.select(*cell, "global") if r.seed in uniform]
            gain = "%+.2f +- %.2f" % _mean_std(diffs) if diffs else "-"
            rows.append((cell[0], cell[1], f"{cell[2]:g}", *accuracies, gain))
        return _render(rows, range(3, len(rows[0])), markdown)

    def latency_table(self, profiles: Sequence[str] | None = None, *, markdown: bool = False) -> str:
        """One row per (model, target, budget, method): simulated latency on every profile, measured latency, search time.

        Each profile's column is the mean over seeds of the run's simulated latency there over the same seed's
        dense model's (a simulator output; the dense row shows dense's own time instead). ``measured ms`` is the
        mean over seeds of the median forward time measured here (``-`` if not measured); ``search s`` is the mean
        and the maximum over seeds of the pruning's wall time, fine-tunes included.

        Args:
            profiles: the profile columns, in order (default: every profile the runs were simulated on).
            markdown: a Markdown table instead of aligned columns.

        Returns:
            The table, one string.

        >>> dense = StudyRun("mlp", None, None, 0, "dense", 0.76, 9, {"cpu-avx2": 2e-3, "npu-systolic": 4e-5},
        ...                  None, 0.0, 0, {0: 8}, measured_latency_s=0.004)
        >>> cut = StudyRun("mlp", "cpu-avx2", 0.5, 0, "global", 0.75, 4, {"cpu-avx2": 1e-3, "npu-systolic": 3e-5},
        ...                0.5, 12.5, 30, {0: 4}, measured_latency_s=0.002)
        >>> print(Study((dense, cut), (), ()).latency_table())  # doctest: +ELLIPSIS
        Simulated latency at batch 256 on every profile as a fraction of dense ...
        model  target    budget  method  cpu-avx2  npu-systolic  measured ms  search s (mean / max)
        mlp    -         -       dense     (2 ms)       (40 us)         4.00                      -
        mlp    cpu-avx2  0.5     global     0.500         0.750         2.00            12.5 / 12.5
        """
        known = list(dict.fromkeys(p for r in self.runs for p in r.sim_latency_s))
        if profiles is None:
            profiles = known
        elif isinstance(profiles, str) or not isinstance(profiles, Sequence):
            raise TypeError(f"profiles must be a sequence of profile names, got {describe(profiles)}")
        else:
            profiles = list(profiles)
            unknown = [p for p in profiles if p not in known]
            if unknown:
                raise ValueError(f"profiles must be among the runs' profiles {known}, got {unknown}")
        markdown = check_flag(markdown, name="markdown")
        rows = [("model", "target", "budget", "method", *profiles, "measured ms", "search s (mean / max)")]
        for model, profile, budget, method, runs in self._row_groups():
            dense = {r.seed: r for r in self.select(model, None, None, "dense")}
            if method == "dense":
                ratios = [f"({format_si(statistics.fmean(r.sim_latency_s[p] for r in runs), 's')})" for p in profiles]
            else:  # a seed whose dense run is missing (a partial study) has no ratio to show
                paired = [r for r in runs if r.seed in dense]
                ratios = [f"{statistics.fmean(r.sim_latency_s[p] / dense[r.seed].sim_latency_s[p] for r in paired):.3f}"
                          if paired else "-" for p in profiles]
            measured = [r.measured_latency_s for r in runs if r.measured_latency_s]
            searches = [r.search_s for r in runs]
            search = "-" if method == "dense" else f"{statistics.fmean(searches):.1f} / {max(searches):.1f}"
            rows.append((model, profile or "-", "-" if budget is None else f"{budget:g}", method, *ratios,
                         f"{1e3 * statistics.fmean(measured):.2f}" if measured else "-", search))
        table = _render(rows, range(4, len(rows[0])), markdown)
        if markdown:
            return table
        return Preformatted(f"Simulated latency at batch {self.settings.get('batch', 256)} on every profile as a "
                            "fraction of dense (simulator outputs; dense's own in brackets), mean over seeds; measured "
                            "here on one thread (ms); search wall time (s).\n" + table)

    def specialisation_table(self) -> str:
        """Models pruned for each profile (rows), simulated on every profile (columns): latency / that profile's dense."""
        profiles = list(dict.fromkeys(p for r in self.specialisation for p in r.sim_latency_s))
        targets = list(dict.fromkeys(r.profile for r in self.specialisation if r.profile))
        rows = [("pruned for", "test acc %", *profiles)]
        for target in targets:
            runs = [r for r in self.specialisation if r.profile == target]
            cells = [f"{self.specialisation_ratio(target, p):.3f}" for p in profiles]
            rows.append((target, f"{statistics.fmean(100 * r.accuracy for r in runs):.2f}", *cells))
        batch = self.settings.get("specialisation_batch")
        budget = self.settings.get("specialisation_budget")
        return (f"{self.settings.get('specialisation_model', 'mlp')} pruned with the global method at budget {budget} "
                f"(batch {batch}); simulated latency / dense on each profile (simulator outputs), mean over seeds\n"
                + format_columns(rows, right=range(1, len(profiles) + 2)))

    def specialisation_ratio(self, target: str, profile: str) -> float:
        """Mean over seeds of the latency on ``profile`` of the model pruned for ``target``, over dense's there."""
        ratios = []
        for r in (r for r in self.specialisation if r.profile == target):
            dense = [d for d in self.specialisation if d.method == "dense" and d.seed == r.seed]
            ratios.append(r.sim_latency_s[profile] / dense[0].sim_latency_s[profile])
        return statistics.fmean(ratios)

    # ------------------------------------------------------------------ targets

    def check_targets(self) -> TargetReport:
        """The course's targets for the default method, as measured here (see the module constants)."""
        checks = []
        gains = self.gains()
        worst = min(gains.items(), key=lambda item: item[1]) if gains else None
        if worst is not None:
            checks.append(TargetCheck(
                f"global within {CELL_TIE_POINTS} points of uniform or better in every cell",
                "MET" if worst[1] >= -CELL_TIE_POINTS else "MISSED",
                f"worst cell {worst[0][0]} {worst[0][1]} {worst[0][2]:g}: {worst[1]:+.2f} points"))
            mean = statistics.fmean(gains.values())
            checks.append(TargetCheck(f"global better than uniform by >= {MEAN_GAIN_POINTS} point on average",
                                      "MET" if mean >= MEAN_GAIN_POINTS else "MISSED",
                                      f"{mean:+.2f} points over {len(gains)} cells"))
        targeted = [r for r in self.runs if r.budget is not None and r.method != "global_magnitude"]
        over = [r for r in targeted if r.latency_ratio > r.budget * (1 + 1e-9)]
        checks.append(TargetCheck("every latency-targeted run (uniform, NetAdapt, global) meets its budget in simulation",
                                  "MISSED" if over else "MET", f"{len(targeted) - len(over)} of {len(targeted)} runs"))
        searches = [r for r in self.runs if r.method == "global"]
        if searches:
            slowest = max(r.search_s for r in searches)
            # The target is about the default method; NetAdapt's slowest is shown beside it for comparison.
            greedy = [r.search_s for r in self.runs if r.method == "netadapt"]
            beside = f" (NetAdapt, for comparison: slowest {max(greedy):.1f} s)" if greedy else ""
            checks.append(TargetCheck(f"each global search under {SEARCH_LIMIT_S:g} s",
                                      "MET" if slowest < SEARCH_LIMIT_S else "MISSED",
                                      f"slowest {slowest:.1f} s{beside}"))
        checks.append(self._speedup_check())
        return TargetReport(checks)

    def _speedup_check(self) -> TargetCheck:
        name = f"measured speed-up of the global models >= {PHYSICAL_SPEEDUP_MIN}x at budget 0.5 on cpu-avx2"
        speedups = []
        for r in self.runs:
            if r.method == "global" and r.profile == "cpu-avx2" and r.budget == 0.5 and r.measured_latency_s:
                dense = [d for d in self.select(r.model, None, None, "dense") if d.seed == r.seed]
                if dense and dense[0].measured_latency_s:
                    speedups.append((dense[0].measured_latency_s / r.measured_latency_s, r.model))
        if not speedups:
            return TargetCheck(name, "SKIPPED", "not measured")
        low = min(speedups)
        return TargetCheck(name, "MET" if low[0] >= PHYSICAL_SPEEDUP_MIN else "MISSED",
                           f"lowest {low[0]:.2f}x ({low[1]}), over {len(speedups)} models")

    # ------------------------------------------------------------------ storage

    def as_dict(self) -> dict[str, Any]:
        """Plain data: runs, unreachable cells, specialisation runs, settings."""
        return {"runs": [asdict(r) for r in self.runs], "unreachable": [asdict(u) for u in self.unreachable],
                "specialisation": [asdict(r) for r in self.specialisation], "settings": dict(self.settings)}

    def to_json(self, indent: int | None = 1) -> str:
        """:meth:`as_dict` as JSON."""
        return json.dumps(self.as_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> "Study":
        """The study back from :meth:`to_json`."""
        data = json.loads(text)
        return cls(tuple(StudyRun.from_dict(r) for r in data["runs"]),
                   tuple(Unreachable(**u) for u in data["unreachable"]),
                   tuple(StudyRun.from_dict(r) for r in data["specialisation"]), data.get("settings", {}))

    def __str__(self) -> str:
        parts = [self.table(), "", self.latency_table(), "", self.gain_table()]
        if self.specialisation:
            parts += ["", self.specialisation_table()]
        return "\n".join(parts)
