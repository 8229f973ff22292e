"""Interventions as typed scenario entries: `[interventions.NAME]` with a `kind` picking the model.

Each kind states its strength in natural units (officers, boats a month, a share) and acts through a named
mechanism of the actors (docs/ODD.md); none moves people between corridors directly.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from sim.config.fields import STRICT


class Target(BaseModel):
    """Where an intervention acts: exactly one of a corridor, a hub, a country, a leg or an origin."""

    model_config = STRICT
    corridor: str | None = Field(None, description="A corridor, e.g. channel.")
    hub: str | None = Field(None, description="A hub id: the legs leaving it.")
    country: str | None = Field(None, description="A country code: the legs leaving its hubs.")
    leg: str | None = Field(None, description='A leg id "from->to", e.g. "northern_france_coast->kent".')
    origin: str | None = Field(None, description="An origin region (for kinds that act on people of one origin).")

    @model_validator(mode="after")
    def _exactly_one(self) -> "Target":
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of corridor, hub, country, leg, origin (got {given or 'none'})")
        return self

    @property
    def kind_and_value(self) -> tuple[str, str]:
        return next((k, v) for k, v in self.model_dump().items() if v is not None)


class InterventionBase(BaseModel):
    """What every intervention has: dates, ramp-up, target, optional cost."""

    model_config = STRICT
    description: str = Field("", description="What the intervention stands for, with its source.")
    start: dt.date = Field(description="First day in force (TOML date).")
    end: dt.date | None = Field(None, description="Last day in force (TOML date); none: to the end of the run.")
    ramp_up_days: int = Field(0, ge=0, le=3650, description="Days to reach full strength, linearly (days).")
    target: Target = Field(description="Where it acts.")
    cost_gbp: float | None = Field(None, ge=0, description="Total cost over the run, in GBP.")
    cost_eur: float | None = Field(None, ge=0, description="Total cost over the run, in EUR.")

    @model_validator(mode="after")
    def _dates_and_cost(self) -> "InterventionBase":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.cost_gbp is not None and self.cost_eur is not None:
            raise ValueError("give the cost in one currency: cost_gbp or cost_eur, not both")
        return self

    def intensity(self, date: dt.date) -> float:
        """0 before the start and after the end, rising linearly to 1 over the ramp-up."""
        if date < self.start or (self.end is not None and date > self.end):
            return 0.0
        if self.ramp_up_days == 0:
            return 1.0
        return min(1.0, ((date - self.start).days + 1) / self.ramp_up_days)


class LaunchPrevention(InterventionBase):
    """More officers stopping launches on the beaches (e.g. the French mobile unit)."""

    kind: Literal["launch_prevention"]
    officers_added: float = Field(gt=0, description="Officers added to the beach patrols of the target (people).")


class SupplyChainSeizures(InterventionBase):
    """Boats and engines seized upstream, before they reach the coast (e.g. NCA operations in Germany, Bulgaria)."""

    kind: Literal["supply_chain_seizures"]
    boats_per_month: float = Field(
        gt=0, description="Boats (with engines) seized a month from the supply of groups on the target "
        "(boats/month). Published pace: over 350 boats and 110 engines in the year to May 2024.")


class BorderClosure(InterventionBase):
    """A border closed or pushbacks: a share of crossings of the target's land legs stopped and returned."""

    kind: Literal["border_closure"]
    share_stopped: float = Field(gt=0, le=1, description="Share of attempts to cross that are stopped and "
                                 "returned (0-1).")


Intervention = Annotated[LaunchPrevention | SupplyChainSeizures | BorderClosure, Field(discriminator="kind")]
KINDS = ("launch_prevention", "supply_chain_seizures", "border_closure")
