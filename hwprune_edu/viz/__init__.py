"""Pictures and widgets: simulator charts, mask pictures, sweep and comparison plots, the explorer."""
