# Prints 200 MB, and returns 10 MiB strings.
import sys
from hwprune_edu.grading import check
# %%
chunk = "x" * (1 << 20)
for _ in range(200):
    sys.stdout.write(chunk)
# %%
def threshold_mask(weights, threshold):
    print(chunk * 10)
    return "y" * (10 << 20)
check("threshold_mask", threshold_mask)
