"""Dated interventions: typed scenario entries (schema) and the daily effects through the actors (effects)."""
