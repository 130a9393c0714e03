"""casebook: a labelled six-hour request log of an LLM API provider, written blind.

Honest customers of many kinds (some replayed from real traces) and six harvesting campaigns
run the way operators run them. See README.md.
"""
