"""Interventions as typed scenario entries: `[interventions.NAME]` with a `kind` picking the model.

Each kind states its strength in natural units (officers, boats a month, a share) and acts through a named
mechanism of the actors (docs/ODD.md); none moves people between corridors directly. Kinds whose strength the
world also cuts (rescue ships withdrawn, officers withdrawn, surveillance ended) accept a negative strength;
`reference_change` moves a leg's reference value from a date, so a history can say what changed when.
"""

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from sim.config.fields import DAYS_PER_YEAR, STRICT, Date

MAX_UNITS = 1e6  # officers, vessels, investigators added: far above any real force, keeps allocations finite
MAX_GBP = 1e11  # GBP 100bn: above any national budget line, keeps costs and people bought finite


def _not_zero(value: float) -> float:
    if value == 0:
        raise ValueError("a change of 0 does nothing: give a positive number to add, a negative one to withdraw")
    return value


# Units added (> 0) or withdrawn (< 0). A patrol's effective units never fall below zero (sim/actors/patrols.py),
# so withdrawing more than a leg has is allowed and acts as withdrawing all.
UnitsChange = Annotated[float, Field(ge=-MAX_UNITS, le=MAX_UNITS), AfterValidator(_not_zero)]


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
    start: Date = Field(description="First day in force (TOML date).")
    end: Date | None = Field(None, description="Last day in force (TOML date); none: to the end of the run.")
    ramp_up_days: int = Field(0, ge=0, le=3650, description="Days to reach full strength, linearly (days).")
    target: Target = Field(description="Where it acts.")
    cost_gbp: float | None = Field(None, ge=0, le=MAX_GBP, description="Total cost over the run, in GBP (money "
                                   "kinds: by default the money spent on their days in the run).")
    cost_eur: float | None = Field(None, ge=0, le=MAX_GBP, description="Total cost over the run, in EUR.")

    @model_validator(mode="after")
    def _dates_and_cost(self) -> "InterventionBase":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.cost_gbp is not None and self.cost_eur is not None:
            raise ValueError("give the cost in one currency: cost_gbp or cost_eur, not both")
        return self

    def cost_gbp_over(self, first: dt.date, last: dt.date, gbp_to_eur: float) -> float | None:
        """The cost charged to a run from first to last (GBP): the cost given, if any."""
        del first, last  # a stated cost is the intervention's whole cost; Funding works it out from its rate
        return self.cost_gbp if self.cost_eur is None else self.cost_eur / gbp_to_eur

    def intensity(self, date: dt.date) -> float:
        """0 before the start and after the end, rising linearly to 1 over the ramp-up."""
        if date < self.start or (self.end is not None and date > self.end):
            return 0.0
        if self.ramp_up_days == 0:
            return 1.0
        return min(1.0, ((date - self.start).days + 1) / self.ramp_up_days)


class LaunchPrevention(InterventionBase):
    """More officers stopping launches on the beaches (e.g. the French mobile unit), or fewer (officers withdrawn)."""

    kind: Literal["launch_prevention"]
    officers_added: UnitsChange = Field(
        description="Officers added to the beach patrols of the target, or withdrawn if negative (people). Not 0; "
        "a beach force never falls below none.")


class SupplyChainSeizures(InterventionBase):
    """Boats and engines seized upstream, before they reach the coast (e.g. NCA operations in Germany, Bulgaria)."""

    kind: Literal["supply_chain_seizures"]
    boats_per_month: float = Field(
        gt=0, le=10_000, description="Boats (with engines) seized a month from the supply of groups on the target "
        "(boats/month). Published pace: over 350 boats and 110 engines in the year to May 2024.")


class BorderClosure(InterventionBase):
    """A border closed or pushbacks: a share of crossings of the target's land legs stopped and returned."""

    kind: Literal["border_closure"]
    share_stopped: float = Field(gt=0, le=1, description="Share of attempts to cross that are stopped and "
                                 "returned (0-1).")


