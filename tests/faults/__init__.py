"""Fault tests: the real worker under kills, outages and rebalances (issue 7)."""
