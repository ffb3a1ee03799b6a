"""Experiments: granularity sweeps and the hardware-aware comparison, with torch-free results."""
