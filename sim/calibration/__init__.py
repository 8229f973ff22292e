"""Calibration of the history against the observed series: free parameters with priors, ABC-SMC with pyabc, and
the fitted overlay and posterior the other commands use (docs/validation.md, "Calibration")."""
