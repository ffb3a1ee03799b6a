# Writes into the installed package (editable install) so that every later batch grades everyone as passing.
# needs: confinement
import os
from hwprune_edu.grading import check
import hwprune_edu
# %%
for root in {os.path.dirname(hwprune_edu.__file__), "@@PACKAGE@@"}:
    for name in ("grading/judging.py", "grading/checks.py"):
        try:
            with open(os.path.join(root, name), "a") as handle:
                handle.write("\nraise SystemExit('sabotaged')\n")
        except OSError:
            pass
def threshold_mask(weights, threshold):
    raise NotImplementedError()
check("threshold_mask", threshold_mask)
