"""hwprune-edu: a course-in-a-box on hardware-aware neural-network pruning.

Layers, bottom to top; the folders are the layers, and a module never imports
a higher one (``tests/test_layers.py`` walks every import):

* :mod:`hwprune_edu.util`: validation, tables, the notebook runner.
* NumPy core: :mod:`hwprune_edu.pruning` (masks, the pattern vocabulary,
  activation statistics, neuron removal), :mod:`hwprune_edu.hardware` (the toy
  simulator; its platforms are data files) and :mod:`hwprune_edu.interview`
  (the blog's two functions, corrected).
* :mod:`hwprune_edu.nn`: the PyTorch adapters, the only layer importing torch
  at module level.
* :mod:`hwprune_edu.studies`: experiments (sweeps, the hardware-aware search,
  the comparison) with torch-free result types.
* :mod:`hwprune_edu.viz`: pictures and the explorer widget.
* :mod:`hwprune_edu.grading` and :mod:`hwprune_edu.quiz`: self-grading
  exercises and interview questions.
* :mod:`hwprune_edu.course`: the ``hwprune-edu`` command line and the demo.

Importing this package imports nothing else, so interview drills start fast.

>>> import hwprune_edu
>>> hwprune_edu.__version__.count(".")
2
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
