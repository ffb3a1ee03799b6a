"""Experiments: the runners (sweeps, comparison, search) and what they return (results, targets), torch-free."""
