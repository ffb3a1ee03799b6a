"""Bad-input table: core layer (see tests/bad_input.py for the harness).

Every public callable of ``util``, ``pruning``, ``hardware`` and ``interview``:
one valid call, the values each argument a user passes must refuse with a
``TypeError``/``ValueError`` naming it, and the unusual-but-valid values it must
accept (NumPy scalars, ``Fraction``, 0-d arrays, float16/32/64, int and bool
arrays, read-only, strided and Fortran-ordered arrays, CPU tensors).
"""

import dataclasses
import json
import math
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from bad_input import ARRAY, COUNT, FRACTION, INTEGER, NUMBER, POSITIVE, TEXT, Probe, parametrize, read_only, run
from bad_input import strided, unusual_numbers

from hwprune_edu import interview
from hwprune_edu.hardware import calibrate, cost, fidelity, mask_stats, profiles, report, workload
from hwprune_edu.pruning import (
    activations,
    masks,
    patterns,
    quantise,
    reconstruction,
    sparsegpt,
    structured,
    unstructured,
    wanda,
)
from hwprune_edu.util import notebooks, tables, validation

RNG = np.random.default_rng(0)
W = RNG.standard_normal((4, 8))  # a Linear (out, in) weight
X = RNG.standard_normal((32, 8))  # calibration inputs (samples, in_features)
MASK = W > 0
CPU = profiles.get_profile("cpu-avx2")

# ------------------------------------------------------------------ value sets of this layer


def arrays_like(a, *, half=True, ints=True):
    """The same values in every layout and dtype a caller may hand over."""
    a = np.asarray(a, dtype=np.float64)
    out = [("float32", a.astype(np.float32)), ("list", a.tolist()), ("read-only", read_only(a)),
           ("strided", strided(a)), ("Fortran", np.asfortranarray(a))]
    if half:
        out.append(("float16", a.astype(np.float16)))
    if ints:
        out.append(("int", np.round(a * 10).astype(np.int64)))
    return tuple(out)


def masks_like(mask):
    mask = np.asarray(mask, bool)
    return (("0/1 ints", mask.astype(np.int8)), ("0/1 floats", mask.astype(np.float64)), ("read-only", read_only(mask)),
            ("strided", strided(mask)), ("list", mask.tolist()))


def tensor(a, **kwargs):
    import torch

    return torch.tensor(np.asarray(a), **kwargs)


def tensors(a):
    """Tensors where arrays go: a CPU tensor is read as an array; grad/bfloat16/meta ones are refused clearly."""
    import torch

    ok = (("cpu tensor", tensor(a, dtype=torch.float32)),)
    bad = (("tensor needing .detach()", tensor(a, dtype=torch.float32, requires_grad=True)),
           ("bfloat16 tensor", tensor(a, dtype=torch.float32).to(torch.bfloat16)),
           ("meta tensor", torch.empty(np.shape(a), device="meta")))
    return ok, bad


W_TENSOR_OK, W_TENSOR_BAD = tensors(W)
BAD_W = ARRAY + (("scalar", 3.0), ("empty", np.zeros((0, 8))), ("inf", np.full((4, 8), np.inf))) + W_TENSOR_BAD
OK_W = arrays_like(W) + W_TENSOR_OK
BAD_W2 = BAD_W + (("1-D", np.ones(8)), ("3-D", np.ones((2, 4, 8))))
OK_W2 = arrays_like(W)

AMOUNT_BAD = NUMBER + (("negative", -1), ("above one", 1.5), ("inf", math.inf), ("too many", 10**6), ("huge int", 10**400))
AMOUNT_OK = unusual_numbers(0.5) + (("np.int64", np.int64(2)), ("np.int32", np.int32(2)), ("0-d int array", np.array(2)),
                                    ("np.float16", np.float16(0.5)))
NONNEG = NUMBER + (("negative", -1), ("inf", math.inf))
BAD_MASK = (("None", None), ("str", "abc"), ("values not 0/1", np.full((4, 8), 2)), ("wrong shape", np.ones((8, 4), bool)),
            ("complex", np.ones((4, 8), complex)), ("ragged", [[True], [False, True]]))
LAYERS = [(RNG.standard_normal((6, 8)), RNG.standard_normal(6)), (RNG.standard_normal((3, 6)), np.zeros(3))]
BAD_LAYERS = (("None", None), ("str", "abc"), ("empty", []), ("not pairs", [(np.ones((2, 2)),)]),
              ("bias too long", [(np.ones((2, 2)), np.zeros(3))]), ("shapes do not chain", [LAYERS[0], (np.ones((3, 5)), np.zeros(3))]),
              ("nan weight", [(np.full((2, 2), np.nan), np.zeros(2))]), ("1-D W", [(np.ones(2), np.zeros(2))]))
OK_LAYERS = (("tuples of lists", [(w.tolist(), b.tolist()) for w, b in LAYERS]),
             ("float32", [(w.astype(np.float32), b.astype(np.float32)) for w, b in LAYERS]),
             ("read-only", [(read_only(w), read_only(b)) for w, b in LAYERS]),
             ("a tuple of lists", tuple([list(layer) for layer in LAYERS])))
