"""The scenario file, declared once as typed pydantic models.

Validation, the CLI's help and the parameter table in docs/ all come from these declarations. Every default
carries its source in `json_schema_extra={"source": ...}`, or says it is an assumption and why.
"""

import calendar
import datetime as dt
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from sim.config.actors import Enforcement, Guides, Information, Patrols, Smugglers, Supply, Weather
from sim.config.fields import STRICT, Date, Share, param
from sim.interventions.schema import Intervention, UnitCosts

MAX_PEOPLE_PER_DAY = 1e6  # from one origin: hundreds of times the largest published daily flows
MAX_EUR = 1e7  # an amount in EUR no single person's choice involves; keeps costs finite
NAME_PATTERN = re.compile(r"[\x00-\x1f\x7f/\\]")  # names a folder: no control characters, no path separators
MONTH_DAYS = np.array([calendar.monthrange(2025, m)[1] for m in range(1, 13)], float)  # a common year


def _mean_one(profile: list[float]) -> list[float]:
    """A seasonal profile moves people between months, never adds or removes them."""
    if abs(sum(profile) / 12.0 - 1.0) > 1e-6:
        raise ValueError(f"the 12 monthly factors must have mean 1 (they have mean {sum(profile) / 12.0:.6f})")
    return profile


MonthlyProfile = Annotated[
    list[Annotated[float, Field(ge=0, le=12)]], Field(min_length=12, max_length=12), AfterValidator(_mean_one)]
# Frontex FRAN Q1 2013: asylum applications fall 12-24% at the start of each year (2008-2013); FRAN Q4 2014 and
# Q2 2015: winters see substantially lower pressure, flows pick up after the winter; Irish Times 2023-05-03: EU
# asylum applications fall in winter and surge in summer. The monthly shape within that is an assumption (Q1 is
# 21% below the other months' mean, the peak in August).
SEASONAL_PROFILE = [0.82, 0.80, 0.88, 0.96, 1.04, 1.10, 1.14, 1.16, 1.12, 1.06, 0.98, 0.94]
SEASONAL_SOURCE = ("Frontex FRAN Q1 2013 (asylum applications fall 12-24% at the start of each year, 2008-2013), "
                   "FRAN Q4 2014 and Q2 2015 (lower pressure in winter, rising after it), Irish Times 2023-05-03 "
                   "(EU asylum applications fall in winter, surge in summer); assumption: the monthly shape, Q1 "
                   "21% below the other months, peak in August")


class InflowSeries(BaseModel):
    """New people setting out from one origin region: a piecewise-linear curve in people per day."""

    model_config = STRICT
    dates: list[Date] = Field(min_length=1, max_length=10_000,
                              description="Dates of the curve's points (TOML dates).")
    people_per_day: list[Annotated[float, Field(ge=0, le=MAX_PEOPLE_PER_DAY)]] = Field(
        min_length=1, max_length=10_000,
        description=f"People setting out per day at each date (people/day, 0 to {MAX_PEOPLE_PER_DAY:,.0f}).")
    seasonal_profile: MonthlyProfile | None = Field(
        None, description="12 monthly factors (January first, mean 1) multiplying this origin's curve; none: the "
        "scenario's inflow_seasonal_profile.")
    initial_stock_people: float = Field(
        0.0, ge=0, le=MAX_PEOPLE_PER_DAY,
        description="People from this origin already on their way on the first simulated day (first spin-up day), "
        "set out at the origin hub on that day besides its inflow (people).")

    @model_validator(mode="after")
    def _matching_and_sorted(self) -> "InflowSeries":
        if len(self.dates) != len(self.people_per_day):
            raise ValueError(
                f"dates has {len(self.dates)} entries but people_per_day has {len(self.people_per_day)}; "
                "they must be the same length")
        if any(b <= a for a, b in zip(self.dates, self.dates[1:], strict=False)):
            raise ValueError("dates must be strictly increasing")
        return self

    def per_day(self, first: dt.date, days: int, shared_profile: list[float]) -> np.ndarray:
        """People setting out on each of `days` days from `first`: linear between the dated points (held flat
        outside them), times the month's seasonal factor. Factors are divided by their mean weighted by the days
        of each month, so a calendar year's total is that of the curve alone (a flat profile changes nothing)."""
        ordinals = first.toordinal() + np.arange(days)
        level = np.interp(ordinals, [d.toordinal() for d in self.dates], self.people_per_day)
        profile = np.array(self.seasonal_profile if self.seasonal_profile is not None else shared_profile)
        months = np.array([dt.date.fromordinal(int(o)).month - 1 for o in ordinals], np.int64)
        return level * (profile / (profile @ MONTH_DAYS / MONTH_DAYS.sum()))[months]


