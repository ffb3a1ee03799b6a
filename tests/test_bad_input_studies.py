"""Bad-input table: the upper layers, studies, viz, quiz and what grading exports (see tests/bad_input.py).

The searches and studies train, so every probe here is cheap: a digits MLP with
8 or 16 hidden units, no fine-tune epochs, or a bad value refused before any
training starts (which is what a user wants too: the whole argument list is
checked first).
"""

import argparse
import io
import math
from fractions import Fraction

import matplotlib
import numpy as np
import pytest
import torch
from bad_input import ARRAY, COUNT, FRACTION, INTEGER, NUMBER, POSITIVE, TEXT, Probe, parametrize, run, unusual_numbers

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from hwprune_edu import grading  # noqa: E402
from hwprune_edu.grading.report import Case, Report, Summary  # noqa: E402
from hwprune_edu.hardware import get_profile, linear, simulate  # noqa: E402
from hwprune_edu.nn import model_geometry  # noqa: E402
from hwprune_edu.nn.data import digits_mlp, load_digits  # noqa: E402
from hwprune_edu.nn.language import LMConfig, TinyLM, load_corpus  # noqa: E402
from hwprune_edu.pruning import prune_to  # noqa: E402
from hwprune_edu.quiz import bank, drill, question, text, widgets  # noqa: E402
from hwprune_edu.studies import (  # noqa: E402
    allocation,
    comparison,
    halp,
    llm_costs,
    one_shot,
    one_shot_results,
    results,
    search,
    study,
    study_results,
    sweeps,
    targets,
)
from hwprune_edu.viz import comparison as viz_comparison  # noqa: E402
from hwprune_edu.viz import explorer, masks  # noqa: E402
from hwprune_edu.viz import simulator as viz_simulator  # noqa: E402
from hwprune_edu.viz import study as viz_study  # noqa: E402
from hwprune_edu.viz import sweeps as viz_sweeps  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")

# --------------------------------------------------------------------------- shared value sets

#: A flag (progress, measure, show_tags ...): only True/False.
FLAG = (("None", None), ("str", "yes"), ("int", 1), ("list", [True]))
#: A name looked up in a table (tag, method, profile, importance): unhashable and unknown values too.
NAME = TEXT + (("unknown", "no-such-name"), ("dict", {"a": 1}))
#: A latency budget, a fraction in (0, 1].
BUDGET = FRACTION + (("zero", 0),)
#: A seed: a non-negative int.
SEED = COUNT
#: A positive count (batch, rounds, points ...).
POSITIVE_INT = COUNT + (("zero", 0),)
#: A learning rate.
LR = POSITIVE
#: ``None`` or a positive number of torch threads.
THREADS = (("str", "1"), ("bool", True), ("float", 2.5), ("zero", 0), ("negative", -1))
#: A one-sample shape.
INPUT_SHAPE = (("str", "64"), ("zero", (0,)), ("float", (2.5,)), ("empty", ()), ("bool", (True,)))
#: Anything that is not a torch model.
MODEL = (("None", None), ("str", "mlp"), ("array", np.ones((2, 2))), ("module", torch.nn.Linear(2, 2)))
#: Anything that is not a Splits.
DATA = (("None", None), ("tuple", (np.ones((4, 2)), np.zeros(4))), ("str", "digits"))
#: Anything that is not a hardware profile.
HARDWARE = (("None", None), ("int", 3), ("unknown", "tpu-v9"), ("list", ["cpu-avx2"]))
#: A mapping argument given something else.
MAPPING = (("None", None), ("list", [1, 2]), ("str", "a"))
#: A sequence of names given something else.
NAMES = (("None", None), ("str", "cpu-avx2"), ("int", 3), ("unknown", ["no-such-name"]), ("unhashable", [["a"]]))
#: A matplotlib Axes argument given something else.
AXES = (("str", "ax"), ("int", 3))

DATA_DIGITS = load_digits()
F32 = (("np.float32", np.float32(0.5)), ("np.float64", np.float64(0.5)), ("Fraction", Fraction(1, 2)), ("0-d array", np.array(0.5)))


def tiny(hidden=(16,), dtype=torch.float32):
    """A fresh small digits MLP (each probe call gets its own)."""
    return digits_mlp(hidden=hidden).to(dtype)


def shared(*args, **kwargs):
    """A ``setup`` passing the same objects every call: Hardware profiles cannot be deep-copied (read-only tables)."""
    return lambda: (args, dict(kwargs))


# A digits MLP small enough for quick searches that can still reach SEARCH_BUDGET of its dense latency on
# cpu-avx2 (its floor, every layer at 1 unit, is 0.69 of dense: fixed costs).
SEARCH_HIDDEN = (32, 32)
SEARCH_BUDGET = 0.75
BUDGETS_OK = unusual_numbers(SEARCH_BUDGET)


# --------------------------------------------------------------------------- records, made by hand

def _method(name, kind, ratio, acc, target="cpu-avx2"):
    return results.MethodResult(name, kind, target, acc, 10, {"cpu-avx2": ratio * 1e-3}, None, 1.0, {0: 4})