BAD_X = ARRAY + (("1-D", np.ones(8)), ("wrong features", np.ones((5, 7))), ("empty", np.zeros((0, 8))))
OK_X = arrays_like(X, ints=False) + (("3-D tokens", X.reshape(4, 8, 8)),)
LAYER_NAME_BAD = TEXT + (("empty", ""), ("blank", "  "))
DAMP_BAD = NONNEG
DAMP_OK = unusual_numbers(0.01) + (("zero", 0),)
SHAPE_BAD = INTEGER + (("zero", 0), ("negative", -4))
SHAPE_OK = (("np.int64", np.int64(4)), ("np.int32", np.int32(4)), ("0-d int array", np.array(4)))
SYMMETRIC_H = X.T @ X + np.eye(8)


def _network(**extra):
    return {"weights": [np.ones((3, 2)), np.ones((1, 3))],
            "activations": [np.array([[1.0, 0.0, 2.0], [1.0, 0.0, 3.0]]), np.array([[3.0], [1.0]])], **extra}


def _hardware_kwargs():
    return {f.name: getattr(CPU, f.name) for f in dataclasses.fields(profiles.Hardware)}


def _hardware_bad():
    bad = {"name": LAYER_NAME_BAD, "description": TEXT[:3], "dataflow": (("None", None), ("unknown", "dataflow"), ("int", 1)),
           "sparse_kernels": (("None", None), ("list", [1]), ("not kernels", {"csr": 1})),
           "sources": (("None", None), ("not strings", {"clock_hz": 3}))}
    for label, (low, closed, allow_inf) in profiles._FLOAT_RANGES.items():
        values = NUMBER + (("negative", -1),) + (() if allow_inf else (("inf", math.inf),))
        bad[label] = values + ((("zero", 0),) if closed == "neither" else ())
    for label in ("weight_bits", "activation_bits"):
        bad[label] = POSITIVE + (("above 64", 65),)
    for label, (minimum, maximum) in profiles._INT_RANGES.items():
        bad[label] = INTEGER + (("below minimum", minimum - 1),) + ((("above maximum", maximum + 1),) if maximum else ())
    return bad


def _hardware_ok():
    ok = {label: unusual_numbers(float(getattr(CPU, label))) for label in profiles._FLOAT_RANGES}
    ok.update(weight_memory_bytes=(("inf", math.inf),), units=(("np.int64", np.int64(2)), ("0-d int array", np.array(2))))
    ok.update(weight_bits=unusual_numbers(16.0), overhead_s=(("zero", 0),) + unusual_numbers(1e-6))
    return ok


def _kernel_kwargs():
    return dict(name="csr", compute_efficiency=0.1, index_bits=32, bandwidth_efficiency=0.3, source="toy")


def _stats_kwargs():
    stats = mask_stats.describe_mask(MASK)
    return dict(pattern=stats.pattern, density=stats.density, shape=stats.shape, kept_rows=stats.kept_rows,
                kept_cols=stats.kept_cols, mask2d=MASK)


def _layer_kwargs():
    layer = workload.linear(2, 8, 4)
    return {f.name: getattr(layer, f.name) for f in dataclasses.fields(workload.Layer)}


def _layer_cost():
    return cost.simulate(workload.linear(2, 8, 4), "cpu-avx2").layers


