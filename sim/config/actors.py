"""Scenario sections for the actors and the environment: smugglers, guides, patrols, enforcement, weather,
information.

Each default carries its source or is named an assumption; docs/parameters.md is generated from these.
"""

from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from sim.config.fields import STRICT, Share, param

MAX_UNITS = 1e6  # officers, vessels, investigators: far above any real force, keeps allocations finite
Units = Annotated[float, Field(ge=0, le=MAX_UNITS)]


class Smugglers(BaseModel):
    """Smuggling groups operating the paid sea and lorry legs (a market for places)."""

    model_config = STRICT
    launches_per_member_per_day: float = param(
        0.1, "Launches (boats or lorries) one active member can organise per day (1/day).",
        "assumption: a crew of about ten runs a launch a day", ge=0.001, le=100)
    initial_launches_per_group_per_day: float = param(
        2.0, "Launches per day a group is sized for at the start; groups per leg follow from the leg's "
        "reference capacity (1/day).", "assumption", ge=0.1, le=1000)
    stock_cover_days: float = param(
        10.0, "Sailing days of launches a group tries to hold in stock and on order (days).", "assumption",
        ge=0, le=365)
    cash_reserve_days: float = param(
        60.0, "Days of running costs and boat purchases a group keeps as cash; profit beyond that is taken out "
        "of the business (days).", "assumption", ge=0, le=3650)
    member_cost_eur_per_day: float = param(
        60.0, "Running cost per active member per day: wages, housing, bribes (EUR/day).", "assumption", ge=0, le=1e6)
    price_demand_elasticity: float = param(
        0.5, "Exponent of price on demand relative to places offered (dimensionless).", "assumption", ge=0,
        le=3)
    price_floor_share: float = param(
        0.5, "Lowest price as a share of the leg's reference price.", "assumption", gt=0, le=1)
    price_cap_share: float = param(
        2.5, "Highest price as a share of the leg's reference price.",
        "assumption: Channel prices ranged GBP 1,500-7,000 (DOMAIN.md)", ge=1, le=100)
    risk_premium_per_arrest_rate: float = param(
        1.0, "Relative price rise per unit share of a group's members arrested over the last ~90 days "
        "(dimensionless).",
        "assumption", ge=0, le=100)
    max_overload: float = param(
        2.5, "Most people per boat as a multiple of the leg's reference load (dimensionless).",
        "Home Office: Channel 7 a boat in 2018, 28 in 2021 (observed_calibration.csv)", ge=1, le=10)
    overload_response: float = param(
        1.0, "How strongly scarce boats raise the load: load = planned x (demand / (launches available x "
        "planned))^r, capped; launches available is the least of capacity, boats and engines "
        "(dimensionless).", "assumption", ge=0, le=3)
    prevention_load_response: float = param(
        1.0, "How strongly beach prevention raises the planned load: planned = reference x ((1 - reference "
        "prevention) / (1 - yesterday's beach prevention))^r: fewer launches get through, so each carries more "
        "(dimensionless).", "assumption: DOMAIN.md, overloading as the answer to a supply-side and policing "
        "squeeze; the shape is not published", ge=0, le=5)
    boat_price_load_response: float = param(
        0.5, "How strongly a dear boat raises the planned load: planned x= (cost of a boat that reaches the coast "
        "/ supply.boat_and_engine_price_eur)^r; the cost is the chain's price over the share of boats not seized "
        "(dimensionless).", "assumption", ge=0, le=5)
    taxi_corridors: list[str] = Field(
        default_factory=lambda: ["channel"], max_length=20,
        description="Corridors whose groups launch taxi boats: boats launched empty from rivers and canals that "
        "pick people up in the water.",
        json_schema_extra={"source": "DOMAIN.md: French police act on beaches, not at sea; smugglers answer by "
                           "launching boats empty from rivers and canals"})
    taxi_share_per_prevent: float = param(
        1.5, "Share of a group's launches made as taxi boats per unit of beach-prevention probability above the "
        "leg's reference prevention (dimensionless); none at or below the reference.",
        "assumption: the answer to beach policing grows with it (DOMAIN.md); no taxi boats at the 2021 reference, "
        "so the reference death risk holds there", ge=0, le=100)
    taxi_max_share: float = param(
        0.3, "Highest share of a group's launches made as taxi boats (0-1).",
        "assumption: some people still board on beaches", ge=0, le=1)
    taxi_escape_share: float = param(
        0.5, "Share of the beach-prevention probability a taxi launch escapes (0-1): police on the shore do not "
        "intervene at sea.", "assumption: DOMAIN.md; many pick-ups are still stopped at the water's edge; with "
        "the defaults more officers still stop more launches (tests/test_interventions.py)",
        ge=0, le=1)
    taxi_incident_factor: float = param(
        1.5, "A taxi launch's incident probability as a multiple of a beach launch's (dimensionless): people "
        "wade out and climb aboard in the water.", "assumption: DOMAIN.md, drownings at embarkation and in the "
        "shallows", ge=1, le=20)
    payment_attempts: int = param(
        3, "Attempts one payment covers: 1 = pay per attempt; 3 = a package of three tries (attempts).",
        "assumption: packages of several attempts are reported on the Channel", ge=1, le=10)
    replacement_days: int = param(
        60, "Days until a group replaces an arrested member (days).",
        "assumption: organisations are resilient; arrested members are replaced (DOMAIN.md)", ge=1, le=3650)
    entry_check_days: int = param(
        14, "Days between market-entry checks on each paid leg (days).", "assumption", ge=1, le=365)
    entry_profit_eur_per_month: float = param(
        50000.0, "Monthly profit a newcomer needs to enter; the chance of entry at a check rises with the "
        "expected profit above it: 1 - exp(-excess / this) (EUR/month).", "assumption", ge=1, le=1e9)
    growth_share: float = param(
        0.5, "Share of its members a group recruits (or sheds) at each entry check when demand outruns (or "
        "falls far below) its capacity.", "assumption", ge=0, le=1)
    startup_grace_days: int = param(
        90, "Days a new group keeps going while it loses money, to find its customers (days).", "assumption",
        ge=0, le=3650)
    price_adjustment_per_day: float = param(
        0.1, "Share of the gap to its target price a group closes each day: prices are sticky (0-1).",
        "assumption", gt=0, le=1)
    profit_weight_per_day: float = param(
        0.05, "Daily weight of the day's profit in a group's smoothed profit (0-1): a memory of about 20 days.",
        "assumption", gt=0, le=1)
    launches_weight_per_sailing_day: float = param(
        0.1, "Weight of a sailing day's launches wanted in a group's expected launches, which its stock and "
        "working capital are planned on (0-1).", "assumption", gt=0, le=1)
    arrest_memory_days: float = param(
        90.0, "Days over which a group's arrest rate decays by a factor e: how long arrests keep its risk "
        "premium up (days).", "assumption", ge=1, le=3650)
    recruit_demand_capacity_ratio: float = param(
        1.2, "A group recruits when the launches its demand wants exceed its capacity by this multiple "
        "(dimensionless).", "assumption", ge=1, le=100)
    recruit_cash_share: float = param(
        0.5, "A group recruits only while its cash exceeds this share of its working capital (dimensionless).",
        "assumption", ge=0, le=100)
    shed_demand_capacity_ratio: float = param(
        0.5, "A group sheds members when the launches its demand wants fall below this share of its capacity "
        "(0-1).", "assumption", ge=0, le=1)
    unmet_weight_per_day: float = param(
        0.1, "Daily weight of the day's people left waiting in a leg's smoothed unmet demand (0-1).",
        "assumption", gt=0, le=1)
    newcomer_fare_share: float = param(
        0.5, "Share of the fares of the people left waiting on a leg nobody serves that a newcomer expects to "
        "make as profit (0-1).", "assumption", ge=0, le=1)
    entry_members: int = param(6, "Members of a newly entering group.", "assumption", ge=1, le=1000)
    entry_cash_eur: float = param(30000.0, "Starting cash of a newly entering group (EUR).", "assumption", ge=0, le=1e9)
    advert_reach: float = param(
        0.3, "Share of the people of an origin who see a group's online adverts (0-1).",
        "assumption: adverts on social media (DOMAIN.md, online promotion)", ge=0, le=1)


