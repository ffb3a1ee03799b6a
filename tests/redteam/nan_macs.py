# Returns NaN, inf and 10**400 from the cost formulas.
from hwprune_edu.grading import check
# %%
def gemm_macs(m, n, k):
    return float("nan")
def gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 10 ** 400
def systolic_cycles(m, n, k, rows, cols):
    return float("inf")
check("gemm_macs", gemm_macs)
check("gemm_bytes", gemm_bytes)
check("systolic_cycles", systolic_cycles)