class Behaviour(BaseModel):
    """How migrants choose, wait, earn and give up (the kernel's parameters)."""

    model_config = STRICT
    value_of_time_eur_per_day: float = param(
        40.0, "Perceived cost of one day of travel (EUR/day).", "assumption: order of a day's wage in Europe",
        ge=0, le=MAX_EUR)
    risk_value_eur: float = param(
        200_000.0, "Perceived cost of a certain death for an average person (EUR); times the leg's death "
        "probability.", "assumption: makes a 2.5% Central Med risk weigh like a EUR 5,000 fare", ge=0, le=MAX_EUR)
    failure_cost_eur: float = param(
        1500.0, "Perceived cost of being stopped or returned on a leg (EUR); times the leg's failure "
        "probability.", "assumption: a lost fare and weeks of delay", ge=0, le=MAX_EUR)
    choice_scale_eur: float = param(
        800.0, "Logit scale of leg choice (EUR): larger means choices less sensitive to cost differences.",
        "assumption", ge=1, le=MAX_EUR)
    preferred_destination_bonus_eur: float = param(
        10000.0, "Value of reaching one's preferred destination over another (EUR).",
        "assumption: of the order of a Channel fare, so people pay it to reach the UK", ge=0, le=MAX_EUR)
    risk_aversion_sigma: float = param(
        0.6, "Log-sd of personal risk aversion (mean 1) across people (dimensionless).", "assumption", ge=0,
        le=3)
    earn_eur_per_day: float = param(
        10.0, "What a person short of money earns a day while waiting outside Europe (EUR/day).",
        "assumption: informal work in transit countries (Libya, Turkey, Sudan)", ge=0, le=MAX_EUR)
    earn_eur_per_day_in_europe: float = param(
        40.0, "What a person short of money earns a day while waiting in Europe (EUR/day).",
        "assumption: illegal working; the promise of jobs is how gangs sell places (DOMAIN.md)", ge=0, le=MAX_EUR)
    give_up_base_per_day: float = param(
        0.0005, "Daily probability of giving up for a person who has just arrived at a hub (1/day).",
        "assumption", ge=0, le=1)
    give_up_wait_factor_per_30_days: float = param(
        0.5, "Relative rise of the give-up hazard per 30 days waiting at a hub (dimensionless).", "assumption",
        ge=0, le=100)
    give_up_per_attempt: float = param(
        0.3, "Relative rise of the give-up hazard per failed attempt (dimensionless).", "assumption", ge=0, le=100)
    give_up_shortfall_factor: float = param(
        2.0, "Relative rise of the give-up hazard when the cheapest onward fare exceeds the budget, per unit "
        "of shortfall relative to the fare (dimensionless).", "assumption", ge=0, le=100)
    removal_cost_eur: float = param(
        10000.0, "Perceived cost of being removed after arriving (EUR), times the share removed: lowers a "
        "destination's value for the origins concerned.", "assumption: of the order of the preference bonus",
        ge=0, le=MAX_EUR)
    job_pull_eur: float = param(
        3000.0, "Part of a destination's value that comes from the prospect of (illegal) work (EUR): what "
        "raids at full intensity take away.", "assumption: gangs sell places with the promise of jobs (DOMAIN.md)",
        ge=0, le=MAX_EUR)
    settle_share: float = param(
        0.5, "Share of those giving up in a transit country who settle there rather than go home.",
        "assumption", ge=0, le=1)
    detention_days: int = param(
        14, "Days a person intercepted (at sea, or in a lorry at the ports) or returned after landing is "
        "detained before trying again (days).",
        "assumption: Libyan and Turkish detention lasts weeks", ge=0, le=365)