class Supply(BaseModel):
    """Supply chains of boats with engines, one per sea corridor (docs/ODD.md 7.17): a limited throughput, a
    delivery delay, a pipeline that can be seized and a price that rises with the wait for a boat."""

    model_config = STRICT
    boat_and_engine_price_eur: float = param(
        15000.0, "Price of one boat with engine and equipment when no order waits (EUR), paid when ordered.",
        "BBC undercover Essen 2024: dinghy, engine and 60 life jackets EUR 15,000 (inputs_and_priors.csv)",
        gt=0, le=1e7)
    delivery_delay_days: int = param(
        14, "Days from a boat's dispatch by the supply chain to its arrival at the group's coast (days).",
        "assumption: bought in Germany, Bulgaria or Turkey and driven to the coast (DOMAIN.md)", ge=0, le=365)
    throughput_headroom: float = param(
        1.0, "Boats with engines the chain of a corridor not in throughput_boats_per_day can dispatch a day, as a "
        "multiple of the reference launches a day of the corridor's sea legs (their capacity over their people "
        "per boat) (dimensionless).",
        "assumption: the legs' reference capacity is set above the peak flow (legs.csv), so the chain keeps up "
        "with reference demand but not much more", gt=0, le=100)
    throughput_boats_per_day: dict[str, Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default_factory=lambda: {"channel": 6.0},
        description="Boats with engines a corridor's chain can dispatch a day, by corridor (boats/day); corridors "
        "not listed: throughput_headroom.",
        json_schema_extra={"source": "Channel: assumption of the order of the 2021 launches: 1,034 boats arrived "
                           "(Home Office, observed_calibration.csv) with 45% of launches prevented (legs.csv "
                           "reference) is about 1,900 launches, 5.2 a day; 6 leaves a little headroom"})
    price_rise_per_wait_day: float = param(
        0.05, "Relative rise of the boat price per day an order waits for dispatch (backlog / throughput) "
        "(1/day).", "assumption", ge=0, le=10)
    price_cap_share: float = param(
        3.0, "Highest boat price as a multiple of boat_and_engine_price_eur (dimensionless).",
        "assumption: NCA (The Times 2023) put a boat's production cost at GBP 1,000 (inputs_and_priors.csv), so "
        "the margin of a package is wide", ge=1, le=100)


