"""The actors' environment: sea weather and what people believe about each leg."""
