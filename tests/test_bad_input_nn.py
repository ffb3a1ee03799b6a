"""Bad-input table: nn layer (see tests/bad_input.py for the harness).

Tiny models (4 inputs, 4 hidden units, 2 classes) and tiny data keep the whole
table to a few seconds; models passed as arguments are deep-copied per call by
the harness, so no case sees another's training or pruning.
"""

import math
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from bad_input import (
    ARRAY,
    COUNT,
    FRACTION,
    INTEGER,
    NUMBER,
    POSITIVE,
    TEXT,
    Probe,
    bad_tensors,
    parametrize,
    read_only,
    run,
    strided,
    unusual_numbers,
    unusual_tensors,
)
from torch import nn

from hwprune_edu.nn import checks, costing, data, family, language, methods, scoped, search, splits, statistics
from hwprune_edu.nn import surgery, timing

pytestmark = pytest.mark.usefixtures("one_thread")

# --- tiny inputs -------------------------------------------------------------------------------------------------
torch.manual_seed(0)  # the tiny models below are built once, at import, from this seed
MLP = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
META_MLP = nn.Sequential(nn.Linear(4, 4, device="meta"), nn.ReLU(), nn.Linear(4, 2, device="meta"))
_rng = np.random.default_rng(0)
_X, _Y = _rng.random((12, 4)).astype(np.float32), np.arange(12) % 2
DATA = splits.from_arrays(_X[:8], _Y[:8], _X[8:10], _Y[8:10], _X[10:], _Y[10:], image_shape=(1, 2, 2))
X = torch.from_numpy(_X[:6])
Y = torch.from_numpy(_Y[:6])
LM_CONFIG = language.LMConfig(vocab_size=4, context=4, d_model=8, n_layers=1, n_heads=2, d_ff=8)
LM = language.TinyLM(LM_CONFIG)
CORPUS = language.CharCorpus("abcd", torch.arange(40) % 4, torch.arange(12) % 4, "0" * 64)
OUT_DIR = Path(tempfile.mkdtemp(prefix="hwprune-bad-input-"))

# --- value sets of this layer ------------------------------------------------------------------------------------
# Where any nn.Module goes.
MODEL = (("None", None), ("str", "mlp"), ("array", np.ones((2, 2))), ("dict", {"0": MLP}))
# ... and where its weights are read or run: a meta model has shapes but no values.
MODEL_WITH_DATA = MODEL + (("meta", META_MLP),)
# Where a flat nn.Sequential of the family goes.
SEQUENTIAL = MODEL_WITH_DATA + (("Linear", nn.Linear(4, 2)), ("LSTM inside", nn.Sequential(nn.LSTM(4, 4))))
# The same model in other dtypes: valid everywhere a model goes.
# (.double() converts a module in place, hence copies of MLP.)
OTHER_DTYPES = (
    ("float64", surgery.copy_model(MLP).double()),
    ("half", surgery.copy_model(MLP).half()),
    ("bfloat16", surgery.copy_model(MLP).to(torch.bfloat16)),
)
SPLITS = (("None", None), ("tuple", (X, Y)), ("str", "digits"), ("dict", {"x_train": X}))
POSITIVE_INT = COUNT + (("zero", 0),)
SEED = INTEGER + (("negative", -1), ("2**64", 2**64))
SKLEARN_SEED = INTEGER + (("negative", -1), ("2**32", 2**32))
WIDTHS = (("None", None), ("str", "8"), ("int", 8), ("empty", ()), ("zero", (0,)), ("float", (2.5,)), ("bool", (True,)))
INPUT_SHAPE = (("str", "4"), ("zero", (0,)), ("float", (2.5,)), ("bool", True), ("empty", ()), ("wrong", (5,)))
BATCH = bad_tensors((6, 4)) + (("None", None), ("str", "abc"), ("int", 3), ("ragged", [[1.0, 2.0], [3.0]]))
UNUSUAL_BATCH = unusual_tensors((6, 4))
LR = POSITIVE + (("diverging", 1e30),)  # in range, but the loss becomes inf: stopped with an error naming lr
THREADS = POSITIVE_INT[1:]  # None is valid: leave torch's thread count alone
FLAG = (("None", None), ("str", "no"), ("int", 1))


