"""routesim: an agent-based simulator of people-smuggling routes into Europe and the UK."""

__version__ = "0.1.0"