PROFILE_TEXT = (Path(profiles.__file__).parent / "platforms" / "cpu-avx2.toml").read_text(encoding="utf-8")
NOTEBOOK_DIR = Path(tempfile.mkdtemp(prefix="hwprune-bad-input-"))
NOTEBOOK = NOTEBOOK_DIR / "tiny.ipynb"
NOTEBOOK.write_text(json.dumps({
    "cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {}, "outputs": [], "source": "1 + 1"}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
HARDWARE_BAD = (("None", None), ("int", 3), ("unknown name", "tpu"), ("list", ["cpu-avx2"]))
HARDWARE_OK = (("a Hardware", CPU), ("a replaced Hardware", CPU.replace(units=2)))

# ------------------------------------------------------------------ the table

TABLE = [
    # ---------------------------------------------------------------- util.validation
    Probe(validation.check_number, (0.5,), {"name": "lr", "low": 0, "high": 1},
          bad={"value": NUMBER + (("above", 2), ("below", -1), ("inf", math.inf), ("huge int", 10**400)),
               "name": (("None", None), ("int", 3), ("empty", "")),
               "closed": (("unknown", "open"), ("None", None))},
          unusual={"value": unusual_numbers(0.5) + (("np.float16", np.float16(0.5)),)}, names_in_message={"value": "lr"}),
    Probe(validation.as_weights, (W,), bad={"weights": BAD_W}, unusual={"weights": OK_W + (("bool", MASK),)}),
    Probe(validation.as_mask, (MASK, (4, 8)), bad={"mask": BAD_MASK}, unusual={"mask": masks_like(MASK)}),
    Probe(validation.resolve_amount, (0.5, 10), bad={"amount": AMOUNT_BAD, "n": ()}, unusual={"amount": AMOUNT_OK}),
    Probe(validation.check_int, (3,), {"name": "n", "minimum": 1, "maximum": 5},
          bad={"value": INTEGER + (("below", 0), ("above", 6), ("0-d float array", np.array(2.0)))},
          unusual={"value": SHAPE_OK[:2] + (("0-d int array", np.array(3)), ("np.uint8", np.uint8(3)))},
          names_in_message={"value": "n"}),
    Probe(validation.check_positive_int, (4,), {"name": "batch"}, bad={"value": COUNT + (("zero", 0),)},
          unusual={"value": SHAPE_OK}, names_in_message={"value": "batch"}),
    Probe(validation.check_fraction, (0.5,), {"name": "sparsity"}, bad={"value": FRACTION}, unusual={"value": unusual_numbers(0.5)},
          names_in_message={"value": "sparsity"}),
    # ---------------------------------------------------------------- util.tables, util.notebooks
    Probe(tables.format_columns, ([("a", "b"), ("1", "2")],),
          bad={"rows": (("None", None), ("str", "ab"), ("empty", []), ("ragged", [("a", "b"), ("1",)]),
                        ("numbers", [("a",), (1,)]), ("rows of str", ["ab", "cd"])),
               "right": (("None", None), ("str", "1"), ("floats", [1.5])), "sep": (("None", None), ("int", 1))},
          unusual={"rows": (("lists", [["a", "b"], ["1", "2"]]), ("np.str_", [(np.str_("a"), "b"), ("1", "2")])),
                   "right": (("range", range(1, 2)), ("set", {1}))}),
    Probe(tables.format_si, (2.5e-6, "s"), bad={"value": NUMBER[:3] + NUMBER[4:], "unit": TEXT},
          unusual={"value": unusual_numbers(2.5e-6) + (("nan", math.nan), ("inf", math.inf), ("zero", 0))}),
    Probe(tables.HtmlCell, ("x",), bad={"text": TEXT, "colspan": COUNT + (("zero", 0),), "style": TEXT[:2],
                                        "raw": (("None", None), ("int", 1)), "header": (("str", "yes"),)}),
    Probe(tables.html_table, (["a"], [["1"]]),
          bad={"headers": (("None", None), ("str", "a")), "rows": (("None", None), ("str", "ab"), ("row not a list", [1])),
               "title": TEXT, "caption": TEXT[:2], "notes": (("str", "a"), ("numbers", [1]))},
          unusual={"rows": (("HtmlCell", [[tables.HtmlCell("<b>1</b>", raw=True)]]), ("tuples", (("1",),)))}),
    Probe(tables.Table, (["a"], [[1]]),
          bad={"headers": (("None", None), ("str", "a"), ("empty", [])),
               "rows": (("None", None), ("str", "ab"), ("wrong length", [[1, 2]]), ("row not a list", [1])),
               "title": TEXT},
          unusual={"rows": (("numbers", [[1.5]]), ("empty", []), ("tuples", ((2,),)))}),
    Probe(notebooks.execute_notebook, (NOTEBOOK,), {"save": False},
          bad={"path": (("None", None), ("int", 3), ("missing", NOTEBOOK_DIR / "none.ipynb"), ("a folder", NOTEBOOK_DIR)),
               "timeout_s": POSITIVE[1:], "save": (("str", "yes"), ("None", None)), "kernel_name": (("int", 3), ("empty", ""))},
          unusual={"timeout_s": (("fraction of a second, rounded up", 30.5),), "path": (("str", str(NOTEBOOK)),)}),
    # ---------------------------------------------------------------- pruning: masks, unstructured, structured
    Probe(masks.apply_mask, (W, MASK), bad={"weights": BAD_W[:5] + BAD_W[6:8] + BAD_W[9:], "mask": BAD_MASK},
          unusual={"weights": OK_W + (("nan", np.where(MASK, np.nan, 1.0)), ("inf", np.where(MASK, np.inf, 1.0)),
                                      ("bool", MASK)), "mask": masks_like(MASK)}),
    Probe(masks.sparsity, (MASK,),
          bad={"x": (("None", None), ("str", "abc"), ("empty", []), ("complex", np.ones(2, complex)),
                     ("object", np.array([object()])), ("ragged", [[1, 2], [3]]))},
          unusual={"x": (("a list of masks", [MASK, ~MASK]), ("0-d", np.array(0.0)), ("floats", W),
                         ("nan", np.array([np.nan, 0.0])), ("read-only", read_only(MASK)), ("strided", strided(MASK)),
                         ("int", MASK.astype(np.int8)), ("list", MASK.tolist()))}),
    Probe(unstructured.magnitude_mask, (W, 0.5), bad={"weights": BAD_W, "amount": AMOUNT_BAD},
          unusual={"weights": OK_W, "amount": AMOUNT_OK}),
    Probe(unstructured.threshold_mask, (W, 0.5), bad={"weights": BAD_W, "threshold": NONNEG},
          unusual={"weights": OK_W, "threshold": unusual_numbers(0.5) + (("zero", 0),)}),
    Probe(unstructured.global_magnitude_masks, ([W, W[:2]], 0.5),
          bad={"weights_list": (("None", None), ("str", "ab"), ("empty", []), ("an array", W), ("nan layer", [W, ARRAY[5][1]]),
                                ("ragged layer", [W, [[1.0], [1.0, 2.0]]])),
               "amount": AMOUNT_BAD},
          unusual={"weights_list": (("tuple", (W, W)), ("lists", [W.tolist(), W.tolist()]), ("float16", [W.astype(np.float16)]),
                                    ("read-only", [read_only(W)]), ("strided", [strided(W)])),
                   "amount": AMOUNT_OK}),
    Probe(structured.structured_mask, (W, 0.5),
          bad={"weights": BAD_W, "amount": AMOUNT_BAD, "axis": INTEGER + (("out of range", 2), ("below range", -3)),
               "norm": POSITIVE[:-1]},
          unusual={"weights": OK_W, "amount": AMOUNT_OK, "axis": (("np.int64", np.int64(1)), ("negative", -1)),
                   "norm": unusual_numbers(2) + (("inf", math.inf), ("p = 3", 3))}),
    Probe(structured.slice_norms, (W,), bad={"weights": BAD_W, "axis": INTEGER + (("out of range", 2),), "norm": POSITIVE[:-1]},
          unusual={"weights": OK_W, "norm": unusual_numbers(2) + (("inf", math.inf), ("p = 0.5", 0.5))}),
    Probe(structured.nm_mask, (W, 2, 4),
          bad={"weights": BAD_W, "n": COUNT + (("above m", 5),), "m": COUNT + (("zero", 0), ("does not divide", 3)),
               "axis": INTEGER + (("out of range", 2),)},
          unusual={"weights": OK_W, "n": SHAPE_OK[:2], "m": SHAPE_OK}),
    Probe(structured.block_mask, (W, 0.5), {"block": (2, 4)},
          bad={"weights": BAD_W + (("1-D", np.ones(8)),), "amount": AMOUNT_BAD,
               "block": (("None", None), ("int", 2), ("triple", (2, 2, 2)), ("float", (2.5, 2)), ("zero", (0, 4)),
                         ("does not tile", (3, 4)), ("str", "24"))},
          unusual={"weights": OK_W + (("4-D conv", np.ones((4, 2, 2, 2))),), "amount": AMOUNT_OK,
                   "block": (("list", [2, 4]), ("np.int64", (np.int64(2), np.int64(4))), ("array", np.array([2, 4])))}),
    # ---------------------------------------------------------------- pruning: patterns
    Probe(patterns.Pattern, ("n:m",), {"n": 2, "m": 4},
          bad={"kind": (("None", None), ("unknown", "sparse"), ("int", 1), ("list", ["dense"])),
               "n": COUNT + (("zero", 0), ("n = m", 4)), "m": INTEGER + (("one", 1),)},
          unusual={"n": (("np.int64", np.int64(1)),), "m": (("np.int64", np.int64(8)),)}),
    Probe(patterns.Pattern, ("block",), {"block": (4, 4)}, id="Pattern(block)",
          bad={"block": (("None", None), ("int", 4), ("triple", (4, 4, 4)), ("float", (2.5, 4)), ("zero", (0, 4))),
               "n": (("given", 2),)},
          unusual={"block": (("list", [4, 4]), ("np.int64", (np.int64(4), np.int64(2))))}),
    Probe(patterns.parse_pattern, ("2:4",),
          bad={"pattern": (("None", None), ("int", 24), ("unknown", "sparse"), ("no size", "block"), ("4:4", "4:4"),
                           ("0:4", "0:4"), ("half", "2:"), ("block 0x4", "block 0x4"), ("list", ["2:4"]))},
          unusual={"pattern": (("spaces", " 2 : 4 "), ("capitals", "BLOCK 4X4"), ("a Pattern", patterns.Pattern("dense")),
                               ("Structured", "Structured"))}),
    Probe(patterns.prune_to, (W, "unstructured", 0.5),
          bad={"weights": BAD_W2, "pattern": (("None", None), ("unknown", "sparse"), ("int", 3)),
               "sparsity": FRACTION[1:] + (("None", None),)},
          unusual={"weights": OK_W2, "sparsity": unusual_numbers(0.5),
                   "pattern": (("2:4", "2:4"), ("block", "block 2x4"), ("Pattern", patterns.Pattern("structured")))}),
    Probe(patterns.prune_to, (W, "2:4"), id="prune_to(2:4)",
          bad={"sparsity": (("not 1 - n/m", 0.3), ("str", "0.5"), ("bool", True), ("nan", math.nan))},
          unusual={"sparsity": unusual_numbers(0.5)}),
    # ---------------------------------------------------------------- pruning: activations
    Probe(activations.neuron_scores, (np.abs(X),),
          bad={"activations": ARRAY + (("1-D", np.ones(8)), ("3-D", np.ones((2, 3, 4)))) + tensors(X)[1],
               "method": (("None", None), ("unknown", "mean"), ("int", 1), ("unhashable", ["rms"]))},
          unusual={"activations": arrays_like(X) + (("4-D conv", np.ones((2, 3, 4, 4))), ("huge", np.full((3, 2), 1e200)))
                   + tensors(X)[0],
                   "method": (("rms", "rms"), ("apoz", "apoz"))}),
    Probe(activations.check_layers, (LAYERS,), bad={"layers": BAD_LAYERS}, unusual={"layers": OK_LAYERS}),
    Probe(activations.forward, (LAYERS, X), bad={"layers": BAD_LAYERS, "x": BAD_X[:-1]},
          unusual={"layers": OK_LAYERS, "x": arrays_like(X)}),
    Probe(activations.remove_neurons, (LAYERS, 0, np.arange(6) < 3),
          bad={"layers": BAD_LAYERS, "layer_index": INTEGER + (("last layer", 1), ("out of range", 5)),
               "keep": (("None", None), ("str", "abc"), ("wrong length", np.ones(5, bool)), ("none kept", np.zeros(6, bool)),
                        ("floats", np.ones(6)), ("repeated index", np.array([0, 0])), ("index out of range", np.array([9])))},
          unusual={"layer_index": (("np.int64", np.int64(0)), ("negative", -2)),
                   "keep": (("indices", np.array([0, 2])), ("list of bools", [True] * 3 + [False] * 3), ("read-only", read_only(np.arange(6) < 3)))}),
    # ---------------------------------------------------------------- pruning: one-shot LLM pruning, quantisation
    Probe(reconstruction.as_calibration, (X, 8), bad={"inputs": BAD_X, "in_features": SHAPE_BAD},
          unusual={"inputs": OK_X, "in_features": (("np.int64", np.int64(8)),)}),
    Probe(reconstruction.reconstruction_error, (W, W * MASK, X),
          bad={"weights": BAD_W2, "pruned_weights": BAD_W2 + (("wrong shape", np.ones((4, 4))),), "inputs": BAD_X},
          unusual={"weights": OK_W2, "pruned_weights": arrays_like(W * MASK), "inputs": OK_X}),
    Probe(wanda.input_norms, (X, 8), bad={"inputs": BAD_X, "in_features": SHAPE_BAD},
          unusual={"inputs": OK_X, "in_features": (("np.int64", np.int64(8)),)}),
    Probe(wanda.wanda_scores, (W, X), bad={"weights": BAD_W2, "inputs": BAD_X}, unusual={"weights": OK_W2, "inputs": OK_X}),
    Probe(wanda.wanda_mask, (W, X, 0.5),
          bad={"weights": BAD_W2, "inputs": BAD_X, "amount": AMOUNT_BAD}, unusual={"weights": OK_W2, "inputs": OK_X, "amount": AMOUNT_OK}),
    Probe(wanda.wanda_mask, (W, X), {"n": 2, "m": 4}, id="wanda_mask(n:m)",
          bad={"n": COUNT + (("above m", 5),), "m": COUNT + (("zero", 0), ("does not divide", 3)), "amount": (("with n:m", 0.5),)},
          unusual={"n": SHAPE_OK[:2], "m": SHAPE_OK}),
    Probe(sparsegpt.sparsegpt_prune, (W, X, 0.5),
          bad={"weights": BAD_W2, "inputs": BAD_X, "amount": AMOUNT_BAD, "block_size": COUNT + (("zero", 0),),
               "damp": DAMP_BAD},
          unusual={"weights": OK_W2, "inputs": OK_X, "amount": AMOUNT_OK, "damp": DAMP_OK, "block_size": SHAPE_OK}),
    Probe(sparsegpt.sparsegpt_prune, (W, X), {"n": 2, "m": 4, "block_size": 4}, id="sparsegpt_prune(n:m)",
          bad={"n": COUNT + (("above m", 5),), "m": COUNT + (("zero", 0),), "block_size": (("not a multiple of m", 6),)},
          unusual={"n": SHAPE_OK[:2]}),
    Probe(sparsegpt.sparsegpt_column_step, (W, X, 2, MASK[:, 0]),
          bad={"weights": BAD_W2, "inputs": BAD_X, "column": INTEGER + (("negative", -1), ("past the end", 8)),
               "prune_rows": (("None", None), ("str", "abc"), ("wrong length", np.ones(3, bool)), ("floats", np.ones(4))),
               "damp": DAMP_BAD},
          unusual={"weights": OK_W2, "inputs": OK_X, "column": SHAPE_OK[:2], "damp": DAMP_OK,
                   "prune_rows": (("list", MASK[:, 0].tolist()), ("read-only", read_only(MASK[:, 0])))}),
    Probe(sparsegpt.layer_hessian, (X, 8), bad={"inputs": BAD_X, "in_features": SHAPE_BAD, "damp": DAMP_BAD},
          unusual={"inputs": OK_X, "damp": DAMP_OK, "in_features": (("np.int64", np.int64(8)),)}),
    Probe(sparsegpt.inverse_hessian_factor, (SYMMETRIC_H,),
          bad={"hessian": ARRAY + (("1-D", np.ones(8)), ("not square", np.ones((2, 3))), ("not symmetric", np.triu(SYMMETRIC_H)),
                                   ("not positive definite", -np.eye(3)))},
          unusual={"hessian": (("float32", SYMMETRIC_H.astype(np.float32)), ("list", SYMMETRIC_H.tolist()),
                               ("read-only", read_only(SYMMETRIC_H)), ("strided", strided(SYMMETRIC_H)))}),
    Probe(quantise.fake_quantise, (W, 8),
          bad={"weights": BAD_W2, "bits": INTEGER + (("one", 1), ("above 16", 17)),
               "group_size": INTEGER[1:] + (("zero", 0), ("does not divide", 3))},
          unusual={"weights": OK_W2, "bits": SHAPE_OK, "group_size": (("np.int64", np.int64(4)), ("None", None))}),
    # ---------------------------------------------------------------- interview
    Probe(interview.weight_pruning, ({"weights": W},), {"threshold": 0.5},
          bad={"network": (("None", None), ("list", [W]), ("no weights", {"w": W}), ("nan weights", {"weights": ARRAY[5][1]}),
                           ("ragged", {"weights": [[1.0, 2.0], [3.0]]}), ("str weights", {"weights": "abc"}),
                           ("ragged layer in a list", {"weights": [W.tolist(), [[1.0], [1.0, 2.0]]]})),
               "threshold": NONNEG},
          unusual={"network": (("list of arrays", {"weights": [W, W[:2]]}), ("list of W.tolist()", {"weights": [W.tolist(), W.tolist()]}),
                               ("a matrix as lists", {"weights": W.tolist()}), ("float16", {"weights": W.astype(np.float16)}),
                               ("read-only", {"weights": read_only(W)}), ("extra keys", {"weights": W, "lr": 0.1})),
                   "threshold": unusual_numbers(0.5) + (("zero", 0),)}),
    Probe(interview.activation_pruning, (_network(),), {"activation_threshold": 0.5},
          bad={"network": (("None", None), ("no activations", {"weights": [np.ones((3, 2))]}),
                           ("wrong activation columns", _network(activations=[np.ones((2, 4))])),
                           ("bias of the wrong length", _network(biases=[np.zeros(2), np.zeros(1)])),
                           ("one bias for two layers", _network(biases=[np.zeros(3)])),
                           ("nan activations", _network(activations=[np.full((2, 3), np.nan)]))),
               "activation_threshold": NUMBER + (("inf", math.inf),)},
          unusual={"network": (("with biases", _network(biases=[np.zeros(3), np.zeros(1)])),
                               ("lists", {"weights": [w.tolist() for w in _network()["weights"]],
                                          "activations": [a.tolist() for a in _network()["activations"]]}),
                               ("float32", {k: [v.astype(np.float32) for v in vs] for k, vs in _network().items()})),
                   "activation_threshold": unusual_numbers(0.5) + (("negative", -1.0),)}),
    # ---------------------------------------------------------------- hardware: profiles
    Probe(profiles.Hardware, (), _hardware_kwargs(), bad=_hardware_bad(), unusual=_hardware_ok()),
    Probe(profiles.SparseKernel, (), _kernel_kwargs(),
          bad={"name": LAYER_NAME_BAD + (("dense", "dense"),), "compute_efficiency": FRACTION + (("zero", 0),),
               "bandwidth_efficiency": FRACTION + (("zero", 0),), "index_bits": NONNEG,
               "n": COUNT + (("without m", 2),), "m": COUNT, "min_block": COUNT, "interleave_units": COUNT,
               "relative_index_bits": COUNT, "skips_zero_activations": (("None", None), ("int", 1), ("str", "yes")),
               "source": TEXT[:2]},
          unusual={"compute_efficiency": unusual_numbers(0.5) + (("one", 1),), "index_bits": unusual_numbers(2.0),
                   "min_block": SHAPE_OK[:2], "skips_zero_activations": (("np.bool_", np.bool_(True)),)}),
    Probe(profiles.SparseKernel, (), dict(_kernel_kwargs(), n=2, m=4), id="SparseKernel(n:m)",
          bad={"n": (("above m", 5), ("zero", 0)), "min_block": (("two formats", 4),)},
          unusual={"n": (("n = m", 4), ("np.int64", np.int64(1)))}),
    Probe(profiles.get_profile, ("cpu-avx2",), bad={"name": HARDWARE_BAD}, names_in_message={"name": "hardware"},
          unusual={"name": (("a Hardware", CPU), ("np.str_", np.str_("gpu-ampere")))}),
    Probe(profiles.load_profile, (PROFILE_TEXT,),
          bad={"text": (("None", None), ("int", 3), ("bytes", PROFILE_TEXT.encode()), ("not TOML", "name = "),
                        ("empty", ""), ("a bad number", PROFILE_TEXT.replace('value = 4\n', 'value = -4\n', 1)),
                        ("a string number", PROFILE_TEXT.replace('value = 4\n', 'value = "4"\n', 1))),
               "where": (("None", None), ("int", 3))},
          names_in_message={"text": "profile"}),
    # ---------------------------------------------------------------- hardware: workloads and masks
    Probe(workload.linear, (2, 8, 4),
          bad={"batch": SHAPE_BAD, "in_features": SHAPE_BAD, "out_features": SHAPE_BAD,
               "weight_mask": BAD_MASK[1:], "activation_density": FRACTION + (("zero", 0),),
               "weight_bits": POSITIVE[1:] + (("above 64", 65),), "name": LAYER_NAME_BAD},
          unusual={"batch": SHAPE_OK, "in_features": SHAPE_OK[:2] + (("0-d", np.array(8)),), "weight_mask": masks_like(MASK),
                   "activation_density": unusual_numbers(0.5), "weight_bits": unusual_numbers(4.0) + (("half bits", 1.5),)},
          names_in_message={"weight_mask": "weight_mask"}),
    Probe(workload.conv2d, (1, 3, 4, 3, 8), {"padding": 1},
          bad={"batch": SHAPE_BAD, "in_ch": SHAPE_BAD, "out_ch": SHAPE_BAD,
               "kernel": INTEGER + (("zero", 0), ("triple", (3, 3, 3)), ("too big", 20)),
               "input_hw": INTEGER + (("zero", (0, 8)),), "stride": INTEGER + (("zero", 0),),
               "padding": INTEGER + (("negative", -1),), "weight_mask": BAD_MASK[1:3] + (("wrong shape", np.ones((4, 27), bool)),),
               "activation_density": FRACTION + (("zero", 0),), "weight_bits": POSITIVE[1:], "name": LAYER_NAME_BAD},
          unusual={"kernel": (("pair", (3, 1)), ("list", [3, 3]), ("np.int64", np.int64(3)), ("0-d", np.array(3))),
                   "input_hw": (("pair", (8, 6)), ("np.int64 pair", (np.int64(8), np.int64(8)))),
                   "weight_mask": (("4-D", np.ones((4, 3, 3, 3), bool)), ("0/1 ints", np.ones((4, 3, 3, 3), np.int8))),
                   "activation_density": unusual_numbers(0.5)}),
    Probe(workload.mlp_layers, (LAYERS, 16),
          bad={"layers": BAD_LAYERS[:5] + BAD_LAYERS[5:7], "batch": SHAPE_BAD},
          unusual={"layers": OK_LAYERS, "batch": SHAPE_OK}),
    Probe(workload.Layer, (), _layer_kwargs(),
          bad={"name": LAYER_NAME_BAD, "op": (("None", None), ("unknown", "matmul")), "m": SHAPE_BAD,
               "n": SHAPE_BAD + (("not the mask's", 5),), "k": SHAPE_BAD, "input_elements": SHAPE_BAD,
               "output_elements": SHAPE_BAD, "mask_stats": (("None", None), ("an array", MASK)),
               "activation_density": FRACTION + (("zero", 0),), "weight_bits": POSITIVE[1:]},
          unusual={"m": SHAPE_OK, "activation_density": unusual_numbers(0.5), "weight_bits": unusual_numbers(8.0)}),
    Probe(mask_stats.describe_mask, (MASK,),
          bad={"mask": BAD_MASK[:3] + BAD_MASK[4:] + (("1-D", np.ones(4, bool)), ("3-D", np.ones((2, 2, 2), bool)),
                                                      ("empty", np.zeros((0, 4), bool)))},
          unusual={"mask": masks_like(MASK) + (("4-D conv", np.ones((4, 2, 3, 3), bool)),)}),
    Probe(mask_stats.describe_pattern, (MASK,),
          bad={"mask": BAD_MASK[:3] + (("1-D", np.ones(4, bool)),)}, unusual={"mask": masks_like(MASK)}),
    Probe(mask_stats.MaskStats, (), _stats_kwargs(),
          bad={"pattern": (("None", None), ("str", "dense")), "density": FRACTION, "shape": (("None", None), ("int", 4), ("zero", (0, 8))),
               "kept_rows": COUNT + (("more than rows", 5),), "kept_cols": COUNT + (("more than cols", 9),),
               "mask2d": BAD_MASK[1:]},
          unusual={"density": unusual_numbers(0.5), "mask2d": (("None", None),) + masks_like(MASK)[:3],
                   "kept_rows": SHAPE_OK[:2]}),
    # ---------------------------------------------------------------- hardware: the cost model
    Probe(cost.gemm_macs, (2, 3, 4), bad={"m": SHAPE_BAD, "n": SHAPE_BAD, "k": SHAPE_BAD}, unusual={"m": SHAPE_OK, "k": SHAPE_OK}),
    Probe(cost.gemm_bytes, (2, 3, 4), bad={"m": SHAPE_BAD, "bytes_per_element": POSITIVE + (("list", [2]),)},
          unusual={"m": SHAPE_OK, "bytes_per_element": unusual_numbers(2) + (("int4", 0.5),)}),
    Probe(cost.gemm_arithmetic_intensity, (2, 3, 4), bad={"n": SHAPE_BAD, "bytes_per_element": POSITIVE},
          unusual={"n": SHAPE_OK, "bytes_per_element": unusual_numbers(2)}),
    Probe(cost.roofline_latency, (2e9, 1e6, 1e12, 1e9),
          bad={"flops": NONNEG, "bytes_moved": NONNEG, "peak_flops": POSITIVE, "bandwidth_bytes_per_s": POSITIVE},
          unusual={"flops": unusual_numbers(2e9) + (("zero", 0),), "bytes_moved": unusual_numbers(1e6),
                   "peak_flops": unusual_numbers(1e12), "bandwidth_bytes_per_s": unusual_numbers(1e9)}),
    Probe(cost.systolic_cycles, (1, 256, 256, 256, 256),
          bad={"m": SHAPE_BAD, "n": SHAPE_BAD, "k": SHAPE_BAD, "rows": SHAPE_BAD, "cols": SHAPE_BAD},
          unusual={"m": SHAPE_OK, "rows": SHAPE_OK}),
    Probe(cost.tiled_cycles, (16, 128, 1024, "gpu-ampere"),
          bad={"m": SHAPE_BAD, "n": SHAPE_BAD, "k": SHAPE_BAD, "hardware": HARDWARE_BAD},
          unusual={"k": SHAPE_OK, "hardware": HARDWARE_OK}),
    Probe(cost.simulate, ([workload.linear(2, 8, 4, weight_mask=MASK)], "gpu-ampere"),
          bad={"layers": (("None", None), ("str", "fc"), ("a list of None", [None]), ("a tuple of sizes", [(1, 4, 4)]),
                          ("an array", MASK)),
               "hardware": HARDWARE_BAD,
               "kernel": (("int", 1), ("unknown", "cusparse"), ("cannot hold the mask", "2:4 sparse tensor core"), ("list", ["dense"]))},
          unusual={"layers": (("one Layer", workload.linear(2, 8, 4)), ("tuple", (workload.linear(2, 8, 4),)), ("empty", [])),
                   "hardware": HARDWARE_OK, "kernel": (("dense", "dense"), ("by key", "sputnik"), ("block", "block-sparse"))}),
    Probe(report.SimulationReport, (CPU, ()), {}, setup=lambda: ((CPU, _layer_cost()), {}),
          bad={"hardware": (("None", None), ("str", "cpu-avx2")), "layers": (("None", None), ("list of None", [None]))},
          unusual={"layers": (("list", list(_layer_cost())), ("empty", ()))}),
    # ---------------------------------------------------------------- hardware: calibration and fidelity
    Probe(calibrate.spearman, ([1, 2, 3, 4], [10, 20, 40, 30]),
          bad={"a": ARRAY[:2] + ARRAY[3:] + (("2-D", np.ones((2, 2))), ("one value", [1]), ("constant", [1, 1, 1, 1]),
                                             ("inf", [1, 2, np.inf, 4]), ("other length", [1, 2, 3])) + W_TENSOR_BAD[:1],
               "b": (("nan", [1, np.nan, 2, 3]), ("None", None), ("str", "abcd"))},
          unusual={"a": arrays_like([1.0, 2.0, 3.0, 4.0], half=False) + (("float16", np.array([1, 2, 3, 4], np.float16)),
                                                                         ("cpu tensor", tensor([1.0, 2.0, 3.0, 4.0]))),
                   "b": (("tuple", (1, 2, 3, 4)), ("ties", [1, 1, 2, 3]))}),
    Probe(calibrate.host_profile, (40e9, 25e9, 2e-6),
          bad={"macs_per_s": POSITIVE, "memory_bandwidth_bytes_per_s": POSITIVE, "overhead_s": POSITIVE,
               "sources": (("list", ["a"]), ("not strings", {"overhead_s": 1})), "description": TEXT[1:],
               "csr_compute_efficiency": (("zero", 0.0), ("above 1", 1.5), ("nan", np.nan), ("bool", True), ("str", "0.3"))},
          unusual={"macs_per_s": unusual_numbers(40e9), "overhead_s": unusual_numbers(2e-6),
                   "csr_compute_efficiency": (("None", None), ("one", 1), ("np.float32", np.float32(0.25))),
                   "sources": (("None", None), ("dict", {"overhead_s": "my stopwatch"}))}),
    Probe(calibrate.check_linear_shapes, ([(1, 2, 3), (4, 5, 6)],),
          bad={"shapes": (("None", None), ("one shape", [(1, 2, 3)]), ("pairs", [(1, 2), (3, 4)]), ("zeros", [(0, 2, 3), (1, 2, 3)]),
                          ("floats", [(1.5, 2, 3), (1, 2, 3)]), ("str", "abc"))},
          unusual={"shapes": (("lists", [[1, 2, 3], [4, 5, 6]]), ("np.int64", [tuple(np.int64(v) for v in (1, 2, 3)), (4, 5, 6)]))}),
    Probe(calibrate.compare_latencies, ("cpu-avx2", [(1, 16, 16), (8, 64, 64)], [1e-6, 4e-6]),
          bad={"profile": HARDWARE_BAD, "shapes": (("None", None), ("one shape", [(1, 2, 3)])),
               "measured_s": (("None", None), ("str", "ab"), ("wrong length", [1e-6]), ("nan", [1e-6, np.nan]),
                              ("negative", [1e-6, -1.0]), ("zero", [1e-6, 0.0]), ("2-D", [[1e-6, 4e-6]]))},
          unusual={"profile": HARDWARE_OK, "measured_s": arrays_like([1e-6, 4e-6], half=False, ints=False)},
          names_in_message={"profile": "hardware"}),
    Probe(fidelity.random_mask, ((4, 8), 0.5),
          bad={"shape": (("zero", (0, 8)), ("floats", (2.5, 8)), ("None", None), ("3-D", (2, 2, 2)), ("int", 4)),
               "density": FRACTION, "seed": (("negative", -1), ("float", 1.5), ("str", "0"))},
          unusual={"shape": (("list", [4, 8]), ("np.int64", (np.int64(4), 8))), "density": unusual_numbers(0.5)}),
    Probe(fidelity.break_even_sparsity, ("cpu-avx2", 1, 64, 64), {"steps": 2},
          bad={"profile": HARDWARE_BAD, "batch": SHAPE_BAD, "in_features": SHAPE_BAD[:3],
               "kernel": (("unknown", "cusparse"), ("int", 1))},
          unusual={"profile": HARDWARE_OK[:1], "batch": SHAPE_OK[:1]},
          names_in_message={"profile": "hardware"}),
    Probe(fidelity.fidelity_table, ([fidelity.FidelityRow("p", "q", "x", 10.0, 12.0, 2.0, "ratio", "s", "w")],),
          bad={"rows": (("None", None), ("str", "rows"), ("dicts", [{"profile": "p"}]))},
          unusual={"rows": (("tuple", (fidelity.FidelityRow("p", "q", "x", 10.0, 9.0, 0.1, "points", "s", "w"),)), ("empty", []))}),
    Probe(validation.check_input_shape, ((1, 8, 8),),
          bad={"input_shape": (("str", "64"), ("empty", ()), ("zero", (0, 8)), ("float", (2.5,)), ("bool", True),
                               ("dict", {"a": 1}))},
          unusual={"input_shape": (("None", None), ("np.int64", np.int64(8)), ("0-d array", np.array(8)),
                                   ("list", [1, 8, 8]), ("1-D array", np.array([1, 8, 8])))}),
    Probe(fidelity.fidelity_rows, (["mcu-m4"],),
          bad={"profiles": (("int", 3), ("unknown", ["tpu-v9"]), ("ints", [1]))},
          unusual={"profiles": (("str", "mcu-m4"), ("tuple", ("mcu-m4",)), ("empty", []))}),
]

EXEMPT = {
    "hwprune_edu.util.validation.describe": "describes any object for an error message: every value is valid input",
    "hwprune_edu.hardware.report.LayerCost": "a result record the cost model fills (simulate builds every row); learners read it",
    "hwprune_edu.hardware.calibrate.ComparisonResult": "a result record compare_latencies builds from checked inputs",
    "hwprune_edu.hardware.fidelity.FidelityRow": "a result record read from the shipped fidelity.toml, never typed by a user",
    "hwprune_edu.util.tables.Preformatted": "a str subclass (the studies' tables return it): it takes what str() takes",
}


@pytest.mark.parametrize(("probe", "kind", "arg", "value"), parametrize(TABLE))
def test_table(probe, kind, arg, value):
    run(probe, kind, arg, value)
