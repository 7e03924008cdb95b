"""Budgets of the project: `python -m benchmarks` (or `make bench`) prints them."""
