# Reading the library's .py file (from every place it might be) and exec'ing it.
# needs: confinement (without it the grader's own files are in reach)
import glob, os, sys
from hwprune_edu.grading import check
import hwprune_edu
# %%
candidates = [os.path.join(os.path.dirname(hwprune_edu.__file__), "pruning", "unstructured.py"), "@@PACKAGE@@/pruning/unstructured.py"]
candidates += glob.glob("/**/hwprune_edu/pruning/unstructured.py", recursive=False)
source = ""
for path in candidates:
    try:
        text = open(path).read()
    except OSError:
        continue
    if "PermissionError" not in text:
        source = text
        break
source = source or open(candidates[0]).read()
namespace = {"__name__": "copied"}
exec(compile(source, "copied.py", "exec"), namespace)
def magnitude_mask(weights, amount):
    return namespace["magnitude_mask"](weights, amount)
check("magnitude_mask", magnitude_mask)