COMPARISON = results.Comparison(
    {"dense": _method("dense", "dense", 1.0, 0.97, None),
     "uniform_channel": _method("uniform_channel", "uniform", 0.5, 0.95),
     "hw_aware_cpu-avx2": _method("hw_aware_cpu-avx2", "hw-aware", 0.5, 0.96)},
    {"cpu-avx2": _method("uniform_channel", "uniform", 0.5, 0.95)}, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy")
RUN = study_results.StudyRun("mlp", "cpu-avx2", 0.5, 0, "global", 0.75, 1000, {"cpu-avx2": 1e-4}, 0.49, 3.0, 300,
                             {0: 8})
STUDY = study_results.Study(
    tuple(study_results.StudyRun("mlp", "cpu-avx2", 0.5, s, m, 0.7 + 0.01 * s, 10, {"cpu-avx2": 1.0}, 0.5, 1.0, 5,
                                 {0: 4})
          for s in (0, 1) for m in ("uniform_channel", "global")), (), (), {})
DENSE_RUN = study_results.StudyRun("mlp", None, None, 0, "dense", 0.76, 2000, {"cpu-avx2": 2e-4}, None, 0.0, 0,
                                   {0: 16})
SPECIALISED = study_results.Study((RUN,), (), (DENSE_RUN, RUN), {})
SWEEP = results.SweepTable((results.SweepPoint("2:4", 0.5, 0.5, 0.9, None, 10),), dense_accuracy=0.95, layer=2)
STEP = results.SearchStep("start", None, {0: 8}, 2e-3, 1.0, 0.9)
QUESTION = bank.get_question("roofline-attainable")
REPORT_SIM = simulate([linear(1, 64, 64), linear(256, 512, 512)], "cpu-avx2")
W8 = np.random.default_rng(0).standard_normal((8, 8))
MASKS = {"2:4": prune_to(W8, "2:4")}


def _latency_table():
    return sweeps.latency_by_pattern(tiny((16, 16)), 2, ["structured", "2:4"], profiles=["cpu-avx2"])


LATENCY_TABLE = _latency_table()
GEOMETRY = model_geometry(tiny((16, 16)))


def _lm():
    return TinyLM(LMConfig(vocab_size=10, context=8, d_model=16, n_layers=1, n_heads=2, d_ff=32))


IDS = torch.zeros(2, 8, dtype=torch.int64)
IDS_BAD = (("None", None), ("array", np.zeros((2, 8), dtype=np.int64)), ("float", torch.zeros(2, 8)),
           ("1-D", torch.zeros(8, dtype=torch.int64)), ("too long", torch.zeros(2, 9, dtype=torch.int64)),
           ("out of vocab", torch.full((2, 8), 10, dtype=torch.int64)))


def _subparsers():
    return argparse.ArgumentParser(prog="hwprune-edu").add_subparsers()


def _close_figures(result):
    plt.close("all")
    return result


# --------------------------------------------------------------------------- the table

QUIZ = [
    Probe(question.parse_choice, ("B", 4), bad={"text": (("None", None), ("int", 3), ("list", ["a"])),
                                                 "n_choices": POSITIVE_INT},
          unusual={"n_choices": (("np.int64", np.int64(4)),)}),
    Probe(bank.questions, (), bad={"tag": NAME[1:]}),
    Probe(bank.tags, ()),
    Probe(bank.get_question, ("roofline-attainable",), bad={"question_id": NAME}),
    Probe(bank.load_bank, (), bad={"folder": (("int", 3), ("missing", "/no/such/folder"), ("list", ["a"]))}),
    Probe(bank.Bank, ({"t": "a tag"}, (QUESTION,)), bad={"tags": MAPPING, "questions": (("None", None), ("str", "q"))}),
    Probe(question.Question, ("demo", "2 + 2?", (question.Choice("3", why_wrong="One short."),
                                                 question.Choice("4", correct=True)), "Two pairs.", ("demo",)),
          bad={"id": TEXT, "question": TEXT, "choices": (("None", None), ("str", "abc"), ("one", (question.Choice("4", correct=True),))),
               "explanation": TEXT, "tags": (("None", None), ("str", "demo"), ("ints", (1,)))}),
    Probe(question.Choice, ("4",), {"correct": True},
          bad={"text": TEXT, "correct": (("str", "yes"), ("int", 1), ("None", None)), "why_wrong": (("int", 3),)}),
    Probe(question.Feedback, (True, 0, 0, "Right."), bad={"correct": (("str", "yes"),), "chosen": INTEGER,
                                                         "answer": INTEGER, "message": TEXT}),
    Probe(text.format_question, (QUESTION,), {"number": 1},
          bad={"question": (("None", None), ("str", "q")), "number": INTEGER[1:] + (("zero", 0),), "show_tags": FLAG},
          unusual={"number": (("np.int64", np.int64(1)),)}),
    Probe(text.format_feedback, (QUESTION, 0), bad={"question": (("None", None), ("str", "q")),
                                                   "chosen": INTEGER + (("negative", -1), ("too big", 99))},
          unusual={"chosen": (("np.int64", np.int64(0)),)}),
    Probe(text.format_quiz, ([QUESTION],), bad={"questions": (("None", None), ("str", "q"), ("ints", [1]), ("empty", [])),
                                               "answers": FLAG, "title": (("int", 3), ("list", ["a"]))},
          unusual={"questions": (("tuple", (QUESTION,)),)}),
    Probe(widgets.QuizWidget, ([QUESTION],), bad={"questions": (("None", None), ("str", "q"), ("ints", [1]), ("empty", [])),
                                                 "title": (("int", 3),)}),
    Probe(widgets.quiz_widget, ([QUESTION],), bad={"questions": (("None", None), ("ints", [1])), "title": (("int", 3),)}),
    Probe(widgets.show_quiz, ([QUESTION],), {"mode": "text"},
          bad={"questions": (("None", None), ("ints", [1])), "title": (("int", 3),),
               "mode": (("unknown", "html"), ("int", 3), ("list", ["text"]))}),
    Probe(widgets.QuestionCard, (QUESTION,), bad={"question": (("None", None), ("str", "q")),
                                                 "number": INTEGER[1:] + (("zero", 0),),
                                                 "on_first_try": (("str", "call me"), ("int", 3))}),
    Probe(drill.DrillScore, (1, 2, 3), bad={"correct": INTEGER, "answered": INTEGER, "asked": INTEGER}),
    Probe(drill.run_drill, ([QUESTION],), setup=lambda: (([QUESTION],), {"stdin": io.StringIO("a\n"), "stdout": io.StringIO()}),
          bad={"questions": (("None", None), ("str", "q"), ("ints", [1]), ("empty", [])),
               "stdin": (("str", "a\n"), ("int", 3)), "stdout": (("str", "out"), ("int", 3))}),
    Probe(drill.pick_questions, ("roofline",), {"n": 2, "seed": 0},
          bad={"tag": NAME[1:], "n": POSITIVE_INT[1:], "seed": SEED[1:]},
          unusual={"n": (("np.int64", np.int64(2)),), "seed": (("np.int64", np.int64(3)),)}),
    Probe(drill.register, (_subparsers(),), setup=lambda: ((_subparsers(),), {}),
          bad={"subparsers": (("None", None), ("str", "quiz"), ("parser", argparse.ArgumentParser()))}),
]

GRADING = [
    Probe(grading.check, ("magnitude_mask", lambda weights, amount: weights != 0), {"timeout_s": 1.0},
          bad={"name": NAME, "seed": SEED, "timeout_s": POSITIVE},
          unusual={"timeout_s": (("np.float32", np.float32(1.0)), ("np.int64", np.int64(1)), ("Fraction", Fraction(1))),
                   "seed": (("np.int64", np.int64(3)),)}),
    Probe(grading.summary, (), bad={"notebook": NAME[1:]}),
    Probe(grading.buggy_source, ("magnitude_mask",), bad={"target": NAME}),
    Probe(Report, ("magnitude_mask",), bad={"exercise": TEXT, "cases": (("str", "abc"), ("ints", [1])),
                                            "problem": (("int", 3),)}),
    Probe(Case, ("case 1", True), bad={"name": TEXT, "passed": (("str", "yes"), ("None", None))}),
    Probe(Summary, ("Exercises", []), bad={"title": TEXT, "reports": (("None", None), ("str", "r"), ("ints", [1]))}),
]

ALLOCATION = [
    Probe(allocation.Selection, ((0, 1), 5.0, 3), bad={"indices": (("None", None), ("str", "01")),
                                                       "value": NUMBER[:3], "cost": INTEGER}),
    Probe(allocation.LatencyTables, ((0,), (np.array([1, 2]),), np.zeros(2), (), 0.0),
          bad={"layers": (("None", None), ("str", "0")), "constant_s": NUMBER[:3]}),
    Probe(allocation.latency_tables, (), setup=shared(GEOMETRY, 8, get_profile("cpu-avx2"),
                                                     {0: np.array([4, 16]), 2: np.array([4, 16])}),
          bad={"geometry": (("None", None), ("str", "g"), ("empty", [])), "batch": POSITIVE_INT,
               "hw": HARDWARE[:2], "candidates": MAPPING + (("missing layer", {0: np.array([4, 16])}),)},
          unusual={"hw": (("name", "cpu-avx2"),)}),
    Probe(allocation.select_widths, ([np.array([1.0, 3.0])], [np.array([1, 4])], 3),
          bad={"values": (("None", None), ("ragged", [[1.0, 3.0], [1.0]])) + ARRAY[-1:],
               "costs": (("None", None), ("float", [np.array([1.5, 4.0])])), "capacity": COUNT},
          unusual={"capacity": (("np.int64", np.int64(3)),), "values": (("float32", [np.array([1.0, 3.0], np.float32)]),)}),
    Probe(allocation.brute_force_widths, ([np.array([1.0, 3.0])], [np.array([1, 4])], 3),
          bad={"values": (("None", None),) + ARRAY[-1:], "costs": (("None", None),), "capacity": COUNT},
          unusual={"capacity": (("np.int64", np.int64(3)),)}),
    Probe(allocation.candidate_widths, (), setup=shared(1024, get_profile("npu-systolic"), points=4),
          bad={"width": POSITIVE_INT, "hw": HARDWARE[:2], "points": POSITIVE_INT,
               "extra": (("None", None), ("str", "12"), ("floats", [2.5]))},
          unusual={"width": (("np.int64", np.int64(1024)),), "hw": (("name", "npu-systolic"),),
                   "extra": (("array", np.array([300])),)}),
    Probe(allocation.uniform_widths, ({0: 10, 2: 20}, lambda w: sum(w.values()), 15.0),
          bad={"widths": MAPPING + (("empty", {}), ("zero width", {0: 0})), "latency_at": (("None", None), ("int", 3)),
               "target_s": POSITIVE},
          unusual={"target_s": unusual_numbers(15.0)}),
    Probe(allocation.meets, (1.0, 1.0), bad={"latency_s": NUMBER, "target_s": NUMBER},
          unusual={"latency_s": unusual_numbers(1.0)}),
    Probe(allocation.resolve_hardware, ("cpu-avx2",), bad={"hardware": HARDWARE},
          unusual={"hardware": (("Hardware", get_profile("cpu-avx2")),)}),
    Probe(allocation.unmeetable, (), setup=shared(get_profile("cpu-avx2"), 0.1, 2.0, 0.5, "every layer at 1 unit"),
          bad={"hw": HARDWARE[:2], "budget": BUDGET, "dense_s": POSITIVE, "min_s": POSITIVE, "floor": TEXT},
          unusual={"budget": F32}),
]

SEARCH_BAD = {"latency_budget": BUDGET, "hardware": HARDWARE, "model": MODEL, "data": DATA}


def _search_probe(func, extra_bad, unusual=None, **kwargs):
    return Probe(func, (), kwargs, setup=lambda: ((tiny(SEARCH_HIDDEN), DATA_DIGITS, "cpu-avx2", SEARCH_BUDGET), dict(kwargs)),
                 bad={**SEARCH_BAD, **extra_bad}, unusual=unusual or {})


DTYPES = {"model": (("float64", tiny(SEARCH_HIDDEN, torch.float64)), ("float16", tiny(SEARCH_HIDDEN, torch.float16)))}

SEARCHES = [
    _search_probe(search.hardware_aware_prune,
                  {"method": NAME, "final_epochs": COUNT},
                  {**DTYPES, "latency_budget": BUDGETS_OK, "final_epochs": (("np.int64", np.int64(0)),)},
                  final_epochs=0, rounds=1, calibration_samples=64, progress=False),
    _search_probe(search.netadapt_prune,
                  {"batch": POSITIVE_INT, "step": FRACTION + (("zero", 0),), "finetune_steps": COUNT,
                   "final_epochs": COUNT, "lr": LR, "importance": NAME, "calibration_samples": POSITIVE_INT,
                   "round_to": INTEGER[1:] + (("zero", 0),), "input_shape": INPUT_SHAPE, "seed": SEED,
                   "progress": FLAG, "num_threads": THREADS},
                  {**DTYPES, "lr": (("np.float32", np.float32(1e-3)), ("Fraction", Fraction(1, 1000))),
                   "step": (("np.float32", np.float32(0.25)), ("Fraction", Fraction(1, 4))),
                   "batch": (("np.int64", np.int64(256)),), "input_shape": (("np.int64", (np.int64(64),)),)},
                  finetune_steps=0, final_epochs=0, step=0.5, calibration_samples=64, progress=False),
    _search_probe(halp.halp_prune,
                  {"batch": POSITIVE_INT, "rounds": POSITIVE_INT, "round_steps": INTEGER[1:] + (("negative", -1),),
                   "total_finetune_epochs": COUNT, "lr": LR, "importance": NAME + (("not global", "mean_abs"),),
                   "calibration_samples": POSITIVE_INT, "input_shape": INPUT_SHAPE, "seed": SEED, "progress": FLAG,
                   "num_threads": THREADS},
                  {**DTYPES, "lr": (("np.float32", np.float32(1e-3)),), "rounds": (("np.int64", np.int64(1)),),
                   "latency_budget": BUDGETS_OK},
                  rounds=1, total_finetune_epochs=0, calibration_samples=64, progress=False),
    _search_probe(search.uniform_channel_prune,
                  {"batch": POSITIVE_INT, "final_epochs": COUNT, "lr": LR, "importance": NAME,
                   "input_shape": INPUT_SHAPE, "seed": SEED, "progress": FLAG, "num_threads": THREADS},
                  {**DTYPES, "lr": (("np.float32", np.float32(1e-3)),), "latency_budget": BUDGETS_OK},
                  final_epochs=0, progress=False),
    Probe(search.global_magnitude_prune, (), {"final_epochs": 0, "progress": False},
          setup=lambda: ((tiny(SEARCH_HIDDEN), DATA_DIGITS, 0.5), {"final_epochs": 0, "progress": False}),
          bad={"model": MODEL, "data": DATA, "amount": FRACTION + (("too many", 10**9),), "final_epochs": COUNT,
               "lr": LR, "seed": SEED, "progress": FLAG, "num_threads": THREADS},
          unusual={"amount": F32 + (("np.int64", np.int64(10)),), "model": DTYPES["model"]}),
    Probe(search.check_search_options, ("global",), {"rounds": 2},
          bad={"method": NAME}),
    Probe(search.simulated_latency, (tiny(), "cpu-avx2"), bad={"model": MODEL, "hardware": HARDWARE,
                                                              "batch": POSITIVE_INT, "input_shape": INPUT_SHAPE},
          unusual={"batch": (("np.int64", np.int64(8)),), "input_shape": (("tuple", (64,)),),
                   "hardware": (("Hardware", get_profile("cpu-avx2")),)}),
    Probe(search.latency_floor, (tiny(), "gpu-ampere"), bad={"model": MODEL, "hardware": HARDWARE,
                                                           "batch": POSITIVE_INT, "input_shape": INPUT_SHAPE},
          unusual={"batch": (("np.int64", np.int64(8)),), "input_shape": (("tuple", (64,)),),
                   "hardware": (("Hardware", get_profile("cpu-avx2")),)}),
]

# float64 and half models (their shapes read through nn's model_geometry, which casts its probe).
SIM_DTYPE = Probe(search.simulated_latency, (tiny(), "cpu-avx2"), unusual=DTYPES, id="simulated_latency-dtypes")

COMPARISONS = [
    Probe(comparison.RunSettings, (), bad={"epochs": COUNT, "finetune_epochs": COUNT, "finetune_steps": COUNT,
                                           "rounds": POSITIVE_INT, "repeats": POSITIVE_INT},
          unusual={"epochs": (("np.int64", np.int64(2)),)}),
    # Valid: nothing to train (epochs=0), the cheapest search; every bad value must fail before the dense training.
    Probe(comparison.compare_methods, (), setup=lambda: ((DATA_DIGITS,), dict(
        model=tiny(SEARCH_HIDDEN), budget=SEARCH_BUDGET, targets=("cpu-avx2",), settings=comparison.RunSettings.quick(epochs=0, finetune_epochs=0),
        search_options={"rounds": 1, "calibration_samples": 64}, measure=False, progress=False)),
          bad={"data": DATA[1:], "model": MODEL[1:], "budget": BUDGET, "batch": POSITIVE_INT,
               "targets": (("None", None), ("str", "cpu-avx2"), ("empty", ()), ("unknown", ("tpu-v9",)),
                           ("twice", ("cpu-avx2", "cpu-avx2"))),
               "settings": (("dict", {"epochs": 0}), ("str", "quick")),
               "unstructured_amount": FRACTION + (("zero", 0), ("one", 1)),
               "search_options": (("str", "rounds=1"), ("unknown", {"nope": 1}), ("bad lr", {"lr": math.inf}),
                                  ("bad importance", {"importance": [["taylor"]]}), ("reserved", {"batch": 8})),
               "measure": FLAG, "num_threads": THREADS + (("None", None),), "progress": FLAG, "seed": SEED},
          names_in_message={"data": "data"}),
    Probe(comparison.measure_comparison, (), setup=lambda: ((_measured(),), {"rounds": 1, "repeats": 1, "warmup": 0}),
          bad={"comparison": (("None", None), ("str", "c"), ("study", STUDY)), "rounds": POSITIVE_INT,
               "repeats": POSITIVE_INT, "warmup": COUNT, "progress": FLAG},
          unusual={"rounds": (("np.int64", np.int64(1)),)}),
    Probe(comparison.budget_sweep, (), setup=lambda: ((tiny(SEARCH_HIDDEN), DATA_DIGITS, "cpu-avx2", [SEARCH_BUDGET]),
                                                      {"finetune_epochs": 0,
                                                       "search_options": {"rounds": 1, "calibration_samples": 64},
                                                       "progress": False}),
          bad={"model": MODEL, "data": DATA, "hardware": HARDWARE,
               "budgets": (("None", None), ("str", "0.5"), ("empty", []), ("number", 0.5), ("bad", [1.5]),
                           ("nan", [math.nan])),
               "batch": POSITIVE_INT, "finetune_epochs": COUNT,
               "search_options": (("str", "x"), ("unknown", {"nope": 1}), ("bad lr", {"lr": -1})),
               "num_threads": THREADS, "progress": FLAG, "seed": SEED},
          unusual={"budgets": (("np.float32", [np.float32(SEARCH_BUDGET)]), ("array", np.array([SEARCH_BUDGET]))),
                   "hardware": (("Hardware", get_profile("cpu-avx2")),)}),
    Probe(comparison.width_latency_curve, (tiny((32,)), "npu-systolic", 0),
          bad={"model": MODEL, "hardware": HARDWARE, "layer": INTEGER + (("not prunable", 1), ("last", 2)),
               "batch": POSITIVE_INT},
          unusual={"layer": (("np.int64", np.int64(0)),), "hardware": (("Hardware", get_profile("npu-systolic")),)}),
]


def _measured():
    """A comparison whose rows hold (tiny) models, as measure_comparison needs."""
    methods = {name: results.MethodResult(name, kind, None, 0.9, 10, {"cpu-avx2": 1e-4}, None, 0.0, {0: 8},
                                          model=tiny((8,)))
               for name, kind in (("dense", "dense"), ("uniform_channel", "uniform"))}
    return results.Comparison(methods, {"cpu-avx2": methods["uniform_channel"]}, 0.5, 4, ("cpu-avx2",),
                              ("cpu-avx2",), "toy")


_SWEEP_MODEL = tiny((16, 16))

SWEEPS = [
    Probe(sweeps.prune_layer, (_SWEEP_MODEL, 0, "structured", 0.25),
          bad={"model": MODEL, "layer": INTEGER + (("not weighted", 1), ("out of range", 9)),
               "pattern": (("None", None), ("int", 3), ("unknown", "diagonal"), ("list", ["2:4"])),
               "sparsity": FRACTION[1:]},
          unusual={"sparsity": F32, "layer": (("np.int64", np.int64(0)), ("negative index", -3)),
                   "model": (("float64", tiny((16, 16), torch.float64)), ("bfloat16", tiny((16, 16), torch.bfloat16)))}),
    Probe(sweeps.layer_costs, (_SWEEP_MODEL, 0, ["cpu-avx2"]),
          bad={"model": MODEL, "layer": INTEGER + (("not weighted", 1),), "profiles": NAMES,
               "batch": POSITIVE_INT, "input_shape": INPUT_SHAPE},
          unusual={"batch": (("np.int64", np.int64(4)),), "profiles": (("Hardware", [get_profile("cpu-avx2")]),)}),
    Probe(sweeps.accuracy_vs_sparsity, (_SWEEP_MODEL, DATA_DIGITS, 2, ["unstructured", "2:4"], [0.5]),
          bad={"model": MODEL, "data": DATA, "layer": INTEGER + (("not weighted", 1),),
               "patterns": (("None", None), ("str", "2:4"), ("empty", []), ("unknown", ["diagonal"]),
                            ("twice", ["2:4", "2:4"])),
               "sparsities": (("None", None), ("str", "0.5"), ("empty", []), ("bad", [1.5]), ("nan", [math.nan]),
                              ("bool", [True])),
               "finetune_steps": COUNT, "lr": LR, "seed": SEED, "split": NAME, "profiles": NAMES[1:],
               "batch": POSITIVE_INT, "num_threads": THREADS},
          unusual={"sparsities": (("array", np.array([0.5])), ("np.float32", [np.float32(0.5)]),
                                  ("Fraction", [Fraction(1, 2)])),
                   "lr": (("np.float32", np.float32(1e-3)),), "finetune_steps": (("np.int64", np.int64(1)),)}),
    Probe(sweeps.latency_by_pattern, (_SWEEP_MODEL, 2, ["structured", "2:4"]), {"profiles": ["cpu-avx2"]},
          bad={"model": MODEL, "layer": INTEGER, "patterns": (("None", None), ("str", "2:4"), ("empty", [])),
               "sparsity": FRACTION, "profiles": NAMES, "batch": POSITIVE_INT, "input_shape": INPUT_SHAPE},
          unusual={"sparsity": F32}),
]

STUDIES = [
    Probe(study.StudySettings, (), bad={
        "models": (("None", None), ("str", "mlp"), ("empty", ()), ("unknown", ("resnet",)), ("twice", ("mlp", "mlp"))),
        "profiles": (("str", "cpu-avx2"), ("unknown", ("tpu-v9",)), ("unhashable", (["cpu-avx2"],))),
        "budgets": (("number", 0.5), ("empty", ()), ("bad", (1.5,)), ("nan", (math.nan,))),
        "seeds": (("int", 0), ("negative", (-1,)), ("float", (0.5,))),
        "epochs": (("int", 3), ("missing", (("mlp", 1),)), ("negative", (("mlp", -1), ("cnn", 1)))),
        "finetune_epochs": POSITIVE_INT, "netadapt_steps": COUNT, "batch": POSITIVE_INT,
        "specialisation_profiles": (("str", "cpu-avx2"),), "specialisation_budget": BUDGET,
        "specialisation_batch": POSITIVE_INT, "measure": FLAG, "rounds": POSITIVE_INT, "repeats": POSITIVE_INT,
        "n_samples": POSITIVE_INT + (("odd", 55), ("too few", 40))},
          unusual={"budgets": (("list", [0.5]), ("np.float32", (np.float32(0.5),))),
                   "seeds": (("np.int64", (np.int64(1),)),), "epochs": (("dict", {"mlp": 1, "cnn": 1}),),
                   "n_samples": (("np.int64", np.int64(500)),)}),
    Probe(study.build_model, ("mlp", 0), bad={"name": NAME, "seed": SEED},
          unusual={"seed": (("np.int64", np.int64(1)),)}),
    Probe(study.trained_dense, ("mlp", 0, study.StudySettings.quick(epochs=(("mlp", 0), ("cnn", 0)), n_samples=50)),
          bad={"name": NAME, "seed": SEED,
               "settings": (("None", None), ("dict", {"epochs": 1}), ("no epochs for it", study.StudySettings.quick(
                   models=("cnn",), epochs=(("cnn", 0),))))},
          unusual={"seed": (("np.int64", np.int64(1)),)}, names_in_message={"settings": "settings"}),
    # Valid: an empty grid (no model) runs nothing; bad settings are refused when made (see StudySettings).
    Probe(study.run_study, (), setup=lambda: ((study.StudySettings.quick(profiles=(), specialisation_profiles=(),
                                                                         seeds=(0,), measure=False,
                                                                         epochs=(("mlp", 0),), n_samples=500),),
                                              {"progress": False}),
          bad={"settings": (("dict", {"seeds": (0,)}), ("str", "quick")), "progress": FLAG,
               "log": (("str", "log.txt"), ("int", 3))}),
    Probe(study.combine, ([STUDY, STUDY],), bad={"studies": (("None", None), ("str", "s"), ("study", STUDY),
                                                           ("ints", [1]))}),
    Probe(study_results.StudyRun, RUN.__dict__ and tuple(RUN.__dict__.values()),
          bad={"model": TEXT, "seed": INTEGER, "accuracy": NUMBER[:3], "params": INTEGER, "widths": MAPPING,
               "budget": (("str", "0.5"),), "latency_ratio": (("str", "0.5"),)},
          unusual={"accuracy": unusual_numbers(0.75), "params": (("np.int64", np.int64(1000)),)}),
    Probe(study_results.Unreachable, ("cnn", "npu-systolic", 0.3, 0.741),
          bad={"model": TEXT, "profile": TEXT, "budget": NUMBER[:3], "floor_ratio": NUMBER[:3]}),
    Probe(study_results.Study, ((RUN,), (), ()), bad={"runs": (("None", None), ("str", "r")),
                                                     "unreachable": (("None", None),), "specialisation": (("None", None),),
                                                     "settings": (("list", [1]),)}),
    Probe(targets.TargetCheck, ("search under 60 s", "MET", "4.2 s"),
          bad={"target": TEXT, "status": TEXT[:1] + (("unknown", "PASSED"),), "detail": TEXT}),
    Probe(targets.TargetReport, ([targets.TargetCheck("a", "MET", "1")],),
          bad={"iterable": (("None", None), ("ints", [1]), ("str", "MET"))}),
    Probe(targets.check_targets, (COMPARISON,), bad={"comparison": (("None", None), ("str", "c"), ("dict", {}))}),
]

LLM = [
    Probe(llm_costs.kv_cache_bytes, (256,), {"n_layers": 32, "n_kv_heads": 32, "head_dim": 128},
          bad={"tokens": COUNT, "n_layers": POSITIVE_INT, "n_kv_heads": POSITIVE_INT, "head_dim": POSITIVE_INT,
               "bits": POSITIVE_INT},
          unusual={"tokens": (("np.int64", np.int64(256)),)}),
    Probe(llm_costs.FormatCost, ("gpu-ampere", 1, "int8", 1.0, 1e-3, "memory", "dense", 2.0),
          bad={"platform": TEXT, "batch": INTEGER, "weight_bytes": NUMBER[:3], "speedup": NUMBER[:3]}),
    Probe(llm_costs.format_costs, (256, 256), {"platforms": ("gpu-ampere",), "batches": (1,)},
          bad={"in_features": POSITIVE_INT, "out_features": POSITIVE_INT, "platforms": NAMES,
               "batches": (("None", None), ("int", 1), ("zero", (0,)), ("float", (1.5,)), ("empty", ()))},
          unusual={"in_features": (("np.int64", np.int64(256)),), "batches": (("array", np.array([1, 4])),)}),
    Probe(llm_costs.format_table, (llm_costs.format_costs(256, 256, platforms=("gpu-ampere",), batches=(1,)),),
          bad={"rows": (("None", None), ("str", "r"), ("ints", [1])), "title": (("int", 3), ("None", None))}),
    Probe(llm_costs.transformer_linears, (64, 256, 2, 1),
          bad={"d_model": POSITIVE_INT, "d_ff": POSITIVE_INT, "n_layers": POSITIVE_INT, "batch": POSITIVE_INT,
               "gated": FLAG, "two_four": FLAG},
          unusual={"d_model": (("np.int64", np.int64(64)),)}),
    Probe(llm_costs.PhaseCost, ("toy", "decode", 1e-3, 8e-4, "memory", 1e6, 6e5, 1000),
          bad={"model": TEXT, "dense_s": NUMBER[:3], "kv_cache_bytes": INTEGER}),
    Probe(llm_costs.decode_vs_prefill, ({"toy": {"d_model": 64, "d_ff": 256, "n_layers": 2, "n_kv_heads": 4,
                                                "head_dim": 16}},),
          bad={"models": MAPPING + (("missing key", {"toy": {"d_model": 64}}), ("not a dict", {"toy": 3})),
               "platform": NAME, "prefill_tokens": POSITIVE_INT},
          unusual={"prefill_tokens": (("np.int64", np.int64(16)),)}),
    Probe(llm_costs.phase_table, (llm_costs.decode_vs_prefill({"toy": {"d_model": 64, "d_ff": 256, "n_layers": 2,
                                                                       "n_kv_heads": 4, "head_dim": 16}}),),
          bad={"rows": (("None", None), ("str", "r"), ("ints", [1])), "platform": (("int", 3), ("None", None))}),
]

ONE_SHOT = [
    Probe(one_shot.calibration_ids, (load_corpus(),), {"n_windows": 2, "context": 8},
          bad={"corpus": (("None", None), ("str", "text")), "n_windows": POSITIVE_INT, "context": POSITIVE_INT,
               "seed": SEED},
          unusual={"n_windows": (("np.int64", np.int64(2)),), "seed": (("np.int64", np.int64(1)),)}),
    Probe(one_shot.layer_inputs, (_lm(), IDS), bad={"model": MODEL, "ids": IDS_BAD,
                                                     "names": (("str", "blocks.0.qkv"), ("unknown", ["fc9"]),
                                                               ("unhashable", [["a"]]))},
          unusual={"ids": (("int32", IDS.int()),)}),
    Probe(one_shot.prune_weight, (W8, np.ones((5, 8)), "wanda", "50%"),
          bad={"weights": ARRAY, "inputs": ARRAY + (("wrong width", np.ones((5, 3))),), "method": NAME,
               "pattern": NAME + (("other N:M", "1:4"),)},
          unusual={"weights": (("float32", W8.astype(np.float32)),), "inputs": (("ints", np.ones((5, 8), int)),)}),
    Probe(one_shot.layer_errors, (_lm(), IDS), {"methods": ("magnitude",), "patterns": ("2:4",)},
          bad={"model": MODEL, "ids": IDS_BAD, "methods": (("str", "wanda"), ("empty", ()), ("unknown", ("obs",))),
               "patterns": (("str", "2:4"), ("unknown", ("1:4",)))},
          unusual={"methods": (("list", ["magnitude"]),)}),
    Probe(one_shot.prune_lm, (_lm(), IDS, "magnitude", "2:4"),
          bad={"model": MODEL, "ids": IDS_BAD, "method": NAME, "pattern": NAME}),
    Probe(one_shot.quantise_lm, (_lm(), 8), {"group_size": 16},
          bad={"model": MODEL, "bits": INTEGER + (("one", 1),), "group_size": INTEGER[1:] + (("zero", 0),)},
          unusual={"bits": (("np.int64", np.int64(4)),), "group_size": (("None", None), ("np.int64", np.int64(16)))}),
    Probe(one_shot.input_norms_by_layer, (_lm(), IDS), bad={"model": MODEL, "ids": IDS_BAD}),
    Probe(one_shot_results.LayerError, ("fc", "magnitude", "50%", 0.3),
          bad={"layer": TEXT, "method": TEXT, "pattern": TEXT, "error": NUMBER[:3]},
          unusual={"error": unusual_numbers(0.5)}),
    Probe(one_shot_results.LayerErrors, ((one_shot_results.LayerError("fc", "magnitude", "50%", 0.3),),),
          bad={"rows": (("None", None), ("str", "r"))}),
]

RECORDS = [
    Probe(results.pareto_front, ([1.0, 0.5, 0.45], [0.97, 0.975, 0.96]),
          bad={"latencies": ARRAY + (("2-D", np.ones((2, 2))), ("negative", [-1.0, 0.5, 0.4])),
               "accuracies": ARRAY + (("wrong length", [0.9, 0.8]),)},
          unusual={"latencies": (("float32", np.array([1.0, 0.5, 0.45], np.float32)), ("tuple", (1.0, 0.5, 0.45))),
                   "accuracies": (("ints", [1, 0, 1]),)}),
    Probe(results.MethodResult, ("dense", "dense", None, 0.97, 10, {"cpu-avx2": 1e-3}, None, 0.0, {}),
          bad={"name": TEXT, "kind": TEXT, "target": (("int", 3),), "accuracy": NUMBER[:3], "params": INTEGER,
               "sim_latency_s": MAPPING, "measured_latency_s": (("str", "1 ms"),), "search_s": NUMBER[:3],
               "widths": MAPPING},
          unusual={"accuracy": unusual_numbers(0.5), "params": (("np.int64", np.int64(10)),)}),
    Probe(results.Measurement, (5, 10), bad={"rounds": INTEGER, "repeats": INTEGER, "warmup": INTEGER},
          unusual={"rounds": (("np.int64", np.int64(5)),)}),
    Probe(results.ParetoPoint, ("dense", "dense", 1e-3, 1.0, 0.97, True),
          bad={"name": TEXT, "sim_latency_s": NUMBER[:3], "on_front": (("str", "yes"), ("int", 1))}),
    Probe(results.BudgetPoint, (0.5, "hw_aware", 1e-3, 0.5, 0.9, 100, {0: 8}),
          bad={"budget": NUMBER[:3], "method": TEXT, "params": INTEGER, "widths": MAPPING}),
    Probe(results.Comparison, (COMPARISON.methods, COMPARISON.uniform_at, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy"),
          bad={"methods": MAPPING, "uniform_at": MAPPING, "budget": NUMBER[:3], "batch": INTEGER,
               "targets": (("None", None), ("str", "cpu-avx2")), "model_name": TEXT, "num_threads": INTEGER}),
    Probe(results.SweepPoint, ("2:4", 0.5, 0.5, 0.95, None, 100),
          bad={"pattern": TEXT, "sparsity": NUMBER[:3], "finetuned_accuracy": (("str", "0.9"),), "n_params": INTEGER,
               "latency_s": (("list", [1.0]),)}),
    Probe(results.SweepTable, (SWEEP.points, 0.95, 2),
          bad={"points": (("None", None), ("str", "p")), "dense_accuracy": NUMBER[:3], "layer": INTEGER,
               "split": (("int", 3),), "batch": INTEGER}),
    Probe(results.LatencyRow, ("2:4", 0.5, {}), bad={"pattern": TEXT, "sparsity": NUMBER[:3], "costs": MAPPING}),
    Probe(results.LatencyTable, (LATENCY_TABLE.rows, LATENCY_TABLE.dense, 2),
          bad={"rows": (("None", None),), "dense": MAPPING, "layer": INTEGER}),
    Probe(results.Proposal, (2, 768, 3.5e-5, 0.97), bad={"layer": INTEGER, "width": INTEGER,
                                                         "sim_latency_s": NUMBER[:3], "val_accuracy": NUMBER[:3]},
          unusual={"width": (("np.int64", np.int64(768)),), "val_accuracy": unusual_numbers(0.5)}),
    Probe(results.AllocationCandidate, ("knapsack", {0: 768}, 2.1e-5, 0.71),
          bad={"allocation": TEXT, "widths": MAPPING, "sim_latency_s": NUMBER[:3]}),
    Probe(results.SearchStep, ("start", None, {0: 8}, 2e-3, 1.0, 0.9),
          bad={"stage": TEXT, "layer": (("str", "0"), ("float", 0.5)), "widths": MAPPING, "latency_ratio": NUMBER[:3],
               "proposals": (("None", None), ("str", "p")), "allocation": (("int", 3),),
               "finetune_steps": (("float", 2.5),)},
          unusual={"sim_latency_s": unusual_numbers(0.5), "layer": (("np.int64", np.int64(0)),)}),
    Probe(results.UniformCut, (0.5, {0: 8}, 1e-3, 0.5, 0.9), bad={"keep_ratio": NUMBER[:3], "widths": MAPPING}),
    Probe(results.MagnitudeCut, (100, 279, 0.9), bad={"pruned_weights": INTEGER, "params": INTEGER,
                                                      "val_accuracy": NUMBER[:3]}),
    Probe(results.history_table, ([STEP],), bad={"history": (("None", None), ("str", "h"), ("dict", [{}]),
                                                           ("ints", [1]))},
          unusual={"history": (("tuple", (STEP,)), ("empty", []))}),
]

VIZ = [
    Probe(viz_comparison.pareto_chart, (COMPARISON,),
          bad={"comparison": (("None", None), ("str", "c"), ("study", STUDY)), "profile": NAME[1:],
               "sweep": (("str", "s"), ("ints", [1])), "trajectory": FLAG, "ax": AXES}),
    Probe(viz_comparison.breakdown_charts, (COMPARISON,), bad={"comparison": (("None", None), ("str", "c")),
                                                              "profile": NAME[1:], "axes": AXES}),
    Probe(viz_comparison.roofline_charts, (COMPARISON,), bad={"comparison": (("None", None), ("str", "c")),
                                                             "names": (("str", "dense"), ("unknown", ["nope"]),
                                                                       ("unhashable", [["dense"]])),
                                                             "axes": AXES}),
    Probe(explorer.Exploration, (), setup=shared("2:4", 0.5, 0.5, 64, 256, 256, REPORT_SIM, REPORT_SIM),
          bad={"pattern": TEXT, "sparsity_asked": NUMBER[:3], "batch": INTEGER, "in_features": INTEGER}),
    Probe(explorer.explore, (0.5, "2:4", "gpu-ampere"), {"in_features": 256, "out_features": 256},
          bad={"sparsity": FRACTION + (("one", 1.0),), "pattern": NAME, "platform": HARDWARE,
               "batch": POSITIVE_INT, "in_features": POSITIVE_INT, "out_features": POSITIVE_INT, "seed": SEED,
               "kernel": (("int", 3), ("unknown", "magic")), "show": FLAG, "ax": AXES},
          unusual={"sparsity": F32, "batch": (("np.int64", np.int64(64)),),
                   "platform": (("Hardware", get_profile("gpu-ampere")),)}),
    Probe(explorer.sparsity_explorer, (), {"in_features": 256, "out_features": 256},
          bad={"sparsity": FRACTION, "pattern": NAME, "platform": NAME, "batch": POSITIVE_INT + (("not offered", 3),),
               "in_features": POSITIVE_INT, "out_features": POSITIVE_INT, "seed": SEED},
          unusual={"sparsity": F32}),
    Probe(masks.pattern_label, (MASKS["2:4"],), bad={"mask": ARRAY[:2] + (("1-D", np.ones(4, bool)), ("empty", np.ones((0, 4), bool)))},
          unusual={"mask": (("ints", MASKS["2:4"].astype(int)), ("tensor", torch.from_numpy(MASKS["2:4"])))}),
    Probe(masks.show_masks, (MASKS,), bad={"masks": MAPPING + (("empty", {}), ("bad mask", {"m": "abc"})),
                                           "corner": INTEGER[1:] + (("zero", 0), ("triple", (1, 2, 3))),
                                           "grid": INTEGER[1:] + (("zero", 0),), "axes": AXES},
          unusual={"corner": (("np.int64", np.int64(4)), ("pair", (4, 4))), "grid": (("np.int64", np.int64(2)),)}),
    Probe(viz_simulator.roofline_chart, (), setup=shared([REPORT_SIM]), bad={"reports": (("None", None), ("str", "r"), ("ints", [1]),
                                                                         ("empty", [])), "ax": AXES},
          unusual={"reports": (("one", REPORT_SIM),)}),
    Probe(viz_simulator.latency_vs_sparsity, ((8, 64, 64),), {"profiles": ["gpu-ampere"], "sparsities": [0.5]},
          bad={"shape": (("None", None), ("str", "8x64"), ("two", (8, 64)), ("zero", (0, 64, 64))),
               "profiles": NAMES[1:], "patterns": (("str", "2:4"), ("unknown", ["diagonal"])),
               "sparsities": (("number", 0.5), ("bad", [1.5]), ("empty", [])), "seed": SEED, "axes": AXES},
          unusual={"sparsities": (("array", np.array([0.5])),), "shape": (("np.int64", tuple(np.int64([8, 64, 64]))),)}),
    Probe(viz_simulator.latency_breakdown, (), setup=shared(REPORT_SIM), bad={"report": (("None", None), ("str", "r"), ("list", [1])),
                                                              "ax": AXES}),
    Probe(viz_simulator.pattern_cases, ((64, 64),), bad={"shape": (("None", None), ("int", 64), ("zero", (0, 64)),
                                                                  ("three", (2, 64, 64))), "seed": SEED},
          unusual={"shape": (("list", [64, 64]), ("np.int64", (np.int64(64), np.int64(64))))}),
    Probe(viz_simulator.SpeedupGrid, (1, ("a",), ("cpu-avx2",), np.ones((1, 1)), (("dense",),), np.ones((1, 1), bool)),
          bad={"batch": INTEGER, "cases": (("None", None), ("str", "a")), "platforms": (("None", None),)}),
    Probe(viz_simulator.speedup_grid, (viz_simulator.pattern_cases((64, 64)),), {"batch": 1, "profiles": ["mcu-m4"]},
          bad={"cases": MAPPING + (("empty", {}), ("bad mask", {"m": "abc"})), "batch": POSITIVE_INT,
               "profiles": NAMES[1:]},
          unusual={"batch": (("np.int64", np.int64(1)),)}),
    Probe(viz_simulator.profile_table, (), bad={"profiles": NAMES[1:]},
          unusual={"profiles": (("Hardware", [get_profile("cpu-avx2")]),)}),
    Probe(viz_simulator.cliff_conv, (257,), bad={"out_channels": POSITIVE_INT},
          unusual={"out_channels": (("np.int64", np.int64(257)),)}),
    Probe(viz_simulator.channel_sweep, ("npu-systolic", [256, 257]),
          bad={"platform": HARDWARE, "out_channels": (("None", None), ("int", 256), ("empty", []), ("zero", [0]),
                                                     ("float", [2.5])),
               "make_layer": (("str", "conv"), ("int", 3))},
          unusual={"out_channels": (("array", np.array([256, 257])),)}),
    Probe(viz_simulator.tile_cliff_chart, (["npu-systolic"],), {"multiples": 1},
          bad={"platforms": NAMES, "multiples": POSITIVE_INT, "make_layer": (("str", "conv"),), "axes": AXES},
          unusual={"multiples": (("np.int64", np.int64(1)),)}),
    Probe(viz_simulator.predicted_vs_measured_chart, (None,), setup=lambda: ((_fidelity_result(),), {}),
          bad={"result": (("None", None), ("str", "r"), ("dict", {})), "ax": AXES}),
    Probe(viz_study.cell_chart, (STUDY,), bad={"study": (("None", None), ("str", "s"), ("comparison", COMPARISON)),
                                              "ax": AXES}),
    Probe(viz_study.specialisation_chart, (SPECIALISED,),
          bad={"study": (("None", None), ("str", "s")), "ax": AXES}),
    Probe(viz_sweeps.plot_accuracy_vs_sparsity, (SWEEP,), bad={"table": (("None", None), ("str", "t"),
                                                                        ("latency table", LATENCY_TABLE)),
                                                              "ax": AXES, "which": NAME}),
    Probe(viz_sweeps.plot_speedups, (LATENCY_TABLE,), bad={"table": (("None", None), ("sweep table", SWEEP)),
                                                          "ax": AXES, "legend": FLAG}),
]


def _fidelity_result():
    """What compare_with_measured returns, made by hand (no timing needed to draw it)."""
    from hwprune_edu.hardware.calibrate import ComparisonResult

    return ComparisonResult("cpu-avx2", ((1, 16, 16), (4, 32, 32)), np.array([1e-6, 2e-6]), np.array([1.1e-6, 2.2e-6]),
                            1.0)


TABLE = QUIZ + GRADING + ALLOCATION + SEARCHES + [SIM_DTYPE] + COMPARISONS + SWEEPS + STUDIES + LLM + ONE_SHOT + RECORDS + VIZ

EXEMPT = {}



@pytest.fixture(autouse=True)
def _no_open_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(("probe", "kind", "arg", "value"), parametrize(TABLE))
def test_table(probe, kind, arg, value):
    run(probe, kind, arg, value)
