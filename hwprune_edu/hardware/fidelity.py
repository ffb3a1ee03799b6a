"""The simulator against published measurements: each row of ``fidelity.toml`` simulated on its workload.

A row names a platform, a published figure with its source, the workload it was
measured on (built here, in :data:`WORKLOADS`) and the tolerance claimed: a
factor for ``"ratio"`` rows (simulated / published within ``[1/t, t]``) or
sparsity points for ``"points"`` rows (a break-even). ``benchmarks/bench_fidelity.py``
prints the table (``--json`` for machines) and adds this machine's own CSR
break-even, measured with ``torch.sparse``; notebook 03 shows it.

>>> row = next(r for r in fidelity_rows() if r.workload == "tpu_mlp0")
>>> row.profile, row.published, row.within
('npu-systolic', 12.3, True)
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Callable, Iterable

import numpy as np

from hwprune_edu.hardware.cost import simulate
from hwprune_edu.hardware.profiles import PROFILES, get_profile
from hwprune_edu.hardware.workload import conv2d, linear
from hwprune_edu.util.tables import Table
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe

__all__ = ["FidelityRow", "fidelity_rows", "fidelity_table", "break_even_sparsity", "random_mask", "WORKLOADS"]


@dataclass(frozen=True)
class FidelityRow:
    """One published measurement beside the simulator's prediction for the same workload.

    Attributes:
        profile, quantity, unit, source, workload: what was measured, where, and on what.
        published, simulated: the two numbers, in ``unit``.
        tolerance, kind: the claim: a factor (``"ratio"``) or sparsity points (``"points"``).
        approximate: the published figure is read from a plot or quoted approximately.
        note: why a row outside its tolerance is outside (empty otherwise).
    """

    profile: str
    quantity: str
    unit: str
    published: float
    simulated: float
    tolerance: float
    kind: str
    source: str
    workload: str
    approximate: bool = False
    note: str = ""

    @property
    def ratio(self) -> float:
        """Simulated over published."""
        return self.simulated / self.published

    @property
    def within(self) -> bool:
        """Whether the prediction is within the claimed tolerance."""
        if self.kind == "points":
            return abs(self.simulated - self.published) <= self.tolerance + 1e-12
        return 1 / self.tolerance <= self.ratio <= self.tolerance

    def as_dict(self) -> dict:
        """The row in ``bench_fidelity.py --json``'s format."""
        return {"profile": self.profile, "quantity": self.quantity, "published": self.published,
                "simulated": self.simulated, "tolerance": self.tolerance, "within": bool(self.within),
                "source": self.source}


def random_mask(shape: tuple[int, int], density: float, seed: int = 0) -> np.ndarray:
    """A seeded random keep-mask of ``shape`` with each weight kept with probability ``density``.

    >>> random_mask((2, 3), 1.0).all()
    np.True_
    """
    density = check_fraction(density, name="density")
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != 2:
        raise TypeError(f"shape must be a pair (rows, columns) of ints >= 1, got {describe(shape)}")
    rows, cols = (check_positive_int(v, name="shape") for v in shape)
    rng = np.random.default_rng(check_int(seed, name="seed", minimum=0))
    mask = np.empty((rows, cols), bool)
    for start in range(0, rows, 1024):  # in row blocks: float32 draws for 100 M weights would not fit at once
        stop = min(rows, start + 1024)
        mask[start:stop] = rng.random((stop - start, cols), dtype=np.float32) < density
    return mask


def break_even_sparsity(profile, batch: int, in_features: int, out_features: int, *, kernel: str = "csr",
                        seed: int = 0, steps: int = 12) -> float:
    """The sparsity above which ``kernel`` (forced) beats the dense kernel on a random unstructured mask.

    Bisection on the density: the kernel's latency only falls as weights are removed.

    Returns:
        The break-even sparsity in ``[0, 1]`` (1.0 if the kernel never wins).

    >>> round(break_even_sparsity("cpu-avx2", 1, 1024, 1024), 2)  # memory-bound: 0.3 x 32/64 = 0.15 density
    0.85
    """
    hardware = get_profile(profile)
    dense_s = simulate(linear(batch, in_features, out_features), hardware).latency_s

    def sparse_s(density):
        mask = random_mask((out_features, in_features), density, seed)
        return simulate(linear(batch, in_features, out_features, weight_mask=mask), hardware, kernel=kernel).latency_s

    low, high = 0.0, 1.0  # the kernel wins at density `low`, loses at `high`
    if sparse_s(1e-3) >= dense_s:
        return 1.0
    low = 1e-3
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if sparse_s(middle) < dense_s else (low, middle)
    return 1 - (low + high) / 2