class Patrols(BaseModel):
    """Beach police, departure-country coastguards and rescue services on paid legs."""

    model_config = STRICT
    max_probability: float = param(
        0.9, "Highest probability any patrol role can reach however many units it has.", "assumption", gt=0,
        le=1)
    reference_ceiling_share: float = param(
        0.99, "Highest share of a patrol's ceiling probability its leg's reference probability may take: where "
        "the reference is at or above max_probability the ceiling is raised to reference / this share, so that "
        "added units can still raise the probability a little (0-1).",
        "assumption: headroom above the highest reference probabilities", gt=0, lt=1)
    reference_units: float = param(
        100.0, "Units (officers, vessels) a patrol has at the leg's reference probability, unless a scenario "
        "says otherwise (units).", "assumption: a normalisation; the French beach force was 200 officers in "
        "2022 (inputs_and_priors.csv)", ge=0.01, le=1e6)
    surveillance_gain: float = param(
        1.0, "Relative rise of the effective units of the interceptors and rescuers on a sea area with full "
        "surveillance coverage; beach police are not helped, they act on the shore (dimensionless).",
        "assumption: satellites and aircraft show patrols where boats are", ge=0, le=100)
    beach_officers_reference: dict[str, Annotated[float, Field(gt=0, le=MAX_UNITS)]] = Field(
        default_factory=lambda: {"northern_france_coast->kent": 200.0},
        description="Beach officers (by leg id) at which the leg's reference p_prevent holds (people). Legs not "
        "listed use reference_units.",
        json_schema_extra={"source": "French beach officers 200 before the 2022-11 deal (inputs_and_priors.csv); "
                           "the Channel's reference p_prevent is for 2021"})
    beach_officers: dict[str, Units] = Field(
        default_factory=lambda: {"northern_france_coast->kent": 300.0},
        description="Beach officers (by leg id) in the scenario (people). Legs not listed have their reference.",
        json_schema_extra={"source": "French beach officers 300 after the 2022-11 deal (inputs_and_priors.csv)"})
    swamping_headroom: float = param(
        1.5, "Launches per day a patrol at reference strength can attend to, as a multiple of the leg's "
        "reference launches; more launches than that swamp it (dimensionless).", "assumption", ge=0.01, le=1000)


