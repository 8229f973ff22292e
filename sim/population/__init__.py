"""The migrant population (struct of arrays) and its daily Numba kernel."""
