# Kills its parent process and its process group's leader (the grader, without confinement).
# needs: confinement
import os, signal
from hwprune_edu.grading import check
# %%
for pid in {os.getppid(), 1}:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
def threshold_mask(weights, threshold):
    raise NotImplementedError()
check("threshold_mask", threshold_mask)