class EnforcementUnit(BaseModel):
    """Investigators and prosecutors working against the groups of some corridors."""

    model_config = STRICT
    name: str = Field(min_length=1, max_length=64, description="Name of the unit, e.g. uk_nca.")
    corridors: list[str] = Field(min_length=1, max_length=20,
                                 description="Corridors whose groups the unit investigates.")
    investigators: float = Field(ge=0, le=MAX_UNITS, description="Investigators working on these groups (people).")
    prosecutors: float = Field(ge=0, le=MAX_UNITS, description="Prosecutors handling the unit's cases (people).")


def _default_units() -> list[EnforcementUnit]:
    return [
        EnforcementUnit(name="uk_france_channel", corridors=["channel"], investigators=150.0, prosecutors=20.0),
        EnforcementUnit(name="italy_central_med", corridors=["central_med"], investigators=100.0, prosecutors=20.0),
        EnforcementUnit(name="greece_eastern_med", corridors=["eastern_med"], investigators=60.0, prosecutors=10.0),
        EnforcementUnit(name="spain_western_med", corridors=["western_med", "western_african"], investigators=60.0,
                        prosecutors=10.0),
    ]


class Enforcement(BaseModel):
    """How investigations, arrests, seizures and prosecutions work."""

    model_config = STRICT
    units: list[EnforcementUnit] = Field(
        default_factory=_default_units,
        max_length=100,
        description="Enforcement units (names unique). Default sizes are assumptions (no published head counts by "
        "route).")
    operations_per_investigator_per_year: float = param(
        2.0, "Operations against a group one investigator can mount per year (1/year).", "assumption", ge=0, le=365)
    operation_success: float = param(0.5, "Share of operations that lead to arrests.", "assumption", ge=0, le=1)
    arrest_share: float = param(
        0.3, "Share of a group's active members arrested in a successful operation.", "assumption", ge=0, le=1)
    seize_stock_share: float = param(
        0.2, "Share of a group's boats and engines in stock seized in a successful operation.", "assumption",
        ge=0, le=1)
    seize_cash_share: float = param(
        0.1, "Share of a group's cash seized in a successful operation (most money moves by hawala).",
        "assumption", ge=0, le=1)
    cases_per_prosecutor_per_year: float = param(
        20.0, "Cases one prosecutor brings to a decision per year (1/year).", "assumption", ge=0, le=365)
    conviction_deterrence: float = param(
        1.0, "Relative lengthening of the time to replace an arrested member when every arrest ends in a "
        "conviction (dimensionless).", "assumption: prosecution deters recruits", ge=0, le=10)
    deterrence_smoothing_per_day: float = param(
        0.02, "Daily weight of the day's arrests and convictions in the smoothed rates whose ratio lengthens "
        "replacement: 0.02 is a memory of about 50 days (1/day).",
        "assumption: recruits hear of convictions over weeks, not the same day", gt=0, le=1)
    target_activity_floor_launches_per_day: float = param(
        0.1, "Launches a day added to every group's expected launches when operations pick their targets in "
        "proportion to activity, so that a group planning no launches can still be found (launches/day).",
        "assumption: quiet groups are still known to investigators", gt=0, le=100)
    charge_share: float = param(
        0.75, "Share of arrested people who are charged.",
        "Written statement 21 May 2024: 750 charged of 1,000 arrested (inputs_and_priors.csv)", ge=0, le=1)
    conviction_share: float = param(
        0.72, "Share of charged people who are convicted.",
        "Written statement 21 May 2024: 540 convicted of 750 charged (inputs_and_priors.csv)", ge=0, le=1)

    @model_validator(mode="after")
    def _unique_names(self) -> "Enforcement":
        names = [unit.name for unit in self.units]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"unit names must be unique; given more than once: {', '.join(twice)}")
        return self


