# A cell that ignores the timer (SIGALRM) and spins, then sleeps in C, to stall the whole batch.
import signal, time
from hwprune_edu.grading import check
# %%
signal.signal(signal.SIGALRM, signal.SIG_IGN)
signal.setitimer = lambda *a, **k: None
while True:
    try:
        time.sleep(1000)
    except BaseException:
        pass
# %%
def threshold_mask(weights, threshold):
    return abs(weights) > threshold
check("threshold_mask", threshold_mask)
