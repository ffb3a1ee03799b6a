"""PyTorch adapters: the NumPy core (:mod:`hwprune_edu.pruning`, :mod:`hwprune_edu.hardware`) on real ``nn.Module``s.

* :mod:`.methods`: :class:`NMPruning` and :class:`BlockPruning`, our masks as
  ``torch.nn.utils.prune`` methods (``.apply`` and ``global_unstructured``).
* :mod:`.family`: the supported model family (a flat ``nn.Sequential`` of
  ``Linear``, ``Conv2d``, BatchNorm, activations, pooling, ``Flatten``):
  :func:`prunable_layers`, :func:`layer_widths`.
* :mod:`.statistics`: :func:`activation_statistics` scores every unit (mean
  |a|, RMS, APoZ) with forward hooks.
* :mod:`.surgery`: :func:`remove_units` *physically* shrinks a model;
  :func:`copy_model`, :func:`make_masks_permanent`, :func:`count_parameters`.
* :mod:`.costing`: :func:`workload_from_model` turns a model (masks included)
  into the simulator's layer list.
* :mod:`.timing`: :func:`measure_latency` times a model on this machine;
  :func:`calibrate` and :func:`compare_with_measured` check the simulator
  against real time.
* :mod:`.scoped`: :func:`evaluating`, :func:`training_mode`,
  :func:`fixed_threads` set torch state for a block and restore it.
* :mod:`.checks`: the torch side of the argument checks (models, batches in
  the model's dtype, seeds, learning rates, diverging losses);
  :mod:`.splits`: :class:`~hwprune_edu.nn.splits.Splits` and ``from_arrays``.
* :mod:`.data` (the digits and the course's models, training) and
  :mod:`.search` (the search's torch steps: unit importance, shrinking) build
  on these; the search loop itself is :mod:`hwprune_edu.studies.search`.

>>> from torch import nn
>>> mlp = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> smaller = remove_units(mlp, {0: [True, False, True]})
>>> smaller[0].out_features, smaller[2].in_features
(2, 2)
"""

from hwprune_edu.nn.costing import LayerGeometry, model_geometry, workload_from_geometry, workload_from_model
from hwprune_edu.nn.family import layer_widths, prunable_layers
from hwprune_edu.nn.methods import BlockPruning, NMPruning, block_prune, nm_prune
from hwprune_edu.nn.scoped import evaluating, fixed_threads, training_mode
from hwprune_edu.nn.statistics import ActivationStats, activation_statistics
from hwprune_edu.nn.surgery import copy_model, count_parameters, make_masks_permanent, remove_units
from hwprune_edu.nn.timing import calibrate, compare_with_measured, measure_latency

__all__ = [
    "NMPruning",
    "BlockPruning",
    "nm_prune",
    "block_prune",
    "ActivationStats",
    "activation_statistics",
    "prunable_layers",
    "layer_widths",
    "remove_units",
    "make_masks_permanent",
    "copy_model",
    "count_parameters",
    "workload_from_model",
    "workload_from_geometry",
    "model_geometry",
    "LayerGeometry",
    "measure_latency",
    "calibrate",
    "compare_with_measured",
    "fixed_threads",
    "training_mode",
    "evaluating",
]