class SeaArea(BaseModel):
    """Weather of one sea area: the chance a day is fit for crossing, by month, and its persistence."""

    model_config = STRICT
    good_day_probability_by_month: list[Share] = Field(
        min_length=12, max_length=12, description="Probability a day is fit for crossing, January..December.")
    persistence: float = param(
        0.6, "Day-to-day persistence of the weather: lag-one autocorrelation of fit days (0-1).",
        "assumption: spells of fair and foul weather last a few days", ge=0, lt=1)
    roughness_sigma: float = param(
        0.5, "Log-sd of the day-to-day multiplier of boats' distress probability (dimensionless).",
        "assumption", ge=0, le=3)


def _default_areas() -> dict[str, SeaArea]:
    channel = [0.25, 0.25, 0.3, 0.45, 0.55, 0.6, 0.65, 0.65, 0.6, 0.4, 0.3, 0.25]
    med = [0.55, 0.6, 0.65, 0.75, 0.85, 0.9, 0.9, 0.9, 0.85, 0.75, 0.65, 0.55]
    return {
        "channel": SeaArea(good_day_probability_by_month=channel),
        "eastern_med": SeaArea(good_day_probability_by_month=med),
        "central_med": SeaArea(good_day_probability_by_month=med),
        "western_med": SeaArea(good_day_probability_by_month=med),
        "western_african": SeaArea(good_day_probability_by_month=[min(1.0, p + 0.05) for p in med]),
    }


class Weather(BaseModel):
    """Sea areas (one per corridor with sea legs); a seasonal two-state Markov chain each."""

    model_config = STRICT
    areas: dict[str, SeaArea] = Field(
        default_factory=_default_areas,
        description="Weather per sea area (keys: corridors with sea legs). Channel monthly values are "
        "assumptions consistent with Home Office crossing days (130 in 2020, 154 in 2021, more in the second "
        "half of the year); Mediterranean and Atlantic (western_african) values are assumptions. A file's areas "
        "are merged with these, key by key: [weather.areas.channel] changes the Channel and keeps the other seas.")

    @field_validator("areas", mode="before")
    @classmethod
    def _merge_with_defaults(cls, given: object) -> object:
        """Merged, not replaced: setting one sea's weather must not leave the others with none (always fit)."""
        if not isinstance(given, dict):
            return given
        merged: dict[str, object] = {name: area.model_dump() for name, area in _default_areas().items()}
        for name, area in given.items():
            default = merged.get(name)
            merged[name] = {**default, **area} if isinstance(area, dict) and isinstance(default, dict) else area
        return merged


def _default_contact_lags() -> dict[str, int]:
    return {"albania": 3, "north_africa": 5, "syria": 7, "iraq": 7, "in_europe": 2, "senegal_gambia": 10,
            "south_asia": 14, "sahel_west_africa": 14, "afghanistan_pakistan_iran": 21, "horn_of_africa": 21}


