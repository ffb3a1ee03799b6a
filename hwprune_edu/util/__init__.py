"""The bottom layer: input validation and tables (text, HTML, SI units)."""