class Boats(BaseModel):
    """How a sea crossing kills: small incidents drawn per person, and whole-boat losses (docs/ODD.md 7.12).

    A sea leg's `death_risk` (legs.csv) is the chance a person dies on one crossing at reference conditions; it is
    split between the two by corridor, and each part rises with load, roughness and (incidents) hurried launches.
    """

    model_config = STRICT
    overload_exponent: float = param(
        1.5, "Exponent of the rise of a boat's incident and whole-boat loss probabilities with its load relative "
        "to the leg's reference load (dimensionless).", "assumption: NCA warns overloading raises the risk of death "
        "(DOMAIN.md); the shape is not published", ge=0, le=5)
    incident_share: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"channel": 0.95, "central_med": 0.2, "eastern_med": 0.3, "western_med": 0.3},
        description="Share of a sea leg's reference deaths that come from small incidents rather than whole-boat "
        "losses, by corridor (0-1); corridors not listed: incident_share_other.",
        json_schema_extra={"source": "assumption: DOMAIN.md says most Channel deaths come from small incidents "
                           "(crush, drowning at embarkation, hypothermia) and whole boats vanish on the long sea "
                           "routes; the shares themselves are not published"})
    incident_share_other: float = param(
        0.3, "Share of deaths from small incidents on sea legs of corridors not in incident_share (0-1).",
        "assumption", ge=0, le=1)
    incident_death_share: float = param(
        0.03, "Chance that a person aboard a boat with an incident dies in it, at reference rescue (0-1): a "
        "Channel boat of 30-40 loses about one person.",
        "assumption: Channel incidents typically kill one to a few people (DOMAIN.md: small incidents)", gt=0, le=1)
    hurry_factor: float = param(
        1.0, "Relative rise of a boat's incident probability per unit of the day's beach-prevention probability "
        "(launches rushed under police pressure), relative to the leg's reference prevention (dimensionless).",
        "assumption: DOMAIN.md says launches rushed under police pressure raise the risk", ge=0, le=20)
    incident_rescue_reach: float = param(
        0.5, "Share of an incident's deaths a certain rescue (probability 1) would prevent (0-1); the rest happen "
        "before help can come (crush, embarkation).", "assumption", ge=0, lt=1)


class Observation(BaseModel):
    """How sources record what happens (the model reports both the truth and what each source would record).

    A source records, on the legs it observes (legs.csv `observed_as`): completed crossings times the leg's
    `observed_share`; and, as Frontex counts detections, people stopped at the border and people intercepted at sea
    by the EU side, once per attempt (a person stopped three times is three detections).
    """

    model_config = STRICT
    land_stops_recorded_share: dict[str, Share] = Field(
        default_factory=lambda: dict.fromkeys(
            ("frontex_eastern_med_land", "frontex_western_balkans", "frontex_western_med", "frontex_eastern_land"),
            1.0),
        description="Share of the people stopped at a land border and pushed back (border closures, fences) on the "
        "source's legs that the source records as detections, each attempt counted, by source (0-1); sources not "
        "listed: 0.",
        json_schema_extra={"source": "Frontex (via Liberation Desintox 2022, actualnewsmagazine.com): a detection is "
                           "an officer seeing a migrant cross and apprehending them, an officer detecting migrants "
                           "who wish to cross without necessarily crossing, or a crossing seen but not apprehended; "
                           "'the same person can attempt to cross the border several times' (Frontex press "
                           "releases; InfoMigrants 2023: repeat attempts counted on the Balkan route). Share 1: "
                           "assumption, a person stopped has been seen by the border guards"})
    sea_interceptions_recorded_share: dict[str, Share] = Field(
        default_factory=dict,
        description="Share of the people on boats intercepted at sea on the source's legs that the source records "
        "as detections, by source (0-1); sources not listed: 0. The model's interceptions at sea are by the "
        "departure country's coastguard (Turkish, Libyan, Tunisian, Moroccan, Mauritanian, Senegalese), whose "
        "returns Frontex does not count; set a source to 1 where a scenario's interceptions are by EU-side "
        "coastguards. Boats rescued and landed are counted as crossings.",
        json_schema_extra={"source": "Frontex counts detections at the EU's external borders (observed_calibration"
                           ".csv: detections of illegal border crossings); DOMAIN.md: interception and return by "
                           "Turkish, Libyan and Tunisian coastguards. Default 0 for every source: assumption, no "
                           "EU-side interception at sea in the network"})
    deaths_recorded_share: dict[str, Share] = Field(
        default_factory=lambda: {"eastern_med": 1.0, "western_balkans": 1.0, "central_med": 0.75,
                                 "western_med": 1.0, "channel": 1.0, "western_african": 1.0, "eastern_land": 1.0},
        description="Share of deaths the IOM Missing Migrants Project records, by corridor (0-1); corridors not "
        "listed (the approach through the Sahara and Turkey, onward travel, air): 1.",
        json_schema_extra={"source": "central_med 0.75: DOMAIN.md, only 66-85% of Central Med deaths recorded (one "
                           "estimate), midpoint. Every other corridor 1: assumption, no estimate of under-recording "
                           "in the package (IOM's figures are a lower bound, so the model's recorded deaths are too "
                           "high where deaths go unrecorded, e.g. the Atlantic and desert crossings)"})


