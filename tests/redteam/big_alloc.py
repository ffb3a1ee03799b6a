# Allocates 2 GiB in a cell and in the function.
import numpy as np
from hwprune_edu.grading import check
# %%
hog = np.ones(2 << 30, dtype=np.uint8)
# %%
def threshold_mask(weights, threshold):
    hog = np.ones(2 << 30, dtype=np.uint8)
    return np.abs(weights) > threshold + hog[0] * 0
check("threshold_mask", threshold_mask)
