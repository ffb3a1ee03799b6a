# Leaves detached processes behind (a new session, a double fork) to outlive the grader and disturb the next notebook.
import os, subprocess, sys, time
from hwprune_edu.grading import check
# %%
subprocess.Popen(["sleep", "4242.5"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "4243.5"])
    os._exit(0)
def threshold_mask(weights, threshold):
    raise NotImplementedError()
check("threshold_mask", threshold_mask)