def _tops(layers, profile) -> float:
    report = simulate(layers, profile)
    return 2 * sum(layer.macs for layer in layers) / report.latency_s / 1e12


# Jouppi et al. 2017, Table 3 (performance counters, % of peak): useful and unused MACs of the
# 256x256 matrix unit. Their ratio, useful / (useful + unused), is how full each app's layers keep
# the array's weight tiles: layers narrower than 256 (CNN1's shallow feature depths) leave the rest
# of each tile as zeros the array loads and multiplies anyway.
_TPU_USEFUL_UNUSED_MACS = {"MLP0": (12.5, 0.3), "MLP1": (9.4, 1.2), "LSTM0": (8.2, 0.0), "LSTM1": (6.3, 4.2),
                           "CNN0": (78.2, 0.0), "CNN1": (22.5, 23.7)}


def _tpu_tops(app: str, layers) -> float:
    """TOPS of one of TPU v1's six applications: the useful ops over the simulated time of the tiles it runs.

    ``layers`` are the weight tiles as the array loads them; their shapes reuse each
    weight byte as often as Table 1's operational intensity says (``M`` = ops per
    weight byte). Only the Table 3 fill of those MACs is useful work, and TOPS
    count useful ops (two per MAC), as the paper's Figure 5 does.
    """
    useful, unused = _TPU_USEFUL_UNUSED_MACS[app]
    return useful / (useful + unused) * _tops(layers, "npu-systolic")


# The six ways to keep 2 of 4: a random one per group makes a random exact 2:4 mask quickly.
_TWO_OF_FOUR = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1], [0, 0, 1, 1]], bool)


