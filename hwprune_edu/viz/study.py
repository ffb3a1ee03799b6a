"""Pictures of the honest comparison (:class:`~hwprune_edu.studies.study_results.Study`): accuracy per cell, specialisation.

:func:`cell_chart` draws, for every (model, target, budget) cell, each
method's mean test accuracy with its spread over seeds; :func:`specialisation_chart`
draws the platform-specialisation table as a heat map. Importing this module
imports matplotlib, not torch.

>>> from hwprune_edu.studies.study_results import Study, StudyRun
>>> runs = tuple(StudyRun("mlp", "cpu-avx2", 0.5, s, m, 0.7 + 0.01 * s, 10, {"cpu-avx2": 1.0}, 0.5, 1.0, 5, {0: 4})
...              for s in (0, 1) for m in ("uniform_channel", "global"))
>>> ax = cell_chart(Study(runs, (), (), {}))
>>> ax.get_ylabel()
'test accuracy % (mean +- std over seeds)'
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from hwprune_edu.studies.study_results import METHOD_ORDER, Study
from hwprune_edu.util.validation import describe
from hwprune_edu.viz.arguments import check_ax

__all__ = ["cell_chart", "specialisation_chart", "METHOD_COLOURS"]

#: One colour per method, the same in both charts: the baselines warm, the hardware-aware methods cool.
METHOD_COLOURS = {"uniform_channel": "tab:orange", "global_magnitude": "tab:red", "netadapt": "tab:cyan",
                  "global": "tab:blue"}


def _check(study: Any) -> Study:
    if not isinstance(study, Study):
        raise TypeError(f"study must be a Study (what run_study() returns or Study.from_json reads), got {describe(study)}")
    return study


def cell_chart(study: Any, *, ax=None):
    """Grouped bars: per (model, target, budget) cell, each method's mean test accuracy, error bars one std over seeds.

    Returns:
        The ``Axes``.
    """
    study = _check(study)
    cells = study.cells()
    ax = check_ax(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(cells) + 2), 3.8))
    methods = [m for m in METHOD_ORDER if any(r.method == m for r in study.runs)]
    width = 0.8 / max(len(methods), 1)
    x = np.arange(len(cells))
    for k, method in enumerate(methods):
        stats = [study.accuracy(*cell, method) if study.select(*cell, method) else (np.nan, 0.0) for cell in cells]
        means, stds = zip(*stats) if stats else ((), ())
        ax.bar(x + (k - (len(methods) - 1) / 2) * width, means, width, yerr=stds, capsize=2, label=method,
               color=METHOD_COLOURS.get(method, "grey"))
    ax.set_xticks(x, [f"{m}\n{p}\n{b:g}" for m, p, b in cells], fontsize=8)
    lows = [study.accuracy(*c, m)[0] for c in cells for m in methods if study.select(*c, m)]
    if lows:
        ax.set_ylim(max(0.0, min(lows) - 5), min(100.0, max(lows) + 3))
    ax.set_ylabel("test accuracy % (mean +- std over seeds)")
    ax.set_title("Same simulated latency budget, same fine-tune budget: accuracy per cell")
    ax.legend(fontsize=8, ncol=len(methods), loc="lower right")
    return ax


def specialisation_chart(study: Any, *, ax=None):
    """Heat map: rows the profile a model was pruned for, columns the profile it is simulated on; latency / dense.

    Returns:
        The ``Axes``.
    """
    study = _check(study)
    ax = check_ax(ax)
    if not study.specialisation:
        raise ValueError("study has no specialisation runs (run_study with specialisation_profiles)")
    targets = list(dict.fromkeys(r.profile for r in study.specialisation if r.profile))
    profiles = list(dict.fromkeys(p for r in study.specialisation for p in r.sim_latency_s))
    grid = np.array([[study.specialisation_ratio(t, p) for p in profiles] for t in targets])
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * len(profiles) + 2, 0.7 * len(targets) + 1.5))
    image = ax.imshow(grid, cmap="viridis_r", vmin=min(0.3, float(grid.min())), vmax=1.0)
    for i in range(len(targets)):
        for j in range(len(profiles)):
            best = grid[i, j] == grid[:, j].min()
            ax.text(j, i, f"{grid[i, j]:.2f}" + ("*" if best else ""), ha="center", va="center",
                    color="white" if grid[i, j] < 0.6 else "black", fontsize=9)
    ax.set_xticks(range(len(profiles)), profiles, rotation=30, ha="right")
    ax.set_yticks(range(len(targets)), [f"pruned for {t}" for t in targets])
    ax.set_title("Simulated latency / dense (simulator output; * = fastest model on that platform)", fontsize=9)
    plt.colorbar(image, ax=ax, fraction=0.04)
    return ax
