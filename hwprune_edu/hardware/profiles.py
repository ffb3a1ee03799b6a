"""Hardware profiles as plain data: one frozen ``Hardware`` per platform, every constant beside its source.

Each platform is one TOML file in ``hardware/platforms/`` (``cpu-avx2.toml``,
...): every number is a ``[field]`` table with its ``value`` and its
``source``. This module only defines the record types and reads the files; the
cost model (:mod:`hwprune_edu.hardware.cost`) only *reads* the records, in the
spirit of SCALE-Sim's config files: adding a platform means adding a file,
never touching model code. Each profile declares the sparse kernels it has
(``sparse_kernels``) and how well they run; the simulator runs each layer on
the fastest kernel that takes its mask, the dense kernel being always there.

>>> get_profile("npu-systolic").systolic_rows
256
>>> sorted(PROFILES)
['cpu-avx2', 'gpu-ampere', 'mcu-m4', 'npu-systolic', 'sparse-eie']
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from hwprune_edu.util.validation import check_int, check_number, describe

__all__ = ["SparseKernel", "Hardware", "PROFILES", "get_profile", "load_profile"]

@dataclass(frozen=True)
class SparseKernel:
    """One sparse kernel a platform has (a declaration, read by the cost model).

    Which masks a kernel takes follows from its format: an N:M kernel (``m > 0``)
    takes any mask with at most ``n`` kept in every group of ``m`` inputs; a
    block kernel (``min_block > 0``) takes any mask and stores every
    ``min_block x min_block`` block that keeps a weight (zeros inside it
    included); an interleaved kernel (``interleave_units > 0``, EIE) and a CSR
    kernel take any mask and store its kept weights. The simulator runs each
    layer on the fastest kernel that takes its mask (see
    :func:`~hwprune_edu.hardware.simulate`).

    Args:
        name: label shown in reports and accepted by ``simulate(..., kernel=name)``, e.g. ``"csr"``.
        compute_efficiency: fraction of the dense MAC rate achieved per stored
            weight (1.0 = a stored weight costs what a dense MAC costs).
        index_bits: metadata bits stored per kept weight (CSR column index,
            2:4 metadata, EIE relative index).
        n, m: for N:M kernels, the hardware format (keep at most ``n`` of every
            ``m`` along the input dimension); 0 otherwise.
        min_block: for block kernels, the block edge the kernel stores; 0 otherwise.
        interleave_units: if > 0, output rows are dealt round-robin over this many
            processing elements and the busiest one sets the time (EIE's load imbalance).
        relative_index_bits: if > 0, indices are relative and a run of
            ``2**bits`` zeros costs a padding entry (EIE's 4-bit relative index).
        bandwidth_efficiency: fraction of the weight memory's bandwidth the kernel
            sustains while streaming its format (gathers and row pointers cost
            bandwidth: CSR sustains well below a dense stream).
        skips_zero_activations: the kernel skips zero input activations (EIE's
            non-zero detection), so a layer's ``activation_density`` scales its work.
        source: where the figures come from.

    >>> SparseKernel("csr", compute_efficiency=0.1, index_bits=32, source="toy").bandwidth_efficiency
    1.0
    """

    name: str
    compute_efficiency: float
    index_bits: float
    n: int = 0
    m: int = 0
    min_block: int = 0
    interleave_units: int = 0
    relative_index_bits: int = 0
    bandwidth_efficiency: float = 1.0
    skips_zero_activations: bool = False
    source: str = ""

    def __post_init__(self):
        _check_name(self.name, "name", "kernel")
        if self.name == "dense":
            raise ValueError("name of a sparse kernel must not be 'dense': that name is the dense kernel's")
        where = f" (kernel {self.name!r})"
        for label in ("compute_efficiency", "bandwidth_efficiency"):
            value = getattr(self, label)
            checked = check_number(value, name=label, low=0, high=1, closed="right", meaning=where)
            object.__setattr__(self, label, _plain(value, checked))
        checked = check_number(self.index_bits, name="index_bits", low=0, meaning=where)
        object.__setattr__(self, "index_bits", _plain(self.index_bits, checked))
        for label in ("n", "m", "min_block", "interleave_units", "relative_index_bits"):
            object.__setattr__(self, label, check_int(getattr(self, label), name=label, minimum=0))
        if (self.n > 0) != (self.m > 0) or self.n > self.m:
            raise ValueError(f"n and m of an N:M kernel must satisfy 0 < n <= m (or both be 0 for other kernels), "
                             f"got n={self.n}, m={self.m}{where}")
        if sum(bool(v) for v in (self.m, self.min_block, self.interleave_units)) > 1:
            raise ValueError(f"a kernel has one format: at most one of m, min_block and interleave_units may be > 0, got "
                             f"m={self.m}, min_block={self.min_block}, interleave_units={self.interleave_units}{where}")
        if not isinstance(self.skips_zero_activations, (bool, np.bool_)):
            raise TypeError(f"skips_zero_activations must be True or False, got {describe(self.skips_zero_activations)}")
        object.__setattr__(self, "skips_zero_activations", bool(self.skips_zero_activations))
        if not isinstance(self.source, str):
            raise TypeError(f"source must be a str (where the figures come from), got {describe(self.source)}")


@dataclass(frozen=True)
class Hardware:
    """One platform: compute, memory, tiling, overheads, energy and exploitable sparsity.

    Compute is modelled by ``dataflow``: ``"tiled"`` splits the output ``M x N``
    into ``tile_m x tile_n`` tiles spread in waves over ``units`` parallel units
    (SMs, cores, PEs), each doing ``macs_per_cycle / units`` MACs per cycle with
    ``K`` padded to ``tile_k``; ``"systolic"`` uses SCALE-Sim's weight-stationary
    formula for a ``systolic_rows x systolic_cols`` array. ``split_k = 1`` lets a
    tiled GEMM with fewer output tiles than units split ``K`` over the idle
    units (split-K, as cuBLAS does for skinny GEMMs); ``weight_double_buffering = 1``
    lets a systolic array load the next fold's weights while the current fold
    streams (TPU v1's weight FIFO), so only the first fold pays the full fill;
    ``rereads_weights = 1`` says the platform works on one input vector at a
    time and reads the stored weights again for each (EIE: no reuse across a batch).

    Weights stream from the memory behind ``memory_bandwidth_bytes_per_s``
    (DRAM, HBM, flash, EIE's SRAM); activations from the one behind
    ``activation_bandwidth_bytes_per_s`` (the same DRAM on CPU/GPU, an on-chip
    buffer on the NPU, MCU and EIE). Use :attr:`channel_multiple` to round
    channel counts to the hardware tile.

    >>> get_profile("gpu-ampere").channel_multiple
    128
    >>> get_profile("cpu-avx2").peak_macs_per_s
    192000000000.0
    """

    name: str
    description: str
    dataflow: str
    clock_hz: float
    macs_per_cycle: float
    units: int
    tile_m: int
    tile_n: int
    tile_k: int
    memory_bandwidth_bytes_per_s: float
    activation_bandwidth_bytes_per_s: float
    weight_bits: float
    activation_bits: float
    overhead_s: float
    energy_per_mac_j: float
    energy_per_byte_j: float
    activation_energy_per_byte_j: float
    weight_memory_bytes: float
    activation_memory_bytes: float
    systolic_rows: int = 0
    systolic_cols: int = 0
    split_k: int = 0
    weight_double_buffering: int = 0
    rereads_weights: int = 0
    sparse_kernels: Mapping[str, SparseKernel] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        _check_name(self.name, "name", "profile")
        if not isinstance(self.description, str):
            raise TypeError(f"description must be a str, got {describe(self.description)}")
        if not isinstance(self.dataflow, str) or self.dataflow not in ("tiled", "systolic"):
            raise ValueError(f"dataflow must be 'tiled' or 'systolic', got {describe(self.dataflow)}")
        where = f" (profile {self.name!r})"
        # Every number in the range its meaning allows, so that replace(...) cannot make a
        # negative latency or energy, or divide by a zero clock.
        for label, (low, closed, allow_inf) in _FLOAT_RANGES.items():
            value = getattr(self, label)
            checked = check_number(value, name=label, low=low, closed=closed, allow_inf=allow_inf, meaning=where)
            object.__setattr__(self, label, _plain(value, checked))
        for label in ("weight_bits", "activation_bits"):
            value = getattr(self, label)
            checked = check_number(value, name=label, low=1, high=64, meaning=" bits" + where)
            object.__setattr__(self, label, _plain(value, checked))
        for label, (minimum, maximum) in _INT_RANGES.items():
            object.__setattr__(self, label, check_int(getattr(self, label), name=label, minimum=minimum, maximum=maximum))
        if self.dataflow == "systolic" and (self.systolic_rows < 1 or self.systolic_cols < 1):
            raise ValueError(f"systolic_rows and systolic_cols must be >= 1 for a systolic dataflow, got "
                             f"{self.systolic_rows} x {self.systolic_cols}{where}")
        kernels, sources = self.sparse_kernels, self.sources
        if not isinstance(kernels, Mapping) or not all(
                isinstance(k, str) and isinstance(v, SparseKernel) for k, v in kernels.items()):
            raise TypeError(f"sparse_kernels must map names (str) to SparseKernel, got {describe(kernels)}")
        if not isinstance(sources, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in sources.items()):
            raise TypeError(f"sources must map field names (str) to sources (str), got {describe(sources)}")
        # Read-only views, so a shared profile cannot be changed by accident.
        object.__setattr__(self, "sparse_kernels", MappingProxyType(dict(kernels)))
        object.__setattr__(self, "sources", MappingProxyType(dict(sources)))

    @property
    def peak_macs_per_s(self) -> float:
        """Dense peak multiply-accumulates per second (``macs_per_cycle * clock_hz``)."""
        return self.macs_per_cycle * self.clock_hz

    @property
    def channel_multiple(self) -> int:
        """Output-channel count that fills the hardware's tile: round widths up to a multiple of it.

        >>> get_profile("npu-systolic").channel_multiple
        256
        """
        return self.systolic_cols if self.dataflow == "systolic" else self.tile_n

    def round_channels(self, n_channels: int) -> int:
        """Round ``n_channels`` up to the next multiple of :attr:`channel_multiple` (0 stays 0).

        >>> get_profile("gpu-ampere").round_channels(130)
        256
        """
        multiple = self.channel_multiple
        return int(math.ceil(n_channels / multiple) * multiple)

    def replace(self, **changes) -> "Hardware":
        """A copy with some fields changed (profiles are frozen).

        >>> get_profile("cpu-avx2").replace(units=8).units
        8
        """
        return dataclasses.replace(self, **changes)


def _plain(value: Any, checked: float) -> int | float:
    """A checked number as stored: Python ints and floats as given (a profile file's 64 stays 64), others as float."""
    return value if type(value) in (int, float) else checked


def _check_name(value: Any, name: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty str (the {what}'s label in reports), got {describe(value)}")


# Field -> (lower end, which ends are closed, whether infinity is allowed): rates and sizes
# are > 0, times and energies >= 0; a memory may be unbounded (EIE's activations stream through).
_FLOAT_RANGES = {
    "clock_hz": (0, "neither", False),
    "macs_per_cycle": (0, "neither", False),
    "memory_bandwidth_bytes_per_s": (0, "neither", False),
    "activation_bandwidth_bytes_per_s": (0, "neither", False),
    "overhead_s": (0, "both", False),
    "energy_per_mac_j": (0, "both", False),
    "energy_per_byte_j": (0, "both", False),
    "activation_energy_per_byte_j": (0, "both", False),
    "weight_memory_bytes": (0, "neither", True),
    "activation_memory_bytes": (0, "neither", True),
}
# Field -> (minimum, maximum): counts of units and tile edges, array edges (0 = no array), 0/1 switches.
_INT_RANGES = {
    "units": (1, None), "tile_m": (1, None), "tile_n": (1, None), "tile_k": (1, None),
    "systolic_rows": (0, None), "systolic_cols": (0, None),
    "split_k": (0, 1), "weight_double_buffering": (0, 1), "rereads_weights": (0, 1),
}

_TEXT_FIELDS = ("name", "description", "dataflow")
_NUMBER_FIELDS = tuple(f.name for f in dataclasses.fields(Hardware)
                       if f.name not in _TEXT_FIELDS + ("sparse_kernels", "sources"))
_KERNEL_FIELDS = tuple(f.name for f in dataclasses.fields(SparseKernel))


def load_profile(text: str, *, where: str = "profile") -> Hardware:
    """Read one platform from TOML text: text fields, then one ``[field]`` table of value and source per number.

    Args:
        text: the file's contents (see ``hardware/platforms/*.toml``).
        where: the file's name, for error messages.

    Returns:
        The ``Hardware`` record; its ``sources`` map each number's field to its source.

    >>> fields = "".join(f"[{f}]\\nvalue = 1\\nsource = 'toy'\\n" for f in _NUMBER_FIELDS[:19])
    >>> hw = load_profile('name = "toy"\\ndescription = "d"\\ndataflow = "tiled"\\n' + fields)
    >>> hw.clock_hz, hw.sources["clock_hz"]
    (1, 'toy')
    """
    if not isinstance(where, str):
        raise TypeError(f"where must be the file's name (a str), got {describe(where)}")
    if not isinstance(text, str):
        raise TypeError(f"text must be the profile's TOML text (a str), got {describe(text)} ({where})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{where}: text is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(_TEXT_FIELDS + _NUMBER_FIELDS + ("sparse_kernels",)))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; known: {list(_TEXT_FIELDS + _NUMBER_FIELDS)}")
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if not isinstance(data.get(name), str):
            raise ValueError(f"{where}: {name} must be a string, got {data.get(name)!r}")
        values[name] = data[name]
    sources = {}
    for name in _NUMBER_FIELDS:
        if name not in data:
            continue
        entry = data[name]
        if not isinstance(entry, dict) or set(entry) != {"value", "source"} or not str(entry["source"]).strip():
            raise ValueError(f"{where}: [{name}] must hold exactly a value and a non-empty source, got {entry!r}")
        values[name] = entry["value"]  # checked by Hardware, whose error load_profile prefixes with the file
        sources[name] = entry["source"]
    kernels = {}
    declared = data.get("sparse_kernels", {})
    if not isinstance(declared, dict) or not all(isinstance(entry, dict) for entry in declared.values()):
        raise ValueError(f"{where}: sparse_kernels must be tables [sparse_kernels.NAME], got {declared!r}")
    for kind, entry in declared.items():
        extra = sorted(set(entry) - set(_KERNEL_FIELDS))
        if extra or not entry.get("source"):
            raise ValueError(f"{where}: sparse_kernels.{kind} has unknown fields {extra} or no source")
        try:
            kernels[kind] = SparseKernel(**entry)
        except (TypeError, ValueError) as error:  # a missing field, or a value out of range
            raise ValueError(f"{where}: sparse_kernels.{kind}: {error}") from None
    missing = [f.name for f in dataclasses.fields(Hardware)
               if f.name in _NUMBER_FIELDS and f.default is dataclasses.MISSING and f.name not in values]
    if missing:
        raise ValueError(f"{where}: missing field(s) {missing}: each is a [field] table with a value and a source")
    try:
        return Hardware(**values, sparse_kernels=kernels, sources=sources)
    except (TypeError, ValueError) as error:  # a value out of the range its meaning allows
        raise ValueError(f"{where}: {error}") from None


def _load_platforms() -> Mapping[str, Hardware]:
    folder = resources.files("hwprune_edu.hardware") / "platforms"
    order = tomllib.loads((folder / "index.toml").read_text(encoding="utf-8"))["platforms"]
    files = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml") and entry.name != "index.toml")
    if sorted(f"{name}.toml" for name in order) != files:
        raise ValueError(f"platforms/index.toml must list every platform file once: lists {order}, found {files}")
    profiles = {}
    for name in order:
        hw = load_profile((folder / f"{name}.toml").read_text(encoding="utf-8"), where=f"platforms/{name}.toml")
        if hw.name != name:
            raise ValueError(f"platforms/{name}.toml must describe the profile {name!r}, got name = {hw.name!r}")
        profiles[name] = hw
    return MappingProxyType(profiles)


#: Every platform of the course, read from ``hardware/platforms/*.toml``, by name.
PROFILES: Mapping[str, Hardware] = _load_platforms()


def get_profile(name) -> Hardware:
    """Return the profile called ``name`` (a ``Hardware`` passes through unchanged).

    Args:
        name: a key of :data:`PROFILES`, or a ``Hardware``.

    Returns:
        The ``Hardware`` record.

    >>> get_profile("mcu-m4").clock_hz
    168000000.0
    >>> get_profile("tpu")
    Traceback (most recent call last):
    ...
    ValueError: unknown hardware profile 'tpu'; known profiles: 'cpu-avx2', 'gpu-ampere', 'mcu-m4', 'npu-systolic', 'sparse-eie'
    """
    if isinstance(name, Hardware):
        return name
    if not isinstance(name, str):
        raise TypeError(f"hardware must be a profile name (str) or a Hardware, got {describe(name)}")
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(repr(key) for key in sorted(PROFILES))
        raise ValueError(f"unknown hardware profile {name!r}; known profiles: {known}") from None