class Scenario(BaseModel):
    """A run: dates, seed, scale, inflow per origin region and behavioural parameters."""

    model_config = STRICT
    name: str = Field(min_length=1, max_length=64,
                      description="Short name of the scenario, used in the run folder's name (no '/' or '\\').")
    description: str = Field("", max_length=10_000, description="What the scenario represents.")
    start_date: Date = Field(description="First recorded day (TOML date, e.g. 2025-04-01).")
    days: int = Field(ge=1, le=20_000, description="Number of recorded days.")
    seed: int = Field(20250401, ge=0, lt=2**63, description="Seed from which every random draw flows.")
    scale: float = Field(
        1.0, ge=1.0, le=10_000.0,
        description="People each simulated migrant stands for (K >= 1); outputs are always in people.")
    spin_up_days: int = Field(
        730, ge=0, le=5000,
        description="Days simulated before start_date and not recorded, so the routes start populated and the "
        "market has settled (days). Assumption: measured at the baseline (docs/ODD.md 5), groups still grow by "
        "about 20% a year after one year and by about 10% after two, members and people on the routes by under "
        "10% after two.")
    spin_up_from: str | None = Field(
        None, description="A scenario file (e.g. \"history.toml\", relative to this file) whose world fills the "
        "spin-up, so this run continues it: its interventions and reference changes that started before "
        "start_date carry on, named FROM_NAME (FROM: that scenario's name), with their own dates; its other "
        "settings are not taken. Its days must cover the spin-up, and it may not itself use spin_up_from.")
    spin_up_inflow: Literal["own", "continued"] = Field(
        "own", description="Whose inflow fills the spin-up: own (this scenario's curves, the default) or "
        "continued (the spin_up_from scenario's curves before start_date, this scenario's from start_date on; "
        "this scenario's seasonal profiles throughout).")
    inflow: dict[str, InflowSeries] = Field(
        min_length=1, description="New people per day by origin region (keys: origin hub ids).")
    inflow_seasonal_profile: MonthlyProfile = Field(
        default_factory=lambda: list(SEASONAL_PROFILE),
        description="12 monthly factors (January first, mean 1) multiplying every origin's inflow curve that sets "
        "no seasonal_profile of its own (dimensionless).", json_schema_extra={"source": SEASONAL_SOURCE})
    behaviour: Behaviour = Field(default_factory=Behaviour)
    boats: Boats = Field(default_factory=Boats)
    smugglers: Smugglers = Field(default_factory=Smugglers)
    guides: Guides = Field(default_factory=Guides)
    supply: Supply = Field(default_factory=Supply)
    patrols: Patrols = Field(default_factory=Patrols)
    enforcement: Enforcement = Field(default_factory=Enforcement)
    weather: Weather = Field(default_factory=Weather)
    information: Information = Field(default_factory=Information)
    observation: Observation = Field(default_factory=Observation)
    unit_costs: UnitCosts = Field(default_factory=UnitCosts)
    interventions: dict[str, Intervention] = Field(
        default_factory=dict, description="Dated interventions by name: [interventions.NAME] with a kind.")
    gbp_to_eur: float = param(1.15, "Exchange rate used to put costs in one currency and to show GBP beside EUR "
                              "(EUR per GBP).", "ECB euro reference rates, annual average 2023: 0.86979 GBP per EUR "
                              "= 1.150 EUR per GBP (rate dated 2023; the rate used for the network's sourced prices)",
                              ge=0.01, le=100)

    @field_validator("name")
    @classmethod
    def _name_is_not_a_path(cls, name: str) -> str:
        if NAME_PATTERN.search(name):
            raise ValueError("a name may not hold '/', '\\' or control characters: it names the run's folder, "
                             "never a path")
        return name

    def end_date(self) -> dt.date:
        """Last recorded day."""
        return self.start_date + dt.timedelta(days=self.days - 1)
