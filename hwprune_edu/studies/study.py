"""The honest comparison on MNIST-1D: every method, at every budget, on two targets, two models, several seeds.

:func:`run_study` trains each model per seed, then in every reachable
(model, profile, budget) cell prunes it four ways with the *same* fine-tune
budget (``StudySettings.finetune_epochs`` epochs of optimiser steps on the
returned model; NetAdapt's short fine-tunes come on top, and the table says
so): latency-matched uniform channel pruning, global magnitude pruning at the
global method's parameter count, the NetAdapt loop, and the global method
(the default of :func:`~hwprune_edu.studies.search.hardware_aware_prune`).
Dense and unstructured 90 % run once per model and seed. Then it prunes the
MLP for each of three platforms at one budget and simulates every result on
every platform (the specialisation table). Everything simulated is a
simulator output; measured times are medians over interleaved rounds here.

``benchmarks/bench_hw_aware.py --write notebooks/data/hw_aware_mnist1d.json``
is the one command that regenerates the results notebook 04 reads.

>>> StudySettings.quick().seeds
(0,)
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from hwprune_edu.hardware import PROFILES, simulate
from hwprune_edu.nn import count_parameters, fixed_threads, layer_widths, make_masks_permanent, measure_latency
from hwprune_edu.nn import workload_from_model
from hwprune_edu.nn.data import evaluate, load_mnist1d, mlp, mnist1d_cnn, progress_bar, steps_per_epoch, train
from hwprune_edu.studies.allocation import meets
from hwprune_edu.studies.arguments import SEED_MAX, check_budget, check_choice, check_flag
from hwprune_edu.studies.search import global_magnitude_prune, hardware_aware_prune, latency_floor, uniform_channel_prune
from hwprune_edu.studies.study_results import Study, StudyRun, Unreachable
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["StudySettings", "MODELS", "build_model", "trained_dense", "run_study", "combine"]

#: The study's models, by name: what they are, for the tables.
MODELS = {
    "mlp": "MLP 40-1024-1024-10",
    "cnn": "1-D CNN: Conv2d (1, 5) kernels, 32-64-128 channels, lengths 40-20-10, Linear 1280-10",
}


def build_model(name: str, seed: int) -> Any:
    """A fresh, untrained model of :data:`MODELS` for MNIST-1D.

    >>> build_model("cnn", 0)[1].kernel_size
    (1, 5)
    """
    name = check_choice(name, list(MODELS), name="name")
    seed = check_int(seed, name="seed", minimum=0, maximum=SEED_MAX)
    if name == "mlp":
        return mlp(40, (1024, 1024), 10, seed=seed)
    return mnist1d_cnn((32, 64, 128), seed=seed)


@dataclass(frozen=True)
class StudySettings:
    """What :func:`run_study` runs: models, targets, budgets, seeds, epochs, timing.

    Attributes:
        models, profiles, budgets, seeds: the grid of cells.
        epochs: dense training epochs per model name.
        finetune_epochs: every method's fine-tune budget, in epochs.
        netadapt_steps: NetAdapt's short fine-tune per proposal, in steps.
        batch: batch size simulated and measured.
        specialisation_profiles, specialisation_budget, specialisation_batch: the specialisation runs (the MLP);
            a batch where launch overheads leave gpu-ampere's budget reachable.
        measure: measure latency here; ``rounds`` x ``repeats`` timed passes.
        n_samples: MNIST-1D signals generated per seed.
    """

    models: tuple[str, ...] = ("mlp", "cnn")
    profiles: tuple[str, ...] = ("npu-systolic", "cpu-avx2")
    budgets: tuple[float, ...] = (0.3, 0.5, 0.7)
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: tuple[tuple[str, int], ...] = (("mlp", 15), ("cnn", 8))
    finetune_epochs: int = 3
    netadapt_steps: int = 20
    batch: int = 256
    specialisation_profiles: tuple[str, ...] = ("npu-systolic", "cpu-avx2", "gpu-ampere")
    specialisation_budget: float = 0.5
    specialisation_batch: int = 4096
    measure: bool = True
    rounds: int = 3
    repeats: int = 10
    n_samples: int = 10_000

    def __post_init__(self) -> None:
        # Checked when made, so a study fails here and not an hour in, at its last cell.
        def names(field: str, check: Callable[[Any, str], Any], *, empty_ok: bool = False) -> tuple:
            values = getattr(self, field)
            if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)):
                raise TypeError(f"{field} must be a tuple, got {describe(values)}")
            if not values and not empty_ok:
                raise ValueError(f"{field} must not be empty")
            checked = tuple(check(v, f"{field}[{i}]") for i, v in enumerate(values))
            if len(set(checked)) != len(checked):
                raise ValueError(f"{field} must not repeat a value, got {list(checked)}")
            return checked

        def profile(value: Any, name: str) -> str:
            return check_choice(value, list(PROFILES), name=name)

        set_ = lambda field, value: object.__setattr__(self, field, value)  # noqa: E731 - frozen dataclass
        set_("models", names("models", lambda v, n: check_choice(v, list(MODELS), name=n)))
        set_("profiles", names("profiles", profile, empty_ok=True))
        set_("budgets", names("budgets", lambda v, n: check_budget(v, name=n)))
        set_("seeds", names("seeds", lambda v, n: check_int(v, name=n, minimum=0, maximum=SEED_MAX)))
        set_("specialisation_profiles", names("specialisation_profiles", profile, empty_ok=True))
        epochs = self.epochs
        if isinstance(epochs, Mapping):
            epochs = tuple(epochs.items())
        if isinstance(epochs, (str, bytes)) or not isinstance(epochs, (tuple, list)) or not all(
                isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in epochs):
            raise TypeError(f"epochs must be (model name, epochs) pairs, e.g. (('mlp', 15),), got {describe(self.epochs)}")
        epochs = tuple((check_choice(m, list(MODELS), name="epochs"), check_int(e, name=f"epochs[{m!r}]", minimum=0))
                       for m, e in epochs)
        missing = [m for m in self.models if m not in dict(epochs)]
        if missing:
            raise ValueError(f"epochs must give the dense training epochs of every model, missing {missing}")
        set_("epochs", epochs)
        set_("finetune_epochs", check_int(self.finetune_epochs, name="finetune_epochs", minimum=1))
        set_("netadapt_steps", check_int(self.netadapt_steps, name="netadapt_steps", minimum=0))
        set_("batch", check_positive_int(self.batch, name="batch"))
        set_("specialisation_budget", check_budget(self.specialisation_budget, name="specialisation_budget"))
        set_("specialisation_batch", check_positive_int(self.specialisation_batch, name="specialisation_batch"))
        set_("measure", check_flag(self.measure, name="measure"))
        set_("rounds", check_positive_int(self.rounds, name="rounds"))
        set_("repeats", check_positive_int(self.repeats, name="repeats"))
        n_samples = check_positive_int(self.n_samples, name="n_samples")
        if n_samples % 10 or n_samples < 50:  # load_mnist1d's own rule, checked here before any run starts
            raise ValueError(f"n_samples must be a multiple of 10 and >= 50 (balanced classes), got {n_samples}")
        set_("n_samples", n_samples)

    @classmethod
    def quick(cls, **changes: Any) -> "StudySettings":
        """A seconds-long setting for tests: one seed, one budget, tiny training."""
        quick = {"models": ("mlp",), "profiles": ("cpu-avx2",), "budgets": (0.5,), "seeds": (0,),
                 "epochs": (("mlp", 1), ("cnn", 1)), "finetune_epochs": 1, "netadapt_steps": 2,
                 "specialisation_profiles": ("cpu-avx2",), "rounds": 1, "repeats": 2, "n_samples": 500}
        return cls(**{**quick, **changes})


def trained_dense(name: str, seed: int, settings: StudySettings) -> tuple[Any, Any]:
    """``(data, dense)``: MNIST-1D's splits for ``seed`` and the dense ``name`` model trained on them.

    What :func:`run_study` starts every block of cells from (and ``benchmarks/bench_global_variants.py``, so its
    variants prune the same dense models): ``settings.n_samples`` signals, ``settings.epochs`` epochs, seeded.
    Call it with torch threads fixed (``run_study`` runs on one).

    >>> data, dense = trained_dense("mlp", 0, StudySettings.quick())
    >>> data.n_features, data.n_classes, 0 < evaluate(dense, data) <= 1
    (40, 10, True)
    """
    if not isinstance(settings, StudySettings):
        raise TypeError(f"settings must be a StudySettings, got {describe(settings)}")
    dense = build_model(name, seed)  # checks name and seed
    epochs = dict(settings.epochs)
    if name not in epochs:
        raise ValueError(f"settings.epochs must give the dense training epochs of {name!r}, got {settings.epochs}")
    data = load_mnist1d(int(seed), n_samples=settings.n_samples)
    train(dense, data, epochs=epochs[name], seed=int(seed), progress=False, num_threads=None)
    return data, dense


def _run(model_name: str, profile: str | None, budget: float | None, seed: int, method: str, model: Any, data: Any,
         batch: int, dense_s: dict[str, float] | None, seconds: float, steps: int) -> StudyRun:
    sim = {p: simulate(workload, p).latency_s for workload in [workload_from_model(model, None, batch)] for p in PROFILES}
    ratio = None if profile is None or dense_s is None else sim[profile] / dense_s[profile]
    return StudyRun(model_name, profile, budget, seed, method, evaluate(model, data), count_parameters(model), sim,
                    ratio, seconds, steps, layer_widths(model), None, batch)


def _timed(run: Callable[[], tuple[Any, list]]) -> tuple[Any, list, float]:
    start = time.perf_counter()
    model, history = run()
    return model, history, time.perf_counter() - start


def _measure(runs: list[StudyRun], models: list[Any], settings: StudySettings) -> list[StudyRun]:
    """Measured latency of each model here: interleaved rounds, masks folded in, median of medians."""
    plain = [make_masks_permanent(m) for m in models]
    samples: list[list[float]] = [[] for _ in plain]
    for _ in range(settings.rounds):
        for i, model in enumerate(plain):
            samples[i].append(measure_latency(model, settings.batch, repeats=settings.repeats, warmup=2))
    return [dataclasses.replace(r, measured_latency_s=statistics.median(s)) for r, s in zip(runs, samples)]


def run_study(settings: StudySettings | None = None, *, progress: bool = True,
              log: Callable[[str], None] | None = None) -> Study:
    """Run the honest comparison of :mod:`hwprune_edu.studies.study` (minutes; see ``benchmarks/bench_hw_aware.py``).

    Args:
        settings: what to run (default :class:`StudySettings`).
        progress: show a bar over (seed, model) blocks.
        log: called with one line per finished run (the benchmark prints them), or ``None``.

    Returns:
        A :class:`~hwprune_edu.studies.study_results.Study`.
    """
    settings = StudySettings() if settings is None else settings
    if not isinstance(settings, StudySettings):
        raise TypeError(f"settings must be a StudySettings, got {describe(settings)}")
    progress = check_flag(progress, name="progress")
    if log is not None and not callable(log):
        raise TypeError(f"log must be a function of one line of text, or None, got {describe(log)}")
    epochs = dict(settings.epochs)
    ft = settings.finetune_epochs
    runs: list[StudyRun] = []
    unreachable: dict[tuple, Unreachable] = {}
    special: list[StudyRun] = []
    say = log or (lambda line: None)
    blocks = [(seed, name) for seed in settings.seeds for name in settings.models]
    with fixed_threads(1):
        for seed, name in progress_bar(blocks, progress=progress, desc="study", unit="model"):
            data, dense = trained_dense(name, seed, settings)
            budget_steps = ft * steps_per_epoch(data)
            dense_run = _run(name, None, None, seed, "dense", dense, data, settings.batch, None, 0.0, 0)
            dense_s = dict(dense_run.sim_latency_s)
            block_runs, block_models = [dense_run], [dense]
            common = {"seed": seed, "progress": False, "num_threads": None}
            sparse, _, s = _timed(lambda: global_magnitude_prune(dense, data, 0.9, final_epochs=ft, **common))
            block_runs.append(_run(name, None, None, seed, "unstructured_90", sparse, data, settings.batch, None, s,
                                   budget_steps))
            block_models.append(sparse)
            say(f"seed {seed} {name}: dense {100 * dense_run.accuracy:.2f} %, unstructured_90 "
                f"{100 * block_runs[-1].accuracy:.2f} %")
            for profile in settings.profiles:
                floor = latency_floor(dense, profile, batch=settings.batch)  # shapes only: once per profile
                for budget in settings.budgets:
                    if not meets(floor, budget):  # what the searches refuse, with the same rounding slack
                        unreachable[(name, profile, budget)] = Unreachable(name, profile, budget, floor)
                        continue
                    cell = (name, profile, budget, seed)
                    uniform, _, s = _timed(lambda: uniform_channel_prune(dense, data, profile, budget,
                                                                         batch=settings.batch, final_epochs=ft, **common))
                    results = [("uniform_channel", uniform, s, budget_steps)]
                    best, history, s = _timed(lambda: hardware_aware_prune(dense, data, profile, budget,
                                                                           batch=settings.batch, final_epochs=ft,
                                                                           **common))
                    results.append(("global", best, s, history[-1].finetune_steps))
                    greedy, history, s = _timed(lambda: hardware_aware_prune(
                        dense, data, profile, budget, method="netadapt", batch=settings.batch, final_epochs=ft,
                        finetune_steps=settings.netadapt_steps, **common))
                    iterations = sum(h.stage == "step" for h in history)
                    results.append(("netadapt", greedy, s, budget_steps + iterations * settings.netadapt_steps))
                    magnitude, _, s = _timed(lambda: global_magnitude_prune(
                        dense, data, target_params=count_parameters(best), final_epochs=ft, **common))
                    results.append(("global_magnitude", magnitude, s, budget_steps))
                    for method, model, seconds, steps in results:
                        block_runs.append(_run(*cell[:3], seed, method, model, data, settings.batch, dense_s, seconds,
                                               steps))
                        block_models.append(model)
                    say(f"seed {seed} {name} {profile} {budget:g}: " + ", ".join(
                        f"{r.method} {100 * r.accuracy:.2f} % ({r.latency_ratio:.3f}, {r.search_s:.1f} s)"
                        for r in block_runs[-4:]))
            if settings.measure:
                block_runs = _measure(block_runs, block_models, settings)
            runs += block_runs
            if name == "mlp" and settings.specialisation_profiles:
                special += _specialise(dense, data, seed, settings, ft, say)
    recorded = {"batch": settings.batch, "finetune_epochs": ft, "netadapt_steps": settings.netadapt_steps,
                "epochs": epochs, "seeds": list(settings.seeds), "model_names": {m: MODELS[m] for m in settings.models},
                "specialisation_model": "mlp", "specialisation_budget": settings.specialisation_budget,
                "specialisation_batch": settings.specialisation_batch, "n_samples": settings.n_samples,
                "unstructured_percent": 90}
    return Study(tuple(runs), tuple(unreachable.values()), tuple(special), recorded)


def _specialise(dense: Any, data: Any, seed: int, settings: StudySettings, ft: int,
                say: Callable[[str], None]) -> list[StudyRun]:
    batch, budget = settings.specialisation_batch, settings.specialisation_budget
    out = [_run("mlp", None, None, seed, "dense", dense, data, batch, None, 0.0, 0)]
    dense_s = dict(out[0].sim_latency_s)
    for profile in settings.specialisation_profiles:
        model, history, s = _timed(lambda: hardware_aware_prune(dense, data, profile, budget, batch=batch,
                                                                final_epochs=ft, seed=seed, progress=False,
                                                                num_threads=None))
        out.append(_run("mlp", profile, budget, seed, "global", model, data, batch, dense_s, s,
                        history[-1].finetune_steps))
    say(f"seed {seed} specialisation: " + ", ".join(f"{r.profile} {r.widths}" for r in out[1:]))
    return out


def combine(studies: Sequence[Study]) -> Study:
    """One study from several (e.g. one per model, run in parallel processes); settings merged, runs in order.

    >>> combine([Study((), (), (), {"batch": 256}), Study((), (), (), {"seeds": [0]})]).settings
    {'batch': 256, 'seeds': [0]}
    """
    if isinstance(studies, (str, bytes, Study)) or not isinstance(studies, Sequence):
        raise TypeError(f"studies must be a list of Study, got {describe(studies)}")
    for i, study in enumerate(studies):
        if not isinstance(study, Study):
            raise TypeError(f"studies[{i}] must be a Study (what run_study() returns), got {describe(study)}")
    settings: dict[str, Any] = {}
    for study in studies:
        for key, value in study.settings.items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
    return Study(tuple(r for s in studies for r in s.runs), tuple(u for s in studies for u in s.unreachable),
                 tuple(r for s in studies for r in s.specialisation), settings)
