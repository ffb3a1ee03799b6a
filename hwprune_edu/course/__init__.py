"""The course itself: the command line, the demo and the notebook runner."""