def _speedup_24(batch, in_features, out_features):
    choice = np.random.default_rng(0).integers(0, 6, size=(out_features, in_features // 4))
    mask = _TWO_OF_FOUR[choice].reshape(out_features, in_features)
    dense = simulate(linear(batch, in_features, out_features), "gpu-ampere").latency_s
    return dense / simulate(linear(batch, in_features, out_features, weight_mask=mask), "gpu-ampere").latency_s


def _gemv_bandwidth_gb_s(profile, width, bytes_per_weight):
    return width * width * bytes_per_weight / simulate(linear(1, width, width), profile).latency_s / 1e9


@functools.cache  # the AlexNet throughput row re-uses three of the per-layer rows' big masks
def _eie(in_features, out_features, weight_density, activation_density, seed=0):
    mask = random_mask((out_features, in_features), weight_density, seed)
    layer = linear(1, in_features, out_features, weight_mask=mask, activation_density=activation_density)
    return simulate(layer, "sparse-eie").latency_s * 1e6


def _eie_alexnet_fc_frames_per_s():
    # AlexNet's three FC layers one after another, one image at a time (the abstract's frames/s).
    return 1e6 / sum(WORKLOADS[name]() for name in ("eie_alex6", "eie_alex7", "eie_alex8"))


def _mcu_ms(layers, clock_hz: float) -> float:
    """Milliseconds per inference of ``layers`` on the mcu-m4 profile with its clock set to the measured board's.

    >>> round(_mcu_ms([linear(1, 64, 10)], 120e6), 4)  # 640 MACs at 0.5 MAC per cycle and 120 MHz
    0.0107
    """
    board = get_profile("mcu-m4").replace(name=f"mcu-m4 at {clock_hz / 1e6:g} MHz", clock_hz=clock_hz)
    return simulate(layers, board).latency_s * 1e3


def _cmsis_cifar10():
    # Lai et al. 2018's CIFAR-10 CNN: three 5x5 convs (32, 32, 64 channels, 'same' padding), each followed by
    # 2x2 pooling (not costed), then a 1024 -> 10 fully connected layer; about 12.3 M MACs.
    return [conv2d(1, 3, 32, 5, 32, padding=2), conv2d(1, 32, 32, 5, 16, padding=2),
            conv2d(1, 32, 64, 5, 8, padding=2), linear(1, 1024, 10)]


# MLPerf Tiny's closed-division models, at the shapes of their Keras definitions (github.com/mlcommons/tiny,
# v0.1/benchmarks/image_classification/keras_model.py, v0.1/training/keyword_spotting/{keras_model,kws_util}.py,
# v0.1/benchmarks/anomaly_detection/keras_model.py). Batch norm, ReLU, pooling and the residual adds are not costed.
def _mlperf_resnet8():
    # CIFAR-10 ResNet-8 ('resnet_v1_eembc', 16/32/64 filters): a 3x3 stem, three stacks of two 3x3 convs, the
    # second and third opening with stride 2 and a strided 1x1 shortcut, then a 64 -> 10 dense layer; 12.5 M MACs.
    return [conv2d(1, 3, 16, 3, 32, padding=1),
            conv2d(1, 16, 16, 3, 32, padding=1), conv2d(1, 16, 16, 3, 32, padding=1),
            conv2d(1, 16, 32, 3, 32, stride=2, padding=1), conv2d(1, 32, 32, 3, 16, padding=1),
            conv2d(1, 16, 32, 1, 32, stride=2),
            conv2d(1, 32, 64, 3, 16, stride=2, padding=1), conv2d(1, 64, 64, 3, 8, padding=1),
            conv2d(1, 32, 64, 1, 16, stride=2),
            linear(1, 64, 10)]


def _mlperf_ds_cnn():
    # Keyword spotting DS-CNN on 49 x 10 MFCC features (1 s clip, 30 ms windows every 20 ms, 10 coefficients):
    # a 10x4 stride-2 conv to 25 x 5 x 64 ('same' padding: 5 rows, 1 column a side gives TF's 25 x 5), four
    # depthwise-separable blocks, then a 64 -> 12 dense layer; 2.66 M MACs. A depthwise 3x3 conv is 64 one-channel
    # convs: the simulator has no groups, so the channels ride in the batch (same MACs and activations; the 576
    # depthwise weights are counted as 9, a few hundred bytes of flash).
    layers = [conv2d(1, 1, 64, (10, 4), (49, 10), stride=2, padding=(5, 1), name="conv1")]
    for block in range(1, 5):
        layers += [conv2d(64, 1, 1, 3, (25, 5), padding=1, name=f"dw{block}"),
                   conv2d(1, 64, 64, 1, (25, 5), name=f"pw{block}")]
    return layers + [linear(1, 64, 12, name="fc")]


def _mlperf_fc_autoencoder():
    # Anomaly detection: the DCASE 2020 dense autoencoder on one 640-value input (5 frames x 128 mel bands),
    # 640 -> 128 x4 -> 8 -> 128 x4 -> 640; one inference is one pass (th_infer calls Invoke once); 264 k MACs.
    widths = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
    return [linear(1, a, b, name=f"fc{i}") for i, (a, b) in enumerate(zip(widths, widths[1:]))]


# Clocks of the measured boards, from their papers' and submissions' system descriptions.
_CORTEX_M7_CMSIS_NN_HZ = 216e6  # Lai et al. 2018: the CIFAR-10 CNN on a 216 MHz Cortex-M7
_NUCLEO_L4R5ZI_HZ = 120e6  # MLPerf Tiny NUCLEO-L4R5ZI system descriptions: Cortex-M4 at 120 MHz


#: Workload name -> a function returning the simulated value in the row's unit.
WORKLOADS: dict[str, Callable[[], float]] = {
    "gpu_dense_gemm_tflops": lambda: _tops([linear(8192, 8192, 8192)], "gpu-ampere"),
    "gpu_24_speedup_tutorial": lambda: _speedup_24(3072, 10240, 3072),
    "gpu_24_speedup_bert_large": lambda: _speedup_24(4096, 1024, 4096),
    "gpu_gemv_bandwidth": lambda: _gemv_bandwidth_gb_s("gpu-ampere", 8192, 2),
    # Shapes from Jouppi et al. 2017, Table 1 (layers, weights, batch, ops per weight byte): a fully
    # connected layer at the app's batch (for FC layers the ops per weight byte are the batch); a 3x3 convolution whose
    # batch x output pixels equal the app's ops per weight byte (CNN0: 8 x 19 x 19 = 2888; CNN1: 32 x 5 x 11 = 1760,
    # for 1750).
    "tpu_mlp0": lambda: _tpu_tops("MLP0", [linear(200, 2048, 2048)]),  # 5 layers, 20 M weights
    "tpu_mlp1": lambda: _tpu_tops("MLP1", [linear(168, 1024, 1024)]),  # 4 layers, 5 M weights
    "tpu_lstm0": lambda: _tpu_tops("LSTM0", [linear(64, 1536, 1536)]),  # 58 layers, 52 M weights
    "tpu_lstm1": lambda: _tpu_tops("LSTM1", [linear(96, 1024, 1024)]),  # 56 layers, 34 M weights
    "tpu_cnn0": lambda: _tpu_tops("CNN0", [conv2d(8, 256, 256, 3, 19, padding=1)]),  # 16 layers, 8 M weights
    "tpu_cnn1": lambda: _tpu_tops("CNN1", [conv2d(32, 256, 256, 3, (5, 11), padding=1)]),  # 89 layers, 100 M
    "eie_alex6": lambda: _eie(9216, 4096, 0.09, 0.351),
    "eie_alex7": lambda: _eie(4096, 4096, 0.09, 0.353),
    "eie_alex8": lambda: _eie(4096, 1000, 0.25, 0.375),
    "eie_vgg7": lambda: _eie(4096, 4096, 0.04, 0.375),
    "eie_vgg8": lambda: _eie(4096, 1000, 0.23, 0.411),
    "eie_nt_we": lambda: _eie(4096, 600, 0.10, 1.0),
    "eie_nt_wd": lambda: _eie(600, 8791, 0.11, 1.0),
    "eie_nt_lstm": lambda: _eie(1201, 2400, 0.10, 1.0),
    "eie_alexnet_fc_frames_per_s": _eie_alexnet_fc_frames_per_s,
    "cpu_csr_break_even_memory": lambda: break_even_sparsity("cpu-avx2", 1, 2048, 2048),
    "cpu_csr_break_even_compute": lambda: break_even_sparsity("cpu-avx2", 256, 1024, 1024),
    "cpu_gemv_bandwidth": lambda: _gemv_bandwidth_gb_s("cpu-avx2", 4096, 4),
    "mcu_cmsis_cifar10": lambda: _mcu_ms(_cmsis_cifar10(), _CORTEX_M7_CMSIS_NN_HZ),
    # One workload per MLPerf Tiny model on the NUCLEO-L4R5ZI; the rows say which software stack was measured.
    "mcu_mlperf_tiny_ic": lambda: _mcu_ms(_mlperf_resnet8(), _NUCLEO_L4R5ZI_HZ),
    "mcu_mlperf_tiny_kws": lambda: _mcu_ms(_mlperf_ds_cnn(), _NUCLEO_L4R5ZI_HZ),
    "mcu_mlperf_tiny_ad": lambda: _mcu_ms(_mlperf_fc_autoencoder(), _NUCLEO_L4R5ZI_HZ),
}


def fidelity_rows(profiles=None) -> list[FidelityRow]:
    """Every published row of ``fidelity.toml`` (or those of ``profiles``), simulated now.

    Args:
        profiles: profile names to keep, or ``None`` for all.

    Returns:
        A list of :class:`FidelityRow`, in the file's order.

    >>> sorted({row.profile for row in fidelity_rows(["mcu-m4"])})
    ['mcu-m4']
    """
    if profiles is not None:
        if isinstance(profiles, str):
            profiles = [profiles]
        if not isinstance(profiles, Iterable):
            raise TypeError(f"profiles must be a list of profile names or None, got {describe(profiles)}")
        profiles = list(profiles)
        known = list(PROFILES)
        unknown = [name for name in profiles if not isinstance(name, str) or name not in known]
        if unknown:
            raise ValueError(f"profiles has unknown names {unknown!r}; the known ones are {known}")
    text = (resources.files("hwprune_edu.hardware") / "fidelity.toml").read_text(encoding="utf-8")
    rows = []
    for entry in tomllib.loads(text)["row"]:
        if profiles is not None and entry["profile"] not in profiles:
            continue
        simulated = float(WORKLOADS[entry["workload"]]())
        rows.append(FidelityRow(entry["profile"], entry["quantity"], entry["unit"], float(entry["published"]),
                                simulated, float(entry["tolerance"]), entry["kind"], entry["source"],
                                entry["workload"], bool(entry.get("approximate", False)), entry.get("note", "")))
    return rows


def fidelity_table(rows) -> Table:
    """The rows as a :class:`~hwprune_edu.util.tables.Table`: published, simulated, ratio (or points), tolerance.

    >>> print(fidelity_table([FidelityRow("p", "q", "x", 10.0, 12.0, 2.0, "ratio", "s", "w")]))  # doctest: +ELLIPSIS
    published measurements ...
    platform  measured  published  simulated  sim./pub.  tolerance  within
    p         q         10         12         1.20       2x         yes
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(f"rows must be a list of FidelityRow, got {describe(rows)}")
    rows = list(rows)
    wrong = [describe(row) for row in rows if not isinstance(row, FidelityRow)]
    if wrong:
        raise TypeError(f"rows must be a list of FidelityRow, got entries that are {wrong[0]}")
    cells = []
    for row in rows:
        if row.kind == "points":
            ratio, tolerance = f"{(row.simulated - row.published) * 100:+.0f} pts", f"+-{row.tolerance * 100:.0f} pts"
        else:
            ratio, tolerance = f"{row.ratio:.2f}", f"{row.tolerance:g}x"
        cells.append([row.profile, row.quantity + (" (~)" if row.approximate else ""), f"{row.published:.4g}",
                      f"{row.simulated:.4g}", ratio, tolerance, "yes" if row.within else "NO"])
    title = ("published measurements beside the simulator's predictions (~: figure approximate; sources in "
             "hwprune_edu/hardware/fidelity.toml)")
    return Table(["platform", "measured", "published", "simulated", "sim./pub.", "tolerance", "within"], cells, title=title)