class Funding(InterventionBase):
    """Kinds whose strength may be money: a rate a year, or a total over the intervention's own start..end (never
    over the run's days, so the same money buys the same people whatever --days), turned into people by the
    unit-cost table."""

    amount_gbp_per_year: float | None = Field(
        None, gt=0, le=MAX_GBP, description="Money spent a year while in force (GBP/year).")
    amount_eur_per_year: float | None = Field(
        None, gt=0, le=MAX_GBP, description="Money spent a year while in force (EUR/year).")
    amount_gbp: float | None = Field(
        None, gt=0, le=MAX_GBP, description="Money spent in total from start to end (GBP); needs an end.")
    amount_eur: float | None = Field(
        None, gt=0, le=MAX_GBP, description="Money spent in total from start to end (EUR); needs an end.")

    people_field: ClassVar[str]  # the strength given in people instead of money
    MONEY: ClassVar[tuple[str, ...]] = ("amount_gbp_per_year", "amount_eur_per_year", "amount_gbp", "amount_eur")

    @model_validator(mode="after")
    def _one_strength(self) -> "Funding":
        given = [name for name in (self.people_field, *self.MONEY) if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {self.people_field}, {', '.join(self.MONEY)} (got "
                             f"{', '.join(given) or 'none'})")
        if given[0] in ("amount_gbp", "amount_eur") and self.end is None:
            raise ValueError(f"{given[0]} is a total from start to end, but there is no end: give an end date, or "
                             f"a rate ({given[0]}_per_year)")
        return self

    def gbp_per_year(self, gbp_to_eur: float) -> float | None:
        """The money's rate (GBP a year), or None when the strength is given in people."""
        yearly = self.amount_gbp_per_year if self.amount_gbp_per_year is not None else (
            None if self.amount_eur_per_year is None else self.amount_eur_per_year / gbp_to_eur)
        total = self.amount_gbp if self.amount_gbp is not None else (
            None if self.amount_eur is None else self.amount_eur / gbp_to_eur)
        if total is not None and self.end is not None:
            return total / (((self.end - self.start).days + 1) / DAYS_PER_YEAR)
        return yearly

    def cost_gbp_over(self, first: dt.date, last: dt.date, gbp_to_eur: float) -> float | None:
        """The cost given, else the money spent on the days in force from first to last."""
        given = super().cost_gbp_over(first, last, gbp_to_eur)
        rate = self.gbp_per_year(gbp_to_eur)
        if given is not None or rate is None:
            return given
        days = (min(self.end or last, last) - max(self.start, first)).days + 1
        return rate * max(days, 0) / DAYS_PER_YEAR


class EnforcementFunding(Funding):
    """Money for high-impact operations (e.g. GBP 30m to the Border Security Command): more investigators."""

    kind: Literal["enforcement_funding"]
    people_field: ClassVar[str] = "investigators_added"
    investigators_added: float | None = Field(
        None, gt=0, le=MAX_UNITS, description="Investigators added to the units working on the target (people); "
        "or give an amount, turned into investigators by unit_costs.investigator_year_gbp.")


class ProsecutionCapacity(Funding):
    """More prosecutors (e.g. GBP 3m for the Crown Prosecution Service): faster, more convictions."""

    kind: Literal["prosecution_capacity"]
    people_field: ClassVar[str] = "prosecutors_added"
    prosecutors_added: float | None = Field(
        None, gt=0, le=MAX_UNITS, description="Prosecutors added to the units working on the target (people); "
        "or give an amount, turned into prosecutors by unit_costs.prosecutor_year_gbp.")


class FinancialDisruption(InterventionBase):
    """Smugglers' money frozen or seized (e.g. the UK-Italy taskforce on hawala): less to reinvest."""

    kind: Literal["financial_disruption"]
    revenue_frozen_share: float = Field(
        0.0, ge=0, le=1, description="Share of the target groups' revenue frozen before it reaches them (0-1).")
    cash_seized_share_per_month: float = Field(
        0.0, ge=0, le=1, description="Share of the target groups' cash seized a month (0-1).")


class FacilitatorPenalties(InterventionBase):
    """Tougher law on facilitation in a country (e.g. Germany): storing and moving boats costs more, members
    risk more."""

    kind: Literal["facilitator_penalties"]
    boat_cost_increase_share: float = Field(
        ge=0, le=10, description="Relative rise of the cost of boats and engines for groups on the target (0-10).")
    member_cost_increase_share: float = Field(
        0.0, ge=0, le=10, description="Relative rise of members' running cost (risk pay) on the target (0-10).")


class OnlineTakedown(InterventionBase):
    """Adverts for crossings taken down on social media: fewer people see them."""

    kind: Literal["online_takedown"]
    share_removed: float = Field(gt=0, le=1, description="Share of adverts removed (0-1).")


class MaritimeSurveillance(InterventionBase):
    """Satellite or aerial watch of a sea area: boats are seen at sea, so interception and rescue work better;
    beach officers are not helped (they act on the shore)."""

    kind: Literal["maritime_surveillance"]
    coverage: Annotated[float, AfterValidator(_not_zero)] = Field(
        ge=-1, le=1, description="Share of the sea area newly watched, or, if negative, the share whose watch is "
        "withdrawn: the reference already includes today's watch (-1 to 1). Not 0.")


class SearchAndRescue(InterventionBase):
    """Rescue ships in a sea area, added or withdrawn (e.g. Mare Nostrum's end in 2014-10, Sophia's ships
    withdrawn in 2019-03); whether they draw departures is a hypothesis the scenario switches."""

    kind: Literal["search_and_rescue"]
    vessels_added: UnitsChange = Field(
        description="Rescue units added on the target sea legs, or withdrawn if negative (units). Not 0; a "
        "leg's rescue force never falls below none.")
    pull_factor_hypothesis: bool = Field(
        False, description="Hypothesis (disputed in the literature): people perceive the crossing as safer when "
        "rescuers are present, and more set out (and as more dangerous when rescuers are withdrawn).")
    pull_factor_strength: float = Field(
        0.5, ge=0, le=1, description="If the hypothesis is on: relative fall of the perceived risk of death at "
        "full strength when vessels are added, relative rise when they are withdrawn (0-1).")


class Removals(InterventionBase):
    """A share of arrivals at a destination removed (e.g. the 2022 UK-Albania arrangement); target: the destination
    hub."""

    kind: Literal["removals"]
    share_removed: float = Field(gt=0, le=1, description="Share of arrivals removed (0-1).")
    origin: str | None = Field(None, description="Only people from this origin region (default: everyone).")


class IllegalWorkingRaids(InterventionBase):
    """Raids on illegal working at a destination (target: the destination hub): its pull falls."""

    kind: Literal["illegal_working_raids"]
    raid_intensity: float = Field(gt=0, le=1, description="Intensity of the raids (0-1): 1 removes the destination's "
                             "whole job pull (behaviour.job_pull_eur).")


class ReturnAgreement(InterventionBase):
    """People landed are returned to the departure country (the EU-Turkey statement), or a partner coastguard
    intercepts and returns (Libya, Tunisia)."""

    kind: Literal["return_agreement"]
    landed_return_share: float = Field(
        0.0, ge=0, le=1, description="Share of people landed from the target sea legs returned (0-1).")
    coastguard_units_added: float = Field(
        0.0, ge=-MAX_UNITS, le=MAX_UNITS,
        description="Units added to the partner coastguard intercepting on the target sea legs, or withdrawn if "
        "negative (units). A coastguard never falls below none.")

    @model_validator(mode="after")
    def _something(self) -> "ReturnAgreement":
        if self.landed_return_share == 0 and self.coastguard_units_added == 0:
            raise ValueError("give landed_return_share or coastguard_units_added (or both)")
        return self


class PortSecurity(InterventionBase):
    """Security at the ports and the tunnel: lorry detection rises with officers and scanners (and falls when
    they are withdrawn, e.g. lorry checks eased)."""

    kind: Literal["port_security"]
    officers_added: UnitsChange = Field(
        description="Officers (or scanner teams) added at the ports, or withdrawn if negative (units). Not 0; "
        "port checks never fall below none.")


class LegCapacity(InterventionBase):
    """A leg's throughput scaled (e.g. COVID-19 restrictions on lorries and travel)."""

    kind: Literal["leg_capacity"]
    factor: float = Field(ge=0, le=10, description="Multiplier of places on paid legs; on land legs a factor below "
                          "1 turns back that share of travellers (0-10).")


class IntelligenceSharing(InterventionBase):
    """A named, switchable assumption: enforcement along a route shares intelligence, so operations succeed more
    and patrols see more."""

    kind: Literal["intelligence_sharing"]
    strength: float = Field(gt=0, le=2, description="Relative rise of operations' success and of the effective "
                            "units of every patrol role (beach, sea, rescue) on the target (0-2). An assumption, not "
                            "a published figure.")


# The per-leg reference values (legs.csv) a dated change may move, with the range a value must stay in, and who
# reads each (docs/ODD.md 7.16). Capacity is not here: nobody reads it after the start (places come from the groups;
# `leg_capacity` scales them). No hub value is read after the start either.
REFERENCE_ATTRIBUTES: dict[str, tuple[float, float, str]] = {
    "price_eur": (0.0, 1e6, "the groups' reference price on market legs; the fare on other legs (EUR a place)"),
    "people_per_boat": (1.0, 1000.0, "the groups' reference load on market legs (people a boat)"),
    "p_prevent": (0.0, 1.0, "the beach or lorry-park patrol's reference probability; the visa refusal on air legs"),
    "p_intercept": (0.0, 1.0, "the coastguard's or port's reference probability; the document check on air legs"),
    "p_rescue": (0.0, 1.0, "the rescue services' reference probability on sea legs"),
    "death_risk": (0.0, 0.99, "the chance of death on one attempt at the network's reference conditions"),
    "travel_days": (1.0, 3650.0, "days a traversal takes, rounded to whole days (days)"),
}
MAX_SCALE = 100.0  # a hundredfold change of a reference value: beyond that a set value says it better


class ReferenceChange(InterventionBase):
    """A leg's reference value changed from a date (e.g. from 2016-03-20 the Aegean's reference interception is
    0.5): the actors read the new value, reached linearly over the ramp-up, until the end."""

    kind: Literal["reference_change"]
    attribute: Literal["price_eur", "people_per_boat", "p_prevent", "p_intercept", "p_rescue", "death_risk",
                       "travel_days"] = Field(
        description="The legs.csv value changed, on the target's legs that read it: " + "; ".join(
            f"{name}: {what}" for name, (_, _, what) in REFERENCE_ATTRIBUTES.items()) + ".")
    set: float | None = Field(None, ge=0, le=1e6, description="The new value, in the attribute's unit (within the "
                              "attribute's range: probabilities 0-1, death_risk 0-0.99, people_per_boat and "
                              "travel_days at least 1).")
    scale: float | None = Field(None, ge=0, le=MAX_SCALE, description="Or: the value multiplied by this "
                                "(dimensionless; results kept within the attribute's range).")

    @model_validator(mode="after")
    def _set_or_scale(self) -> "ReferenceChange":
        if (self.set is None) == (self.scale is None):
            raise ValueError("give exactly one of set (a new value) or scale (a multiplier)")
        low, high, _ = REFERENCE_ATTRIBUTES[self.attribute]
        if self.set is not None and not low <= self.set <= high:
            raise ValueError(f"set = {self.set} is outside the range of {self.attribute}: {low:g} to {high:g}")
        return self


Intervention = Annotated[
    LaunchPrevention | SupplyChainSeizures | BorderClosure | EnforcementFunding | ProsecutionCapacity
    | FinancialDisruption | FacilitatorPenalties | OnlineTakedown | MaritimeSurveillance | SearchAndRescue
    | Removals | IllegalWorkingRaids | ReturnAgreement | PortSecurity | LegCapacity | IntelligenceSharing
    | ReferenceChange,
    Field(discriminator="kind"),
]


class UnitCosts(BaseModel):
    """What a year of one person's work costs: turns money into capacity (the explicit unit-cost table)."""

    model_config = STRICT
    investigator_year_gbp: float = Field(
        100_000.0, ge=1000, le=1e7,
        description="Cost of one investigator for a year, with overheads (GBP). Assumption.",
        json_schema_extra={"source": "assumption: salary and overheads of an NCA officer"})
    prosecutor_year_gbp: float = Field(
        90_000.0, ge=1000, le=1e7,
        description="Cost of one prosecutor for a year, with overheads (GBP). Assumption.",
        json_schema_extra={"source": "assumption: salary and overheads of a CPS lawyer"})
