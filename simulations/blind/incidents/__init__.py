"""Independent labelled traffic set "incidents" (see README.md for the design)."""
