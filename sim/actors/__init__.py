"""The actors: smuggling groups and their market, patrols, enforcement units (Mesa agents)."""
