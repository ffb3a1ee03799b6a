"""Colours and markers the charts share, so one thing looks the same in every picture.

Plain data (no matplotlib import): each chart module turns these into its
artists.

>>> BOUND_COLOURS["memory"], MASK_COLOURS
('tab:orange', ('#eeeeee', '#1f4e79'))
"""

__all__ = ["BOUND_COLOURS", "MASK_COLOURS", "POINT_MARKERS"]

#: Colour of what bounds a layer's time, the same in every chart that shows it.
BOUND_COLOURS = {"compute": "tab:blue", "memory": "tab:orange", "overhead": "tab:grey"}

#: (pruned, kept) colours of a keep mask: light grey and dark blue, so kept weights stand out as ink on paper.
MASK_COLOURS = ("#eeeeee", "#1f4e79")

#: Markers of single-point series (an N:M pattern has one sparsity), so they read as points, not curves.
POINT_MARKERS = ("*", "P", "X", "D", "^", "v")
