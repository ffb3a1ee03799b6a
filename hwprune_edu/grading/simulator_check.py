"""Exercise 4's last step: the learner's hand-made cost formulas next to the simulator's numbers.

One linear layer is simulated on ``cpu-avx2`` (fp32, one memory, tiles that
fit the shape exactly, so the simulator's compute time is the ideal
``MACs / peak``) and on ``npu-systolic`` (for the systolic cycle count). The
learner's functions are called through the sandbox, so a stub shows
"not implemented yet" in its row instead of an error.

>>> from hwprune_edu import hardware
>>> table = compare_with_simulator({"gemm_macs": lambda m, n, k: m * n * k})
>>> print(table.rows[0])
('MACs', '2.09715e+06', '2.09715e+06', 'yes')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from hwprune_edu.grading import sandbox
from hwprune_edu.util.tables import html_table

__all__ = ["compare_with_simulator", "SimulatorTable"]


@dataclass
class SimulatorTable:
    """Rows of (quantity, yours, simulator, agree?)."""

    title: str
    rows: list[tuple[str, str, str, str]]

    def __str__(self) -> str:
        lines = [self.title, f"  {'quantity':<32}{'yours':>16}{'simulator':>14}  agree"]
        lines += [f"  {q:<32}{y:>16}{s:>14}  {a}" for q, y, s, a in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<SimulatorTable {self.title}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colours = {"yes": "#e6f4ea", "no": "#fce8e6"}
        return html_table(("quantity", "yours", "simulator", "agree"), self.rows, caption=self.title,
                          row_styles=[f"background:{colours.get(row[3], '#f1f3f4')}" for row in self.rows],
                          style="font-size:13px;border-collapse:collapse")


def _yours(fn: Callable | None, args: tuple, kwargs: dict) -> float | str:
    if fn is None:
        return "not given"
    outcome = sandbox.call_safely(fn, args, kwargs, timeout_s=2.0)
    if outcome["status"] == "not_implemented":
        return "not implemented"
    if outcome["status"] != "ok":
        return outcome["error"]["type"]
    try:
        return float(np.asarray(outcome["output"], dtype=np.float64).ravel()[0])
    except (TypeError, ValueError, IndexError):
        return "not a number"


def compare_with_simulator(functions: Mapping[str, Callable], *, batch: int = 16, in_features: int = 512,
                           out_features: int = 256) -> SimulatorTable:
    """Run the learner's cost functions on one linear layer and put the simulator's numbers beside them.

    Args:
        functions: exercise id -> the learner's function (``gemm_macs``,
            ``gemm_bytes``, ``gemm_arithmetic_intensity``, ``roofline_latency``,
            ``systolic_cycles``); missing ones show "not given".
        batch, in_features, out_features: the layer ``y = x @ W.T`` as a GEMM
            with ``M = batch``, ``N = out_features``, ``K = in_features``.

    Returns:
        A :class:`SimulatorTable` (text in a terminal, HTML in Jupyter).
    """
    from hwprune_edu.hardware import get_profile, linear, simulate

    m, n, k = batch, out_features, in_features
    cpu = get_profile("cpu-avx2")
    npu = get_profile("npu-systolic")
    on_cpu = simulate([linear(batch, in_features, out_features)], cpu).layers[0]
    on_npu = simulate([linear(batch, in_features, out_features)], npu).layers[0]
    bpe = cpu.weight_bits / 8
    get = functions.get
    macs = _yours(get("gemm_macs"), (m, n, k), {})
    moved = _yours(get("gemm_bytes"), (m, n, k), {"bytes_per_element": bpe})
    rows = [
        ("MACs", macs, on_cpu.macs),
        ("bytes moved (fp32)", moved, on_cpu.bytes_moved),
        ("FLOP/byte", _yours(get("gemm_arithmetic_intensity"), (m, n, k), {"bytes_per_element": bpe}),
         on_cpu.arithmetic_intensity),
        ("roofline latency, cpu-avx2 (s)",
         _yours(get("roofline_latency"), (2.0 * m * n * k, on_cpu.bytes_moved, 2 * cpu.peak_macs_per_s,
                                          cpu.memory_bandwidth_bytes_per_s), {}),
         max(on_cpu.compute_s, on_cpu.memory_s)),
        (f"cycles, {npu.systolic_rows}x{npu.systolic_cols} systolic",
         _yours(get("systolic_cycles"), (m, n, k, npu.systolic_rows, npu.systolic_cols), {}), on_npu.compute_cycles),
    ]
    shown = []
    for name, yours, simulated in rows:
        if isinstance(yours, str):
            shown.append((name, yours, f"{simulated:.6g}", "-"))
        else:
            agree = "yes" if np.isclose(yours, simulated, rtol=1e-9, atol=0) else "no"
            shown.append((name, f"{yours:.6g}", f"{simulated:.6g}", agree))
    return SimulatorTable(f"linear layer: batch {batch}, {in_features} -> {out_features} (M={m}, N={n}, K={k})", shown)