class Information(BaseModel):
    """What people at each origin believe about each leg: its price, risk of death and chance of being stopped.

    News reaches each origin after its own lag, through contacts (what people who travelled paid and lived
    through) and adverts (today's price, a rosy picture of the risks); docs/ODD.md 7.15.
    """

    model_config = STRICT
    contact_lag_days: int = param(
        14, "Days before news from people who travelled (prices paid, deaths, people stopped) reaches an origin "
        "not listed in contact_lag_days_by_origin (days).", "assumption", ge=0, le=365)
    contact_lag_days_by_origin: dict[str, Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=_default_contact_lags,
        description="Days before news from people who travelled reaches each origin (by origin id, days). A file's "
        "values are merged with these, key by key.",
        json_schema_extra={"source": "assumption: shorter for origins close to Europe with large diasporas there "
                           "(Albania, North Africa, Syria and Iraq; people already in Europe hear within days), "
                           "longer for distant ones with thinner contacts on the route (Afghanistan, the Horn of "
                           "Africa); no published lags"})
    feedback_weight_per_day: float = param(
        0.05, "Daily weight of outcome news in beliefs about risks (0-1).", "assumption", ge=0, le=1)
    advert_weight_per_day: float = param(
        0.05, "Daily weight of smugglers' adverts in the risk beliefs of those who see them (0-1).", "assumption",
        ge=0, le=1)
    advertised_risk_share: float = param(
        0.2, "Risk adverts claim, as a share of the risk known at the origin (0-1).",
        "assumption: adverts play danger down", ge=0, le=1)
    advertised_failure_share: float = param(
        0.3, "Chance of being stopped that adverts claim, as a share of the chance known at the origin (0-1).",
        "assumption: adverts promise success", ge=0, le=1)
    rumour_sigma: float = param(
        0.2, "Log-sd of the error in what contacts pass on, prices and rates of deaths and stops alike: rumours "
        "(dimensionless).", "assumption", ge=0, le=3)
    rumour_persistence: float = param(
        0.9, "Day-to-day persistence of a rumour's error for one origin and leg (0-1): 0.9 lasts about ten days.",
        "assumption", ge=0, lt=1)

    @field_validator("contact_lag_days_by_origin", mode="before")
    @classmethod
    def _merge_lags(cls, given: object) -> object:
        """Merged, not replaced: setting one origin's lag must not send the others back to contact_lag_days."""
        return {**_default_contact_lags(), **given} if isinstance(given, dict) else given


class Guides(BaseModel):
    """Guides and drivers selling paid land legs stage by stage: a price per leg that answers demand and closures."""

    model_config = STRICT
    corridors: list[str] = Field(
        default_factory=lambda: ["eastern_med", "western_balkans"], max_length=20,
        description="Corridors whose paid land legs (price_eur > 0 in legs.csv) have a guides' market; other land "
        "legs keep their fixed fare.",
        json_schema_extra={"source": "DOMAIN.md: Western Balkan land legs are often paid stage by stage (guides, "
                           "cars, lorries); the Evros and Bulgarian crossings feed them"})
    price_demand_elasticity: float = param(
        0.5, "Exponent of a land leg's price on its customers relative to the trade's usual volume "
        "(dimensionless).", "assumption: as smugglers.price_demand_elasticity", ge=0, le=3)
    demand_memory_days: float = param(
        7.0, "Days over which guides judge their recent customers: a day's customers weigh 1/this (days).",
        "assumption: people reach a stage in batches as boats land; a week evens them out", ge=1, le=365)
    usual_volume_adjustment_per_day: float = param(
        0.05, "Share of the gap between yesterday's customers and the usual volume closed each day: guides join "
        "or leave a leg over weeks (0-1).",
        "assumption: Hungary's 2015 fence moved the flow to Croatia within weeks (DOMAIN.md)", gt=0, le=1)
    risk_premium_per_stopped_share: float = param(
        5.0, "Relative price rise per unit share of people stopped at the leg's border today (dimensionless).",
        "Serbia-Hungary guide EUR 200-300 in 2016 (DW) against EUR 500-5,000 through the fence in 2020 (GI-TOC; "
        "inputs_and_priors.csv): a closed border multiplied the price 2-20 times; 5 gives 5.5 times at 90% "
        "stopped", ge=0, le=100)
    price_floor_share: float = param(
        0.5, "Lowest land price as a share of the leg's reference price.", "assumption", gt=0, le=1)
    price_cap_share: float = param(
        20.0, "Highest land price as a share of the leg's reference price.",
        "Serbia-Hungary EUR 5,000 at most in 2020 (GI-TOC) against a EUR 250 guide in 2016 (DW) "
        "(inputs_and_priors.csv)", ge=1, le=100)
    price_adjustment_per_day: float = param(
        0.1, "Share of the gap to its target price a land leg's price closes each day: prices are sticky (0-1).",
        "assumption: as smugglers.price_adjustment_per_day", gt=0, le=1)
