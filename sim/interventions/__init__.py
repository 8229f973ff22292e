"""Dated interventions: typed scenario entries (schema) and the daily effects through the actors (effects).

The intervention schema is part of the scenario configuration (`sim.config.schema` embeds it) and reads the
shared field helpers in `sim.config.fields`. Importing the configuration here, before any module of this package,
fixes the order: the configuration imports the intervention schema while it loads, never the other way round.
"""

import sim.config  # noqa: F401  (dependency order, see above)