def _geometry():
    return costing.model_geometry(MLP)


TABLE = [
    # --- checks ---------------------------------------------------------------------------------------------------
    Probe(checks.check_module, (MLP,), bad={"model": MODEL_WITH_DATA}, unusual={"model": OTHER_DTYPES}),
    Probe(checks.model_dtype, (MLP,), unusual={"model": OTHER_DTYPES + (("no parameters", nn.ReLU()),)}),
    Probe(checks.as_batch, (X, MLP), {"name": "inputs"}, bad={"x": BATCH[:4] + BATCH[5:]},
          unusual={"x": UNUSUAL_BATCH, "model": OTHER_DTYPES + (("None", None),)}, names_in_message={"x": "inputs"}),
    Probe(checks.to_numpy, (torch.ones(2),), {"name": "weight"},
          bad={"t": (("None", None), ("array", np.ones(2)), ("meta", torch.ones(2, device="meta")))},
          unusual={"t": UNUSUAL_BATCH[:4] + UNUSUAL_BATCH[6:7]}, names_in_message={"t": "weight"}),
    Probe(checks.check_seed, (0,), bad={"seed": SEED}, unusual={"seed": (("np.int64", np.int64(3)), ("2**64-1", 2**64 - 1))}),
    Probe(checks.check_lr, (1e-3,), bad={"lr": POSITIVE}, unusual={"lr": unusual_numbers(1e-3)}),
    Probe(checks.check_finite_loss, (0.5,), {"step": 1, "lr": 1.0, "updated": True},
          bad={"loss": (("nan", math.nan), ("inf", math.inf))}, names_in_message={"loss": "lr"}),
    # --- splits and data --------------------------------------------------------------------------------------------
    Probe(splits.check_splits, (DATA,), bad={"data": SPLITS}),
    Probe(splits.Splits, (DATA.x_train, DATA.y_train, DATA.x_val, DATA.y_val, DATA.x_test, DATA.y_test),
          {"image_shape": (4,), "n_classes": 2},
          bad={"x_train": (("None", None), ("array", _X[:8]), ("1-D", torch.ones(8)), ("int", torch.ones(8, 4).long())),
               "y_train": (("float", torch.zeros(8)), ("short", torch.zeros(7).long()), ("negative", -torch.ones(8).long())),
               "n_classes": INTEGER + (("one", 1),), "image_shape": (("str", "4"), ("float", (4.0,)), ("wrong", (3,))),
               "seed": COUNT, "name": TEXT + (("empty", ""),)},
          unusual={"n_classes": (("np.int64", np.int64(2)),), "image_shape": (("list", [2, 2]), ("np", np.array([1, 4])))},
          names_in_message={"n_classes": "n_classes"}),
    Probe(splits.from_arrays, (_X[:8], _Y[:8], _X[8:10], _Y[8:10], _X[10:], _Y[10:]),
          bad={"x_train": ARRAY + (("1-D", np.ones(8)), ("empty", np.ones((0, 4))), ("meta", torch.ones(8, 4, device="meta"))),
               "y_train": (("float", np.zeros(8)), ("2-D", np.zeros((8, 1), int)), ("short", np.zeros(7, int)),
                           ("negative", -np.ones(8, int)), ("None", None)),
               "n_classes": INTEGER[1:] + (("one", 1),), "image_shape": INPUT_SHAPE,
               "seed": COUNT, "name": TEXT + (("empty", ""),)},
          unusual={"x_train": (("read-only", read_only(_X[:8])), ("strided", strided(_X[:8])),
                               ("tensor requiring grad", torch.from_numpy(_X[:8]).requires_grad_()),
                               ("bfloat16 tensor", torch.from_numpy(_X[:8]).to(torch.bfloat16)),
                               ("float64", _X[:8].astype(np.float64)), ("int", (_X[:8] * 10).astype(int))),
                   "y_train": (("int32", _Y[:8].astype(np.int32)), ("tensor", torch.from_numpy(_Y[:8])),
                               ("list", _Y[:8].tolist())),
                   "n_classes": (("np.int64", np.int64(3)),), "image_shape": (("np", np.array([2, 2])),),
                   "seed": (("np.int64", np.int64(1)),)}),
    Probe(data.load_digits, (), bad={"seed": SKLEARN_SEED}, unusual={"seed": (("np.int64", np.int64(1)),)}),
    Probe(data.load_mnist1d, (), {"n_samples": 50},
          bad={"seed": SKLEARN_SEED, "n_samples": POSITIVE_INT + (("not a multiple of 10", 55), ("too few", 40))},
          unusual={"n_samples": (("np.int64", np.int64(50)),)}),
    Probe(data.mlp, (4, (3,), 2),
          bad={"n_features": POSITIVE_INT, "hidden": WIDTHS, "n_classes": POSITIVE_INT, "seed": SEED},
          unusual={"n_features": (("np.int64", np.int64(4)),), "hidden": (("list of np.int64", [np.int64(3)]),),
                   "seed": (("np.int64", np.int64(2)), ("2**64-1", 2**64 - 1))},
          names_in_message={"hidden": "hidden"}),
    Probe(data.digits_mlp, ((4,),), bad={"hidden": WIDTHS, "seed": SEED}, unusual={"hidden": (("list", [4]),)}),
    Probe(data.digits_cnn, ((2,),), bad={"channels": WIDTHS, "seed": SEED},
          unusual={"channels": (("np", [np.int64(2)]),), "seed": (("np.int64", np.int64(5)),)}),
    Probe(data.mnist1d_cnn, ((2,),), {"length": 8},
          bad={"channels": WIDTHS, "kernel": POSITIVE_INT + (("even", 4),), "length": POSITIVE_INT,
               "n_classes": POSITIVE_INT, "seed": SEED},
          unusual={"kernel": (("np.int64", np.int64(3)),), "length": (("np.int64", np.int64(8)),)}),
    Probe(data.progress_bar, (range(2),), {"progress": False}, bad={"progress": FLAG},
          unusual={"progress": (("np.bool_", np.bool_(False)),)}),
    Probe(data.steps_per_epoch, (DATA, 4), bad={"data": SPLITS, "batch_size": POSITIVE_INT},
          unusual={"batch_size": (("np.int64", np.int64(4)),)}),
    Probe(data.evaluate, (MLP, DATA),
          bad={"model": MODEL_WITH_DATA + (("wrong inputs", nn.Linear(3, 2)), ("too few outputs", nn.Linear(4, 1))),
               "data": SPLITS, "split": TEXT + (("unknown", "dev"),), "batch_size": POSITIVE_INT},
          unusual={"model": OTHER_DTYPES, "batch_size": (("np.int64", np.int64(3)),)},
          names_in_message={"split": "split"}),
    Probe(data.train, (MLP, DATA, 1), {"progress": False, "batch_size": 4},  # 2 steps: a diverging lr shows
          bad={"model": MODEL_WITH_DATA + (("wrong inputs", nn.Linear(3, 2)),), "data": SPLITS, "epochs": COUNT,
               "lr": LR, "batch_size": POSITIVE_INT, "weight_decay": NUMBER + (("negative", -1e-4), ("inf", math.inf)),
               "seed": SEED, "progress": FLAG, "max_steps": COUNT[1:], "num_threads": THREADS},
          unusual={"model": OTHER_DTYPES[:1], "lr": unusual_numbers(1e-3), "epochs": (("np.int64", np.int64(1)),),
                   "batch_size": (("np.int64", np.int64(4)),), "seed": (("np.int64", np.int64(1)),),
                   "weight_decay": unusual_numbers(1e-4), "num_threads": (("None", None), ("np.int64", np.int64(1)))}),
    Probe(data.finetune, (MLP, DATA, 2),
          bad={"model": MODEL_WITH_DATA, "data": SPLITS, "steps": COUNT, "lr": LR, "batch_size": POSITIVE_INT,
               "seed": SEED, "num_threads": THREADS},
          unusual={"model": OTHER_DTYPES[:1], "steps": (("np.int64", np.int64(2)),), "lr": unusual_numbers(1e-2)}),
    # --- family -----------------------------------------------------------------------------------------------------
    Probe(family.check_sequential, (MLP,), bad={"model": SEQUENTIAL[:4] + SEQUENTIAL[5:]},
          unusual={"model": (("meta", META_MLP),) + OTHER_DTYPES}),
    Probe(family.layer_index, (MLP, 0), bad={"model": SEQUENTIAL[:4] + SEQUENTIAL[5:],
                                             "layer": INTEGER[:1] + INTEGER[2:] + (("too large", 3), ("too small", -4), ("word", "first"),
                                                                 ("empty", ""), ("float text", "1.0"))},
          unusual={"layer": (("np.int64", np.int64(0)), ("negative", -1), ("text", "2"), ("spaced text", " 2"))}),
    Probe(family.chain, (MLP, 0), bad={"model": SEQUENTIAL[:4] + SEQUENTIAL[5:],
                                       "index": INTEGER + (("ReLU", 1), ("too large", 3))},
          unusual={"index": (("np.int64", np.int64(0)), ("text", "0"), ("negative", -3))}),
    Probe(family.prunable_layers, (MLP,), bad={"model": SEQUENTIAL[:4] + SEQUENTIAL[5:]},
          unusual={"model": (("meta", META_MLP),) + OTHER_DTYPES}),
    Probe(family.layer_widths, (MLP,), bad={"model": SEQUENTIAL[:4] + SEQUENTIAL[5:]},
          unusual={"model": (("meta", META_MLP),)}),
    Probe(family.unit_count, (nn.Linear(4, 3),),
          bad={"module": (("None", None), ("ReLU", nn.ReLU()), ("str", "Linear"))},
          unusual={"module": (("Conv2d", nn.Conv2d(1, 3, 3)), ("meta", nn.Linear(4, 3, device="meta")))}),
    Probe(family.sample_shape, (MLP,), bad={"model": SEQUENTIAL[:4] + (("empty", nn.Sequential()),),
                                            "input_shape": INPUT_SHAPE[:5]},
          unusual={"input_shape": (("np.int64", np.int64(4)), ("list", [4]), ("torch.Size", torch.Size([4])),
                                   ("np array", np.array([1, 2, 2])))}),
    # --- language ---------------------------------------------------------------------------------------------------
    Probe(language.CharCorpus, ("abcd", CORPUS.train, CORPUS.val, "0" * 64),
          bad={"vocab": TEXT + (("empty", ""),),
               "train": (("None", None), ("list", [0, 1]), ("float", torch.zeros(4)), ("2-D", torch.zeros(2, 2).long()),
                         ("out of range", torch.tensor([0, 9]))),
               "sha256": (("None", None), ("bytes", b"00"))}),
    Probe(language.LMConfig, (4,), {"context": 4, "d_model": 8, "n_heads": 2, "d_ff": 8, "n_layers": 1},
          bad={"vocab_size": POSITIVE_INT, "context": POSITIVE_INT, "d_model": POSITIVE_INT + (("not / n_heads", 9),),
               "n_heads": POSITIVE_INT + (("3 does not divide 8", 3),), "n_layers": POSITIVE_INT, "d_ff": POSITIVE_INT},
          unusual={"vocab_size": (("np.int64", np.int64(4)),)}, names_in_message={"n_heads": "n_heads"}),
    Probe(language.TinyLM, (LM_CONFIG,), bad={"config": (("None", None), ("dict", {"vocab_size": 4})), "seed": SEED},
          unusual={"seed": (("np.int64", np.int64(3)),)}),
    Probe(language.linear_layers, (LM,), bad={"model": MODEL}),
    Probe(language.load_corpus, (), bad={"val_fraction": FRACTION + (("zero", 0), ("one", 1))},
          unusual={"val_fraction": unusual_numbers(0.25)}),
    Probe(language.load_tiny_lm, (), bad={"path": (("int", 3), ("list", ["a"]), ("missing", OUT_DIR / "missing.npz"),
                                                    ("a folder", OUT_DIR), ("empty", ""))}),
    Probe(language.perplexity, (LM, CORPUS.val), {"max_windows": 2},
          bad={"model": MODEL_WITH_DATA + (("Linear", nn.Linear(4, 4)),),
               "ids": (("None", None), ("list", [0, 1, 2]), ("float", torch.zeros(12)), ("2-D", torch.zeros(3, 4).long()),
                       ("out of range", torch.arange(12)), ("negative", -torch.ones(12).long()), ("too short", torch.zeros(3).long()),
                       ("meta", torch.zeros(12, dtype=torch.int64, device="meta"))),
               "max_windows": POSITIVE_INT[1:], "batch_size": POSITIVE_INT, "num_threads": THREADS},
          unusual={"max_windows": (("np.int64", np.int64(1)), ("None", None)), "batch_size": (("np.int64", np.int64(1)),)}),
    Probe(language.save_tiny_lm, (LM, CORPUS, OUT_DIR / "lm.npz"),
          bad={"model": MODEL_WITH_DATA + (("Linear", nn.Linear(4, 4)),), "corpus": (("None", None), ("str", "abcd")),
               "path": (("None", None), ("int", 3), ("list", ["a"]), ("empty", ""))},
          unusual={"path": (("str", str(OUT_DIR / "lm2.npz")),)}),
    Probe(language.train_tiny_lm, (CORPUS,), {"steps": 2, "config": LM_CONFIG, "batch_size": 2},
          bad={"corpus": (("None", None), ("str", "abcd")), "steps": POSITIVE_INT, "config": (("dict", {"d_model": 8}),),
               "batch_size": POSITIVE_INT, "lr": LR, "seed": SEED, "num_threads": THREADS, "log_every": COUNT},
          unusual={"lr": unusual_numbers(1e-3)[:2], "seed": (("np.int64", np.int64(1)),),
                   "steps": (("np.int64", np.int64(1)),)}),
    # --- methods ----------------------------------------------------------------------------------------------------
    Probe(methods.NMPruning, (2, 4),
          bad={"n": COUNT + (("more than m", 5),), "m": POSITIVE_INT, "axis": INTEGER,
               "shapes": (("str", "8,4"), ("empty", []), ("float dim", [(2.9, 4)]), ("None dim", [None]),
                          ("zero dim", [(0, 4)]), ("int", 3))},
          unusual={"n": (("np.int64", np.int64(1)),), "m": (("np.int64", np.int64(4)),),
                   "shapes": (("torch.Size", [torch.Size([2, 4])]), ("np dims", [np.array([2, 4])]))},
          names_in_message={"n": "n"}),
    Probe(methods.BlockPruning, (0.5,), {"block": (2, 2)},
          bad={"amount": NUMBER + (("negative", -1), ("above one", 1.5)),
               "block": (("None", None), ("one", (2,)), ("zero", (0, 2)), ("float", (2.5, 2)), ("str", "22")),
               "shapes": (("str", "8,4"), ("float dim", [(2.9, 4)]))},
          unusual={"amount": unusual_numbers(0.5) + (("count", 1), ("np.int64 count", np.int64(1))),
                   "block": (("list", [2, 2]), ("np.int64", (np.int64(2), np.int64(2))))},
          names_in_message={"block": "block"}),
    Probe(methods.nm_prune, (nn.Linear(8, 4),),
          bad={"module": MODEL_WITH_DATA[:3] + (("meta", nn.Linear(8, 4, device="meta")),),
               "name": TEXT + (("missing", "weights"),), "n": COUNT + (("more than m", 5),), "m": POSITIVE_INT},
          unusual={"module": (("bfloat16", nn.Linear(8, 4).to(torch.bfloat16)), ("half", nn.Linear(8, 4).half()),
                              ("float64", nn.Linear(8, 4).double()), ("Conv2d", nn.Conv2d(4, 2, 3))),
                   "name": (("bias", "bias"),), "n": (("np.int64", np.int64(1)),)},
          names_in_message={"n": "n"}),
    Probe(methods.block_prune, (nn.Linear(8, 8),), {"block": (2, 2)},
          bad={"module": MODEL_WITH_DATA[:3] + (("meta", nn.Linear(8, 8, device="meta")),),
               "name": TEXT + (("missing", "weights"),), "amount": NUMBER + (("negative", -1), ("above one", 1.5)),
               "block": (("None", None), ("zero", (0, 2)), ("float", (2.5, 2)), ("does not tile", (3, 3)))},
          unusual={"module": (("bfloat16", nn.Linear(8, 8).to(torch.bfloat16)), ("half", nn.Linear(8, 8).half()),
                              ("float64", nn.Linear(8, 8).double())),
                   "amount": unusual_numbers(0.25)}),
    # --- scoped -----------------------------------------------------------------------------------------------------
    Probe(scoped.training_mode, (MLP,), bad={"model": MODEL, "mode": FLAG},
          unusual={"mode": (("np.bool_", np.bool_(False)),), "model": (("meta", META_MLP),)}),
    Probe(scoped.evaluating, (MLP,), bad={"model": MODEL}),
    Probe(scoped.fixed_threads, (1,), bad={"num_threads": THREADS},
          unusual={"num_threads": (("np.int64", np.int64(1)), ("None", None))}),
    # --- search -----------------------------------------------------------------------------------------------------
    Probe(search.prepare_model, (MLP, DATA),
          bad={"model": SEQUENTIAL + (("no prunable layer", nn.Sequential(nn.Linear(4, 2))),), "data": SPLITS},
          unusual={"model": OTHER_DTYPES}, names_in_message={"data": "data"}),
    Probe(search.unit_importance, (MLP, 0, "mean_abs", X),
          bad={"model": SEQUENTIAL, "layer": INTEGER + (("ReLU", 1), ("last", 2), ("too large", 5)),
               "method": TEXT + (("unknown", "l2"), ("dict", {})), "calibration": BATCH},
          unusual={"model": OTHER_DTYPES, "layer": (("np.int64", np.int64(0)), ("text", "0")),
                   "calibration": UNUSUAL_BATCH + (("(x, y)", (X, Y)),)},
          names_in_message={"method": "importance"}),
    Probe(search.taylor_importance, (MLP, X, Y),
          bad={"model": SEQUENTIAL, "x": BATCH + (("empty", torch.ones(0, 4)),),
               "y": (("None", None), ("float", Y.float()), ("short", Y[:3]), ("negative", -Y - 1),
                     ("beyond the outputs", Y + 5), ("2-D", Y[:, None])),
               "layers": (("str", "0"), ("ReLU", [1]), ("last", [2]), ("float", [2.5]), ("int", 0)),
               "batch_size": POSITIVE_INT},
          unusual={"model": OTHER_DTYPES[:1], "x": UNUSUAL_BATCH,
                   "y": (("np int64", Y.numpy()), ("int32", Y.int())), "layers": (("np.int64", [np.int64(0)]),),
                   "batch_size": (("np.int64", np.int64(2)),)},
          names_in_message={"y": "y"}),
    Probe(search.shrink, (MLP, {0: 2}, "mean_abs", X),
          bad={"model": SEQUENTIAL, "widths": (("None", None), ("list", [2]), ("zero", {0: 0}), ("too many", {0: 9}),
                                               ("float", {0: 2.5}), ("ReLU", {1: 2}), ("last", {2: 1}),
                                               ("twice", {0: 2, "0": 3}), ("bad key", {"x": 2})),
               "method": TEXT + (("unknown", "l2"),), "calibration": BATCH},
          unusual={"widths": (("np.int64", {0: np.int64(2)}), ("text key", {"0": 2}), ("all", {0: 4})),
                   "calibration": UNUSUAL_BATCH},
          names_in_message={"method": "importance"}),
    Probe(search.global_magnitude_masks, (MLP, 0.5),
          bad={"model": MODEL_WITH_DATA, "amount": NUMBER[1:] + (("negative", -1), ("above one", 1.5), ("too many", 99))},
          unusual={"model": OTHER_DTYPES[:1], "amount": unusual_numbers(0.5) + (("count", 3),)}),
    Probe(search.global_magnitude_masks, (MLP,), {"target_params": 10}, id="global_magnitude_masks(target_params)",
          bad={"target_params": COUNT + (("more than dense", 99),)}, unusual={"target_params": (("np.int64", np.int64(10)),)}),
    # --- statistics -------------------------------------------------------------------------------------------------
    Probe(statistics.ActivationStats, (np.ones(3), np.ones(3), np.zeros(3), 4, 1),
          bad={"mean_abs": ARRAY + (("negative", -np.ones(3)), ("2-D", np.ones((3, 1))), ("short", np.ones(2))),
               "apoz": (("above one", np.full(3, 1.5)),), "n_samples": POSITIVE_INT, "measured_at": COUNT},
          unusual={"mean_abs": (("read-only", read_only(np.ones(3))), ("list", [1, 1, 1])),
                   "n_samples": (("np.int64", np.int64(4)),)},
          names_in_message={"apoz": "apoz"}),
    Probe(statistics.activation_statistics, (MLP, X),
          bad={"model": SEQUENTIAL, "inputs": BATCH,
               "layers": (("str", "0"), ("int", 0), ("ReLU", [1]), ("too large", [5]), ("float", [2.5])),
               "batch_size": POSITIVE_INT},
          unusual={"model": OTHER_DTYPES, "inputs": UNUSUAL_BATCH + (("batches", [X[:3], X[3:]]),
                                                                    ("(x, y) batches", [(X[:3], Y[:3])])),
                   "layers": (("np.int64", [np.int64(0)]), ("text", ["0"]), ("negative", [-1])),
                   "batch_size": (("np.int64", np.int64(2)),)}),
    # --- surgery ----------------------------------------------------------------------------------------------------
    Probe(surgery.copy_model, (MLP,), bad={"model": MODEL}, unusual={"model": (("meta", META_MLP),) + OTHER_DTYPES}),
    Probe(surgery.count_parameters, (MLP,), bad={"model": MODEL}, unusual={"model": (("meta", META_MLP),)}),
    Probe(surgery.make_masks_permanent, (MLP,), bad={"model": MODEL_WITH_DATA}, unusual={"model": OTHER_DTYPES}),
    Probe(surgery.remove_units, (MLP, {0: [0, 1]}),
          bad={"model": SEQUENTIAL,
               "keep": (("None", None), ("list", [0, 1]), ("same layer twice", {0: [1, 2, 3], "0": [0, 1]}),
                        ("index and negative", {0: [1], -3: [2]}), ("ReLU", {1: [0]}), ("last", {2: [0]}),
                        ("none kept", {0: []}), ("out of range", {0: [9]}), ("float indices", {0: [0.5]}),
                        ("mask too short", {0: [True]}), ("repeated", {0: [0, 0]}), ("None units", {0: None}),
                        ("text units", {0: "ab"}), ("float key", {2.5: [0]}), ("word key", {"x": [0]}),
                        ("meta units", {0: torch.ones(2, dtype=torch.int64, device="meta")}))},
          unusual={"model": OTHER_DTYPES,
                   "keep": (("np keys and values", {np.int64(0): np.array([0, 1])}), ("text key", {"0": [0, 1]}),
                            ("tensor", {0: torch.tensor([0, 1])}), ("bool tensor", {0: torch.tensor([1, 0, 1, 1]).bool()}),
                            ("negative key", {-3: [0]}), ("tuple", {0: (0, 1)}), ("uint8", {0: np.array([0, 1], np.uint8)}))},
          names_in_message={"keep": "keep"}),
    # --- costing ----------------------------------------------------------------------------------------------------
    Probe(costing.LayerGeometry, (0, "linear", 4, 8),
          bad={"index": COUNT, "op": TEXT + (("unknown", "dense"),), "in_units": POSITIVE_INT, "out_units": POSITIVE_INT,
               "kernel": (("for a linear", (3, 3)),)},
          unusual={"index": (("np.int64", np.int64(0)),), "in_units": (("np.int64", np.int64(4)),)},
          names_in_message={"kernel": "kernel"}),
    Probe(costing.model_geometry, (MLP,), bad={"model": SEQUENTIAL, "input_shape": INPUT_SHAPE},
          unusual={"model": OTHER_DTYPES, "input_shape": (("np.int64", np.int64(4)), ("list", [4]), ("np", np.array([4])))}),
    Probe(costing.workload_from_geometry, (), setup=lambda: ((_geometry(), 2), {}),
          bad={"geometry": (("None", None), ("str", "mlp"), ("list of ints", [1, 2])), "batch": POSITIVE_INT,
               "widths": (("str", "2"), ("list", [2]), ("zero", {0: 0}), ("float", {0: 2.5}), ("None", {0: None})),
               "masks": (("str", "mask"), ("list", [np.ones((4, 4), bool)]))},
          unusual={"batch": (("np.int64", np.int64(2)),), "widths": (("np.int64", {0: np.int64(2)}),),
                   "masks": (("bool tensor", {0: torch.ones(4, 4, dtype=torch.bool)}), ("None", {0: None}))}),
    Probe(costing.workload_from_model, (MLP,),
          bad={"model": SEQUENTIAL, "input_shape": INPUT_SHAPE, "batch": POSITIVE_INT},
          unusual={"model": OTHER_DTYPES, "input_shape": (("np.int64", np.int64(4)),),
                   "batch": (("np.int64", np.int64(2)),)}),
    # --- timing -----------------------------------------------------------------------------------------------------
    Probe(timing.measure_latency, (MLP,), {"batch": 2, "repeats": 1, "warmup": 0},
          bad={"model": MODEL_WITH_DATA, "batch": POSITIVE_INT, "input_shape": INPUT_SHAPE, "repeats": POSITIVE_INT,
               "warmup": COUNT, "num_threads": THREADS, "seed": SEED},
          unusual={"model": OTHER_DTYPES, "batch": (("np.int64", np.int64(2)),),
                   "input_shape": (("np.int64", np.int64(4)), ("list", [4])), "seed": (("np.int64", np.int64(1)),),
                   "num_threads": (("np.int64", np.int64(1)),)}),
    Probe(timing.calibrate, (), {"repeats": 1},
          bad={"num_threads": THREADS, "repeats": POSITIVE_INT, "seed": SEED},
          unusual={"seed": (("np.int64", np.int64(1)),)}),
    Probe(timing.compare_with_measured, ("cpu-avx2", [(1, 4, 4), (2, 8, 8)]), {"repeats": 1},
          bad={"profile": (("None", None), ("unknown", "tpu-v9"), ("int", 3)),
               "shapes": (("None", None), ("str", "1,4,4"), ("one shape", [(1, 4, 4)]), ("pairs", [(1, 4), (2, 8)]),
                          ("float dims", [(1, 4.5, 4), (2, 8, 8)])),
               "repeats": POSITIVE_INT, "num_threads": THREADS, "seed": SEED},
          unusual={"shapes": (("np array", np.array([(1, 4, 4), (2, 8, 8)])),), "seed": (("np.int64", np.int64(1)),)}),
]

EXEMPT = {
    "hwprune_edu.nn.family.Chain": "a NamedTuple record that chain() returns; nothing reads a Chain built by hand",
}


@pytest.mark.parametrize(("probe", "kind", "arg", "value"), parametrize(TABLE))
def test_table(probe, kind, arg, value):
    run(probe, kind, arg, value)


def test_taylor_importance_leaves_a_grad_requiring_input_alone():
    x = X.clone().requires_grad_(True)
    search.taylor_importance(MLP, x, Y)
    assert x.grad is None
