"""Outputs: the daily recorder, tidy tables, run folders with provenance, and charts."""
