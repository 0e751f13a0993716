"""Small helpers shared by the import tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.importer import FileReport, ImportRequest
from bot.services.imports import import_files
from bot.store.base import Base
from bot.store.engine import Database

TEAM = "T0TEST"

PEOPLE_CSV = """email,name,role,manager_email,team,region,segment,timezone,slack_user_id,hire_date,active
vp@acme.example,Vera Vance,manager,,,NA,,America/New_York,U0VP,2020-01-06,true
mia@acme.example,Mia Manager,manager,vp@acme.example,East,NA,mid_market,America/New_York,U0MIA,2021-03-01,yes
ann@acme.example,Ann Archer,rep,mia@acme.example,East,NA,mid_market,America/New_York,U0ANN,2022-05-02,1
bob@acme.example,Bob Baker,rep,Mia Manager,East,NA,mid_market,America/Chicago,,2023-01-09,
ops@acme.example,Olu Ops,admin,,,,,,U0OPS,,true
"""

DEALS_CSV = """external_id,owner,account,industry,segment,product,amount,currency,created_on,closed_on,furthest_stage,outcome,loss_reason,competitor,contacts_engaged,discount_pct,recording_url
D-1,ann@acme.example,"Globex, Inc.",manufacturing,mid_market,Suite,"42,000.50",USD,2026-01-05,2026-03-01,negotiation,won,,,4,5,https://rec.example/1
D-2,Ann Archer,Initech,software,mid_market,Suite,18000,USD,2026-02-01,2026-04-15,discovery,lost,no_decision,,1,,
D-3,bob@acme.example,Müller GmbH,manufacturing,mid_market,Add-on,9000,EUR,2026-03-10,,qualification,open,,,2,,
D-4,Bob Baker,Umbrella,healthcare,mid_market,Suite,30000,,2026-01-20,2026-02-28,,lost,price,Contoso,3,12.5,
"""

STAGES_CSV = """deal,stage,entered_on
D-1,prospecting,2026-01-05
D-1,discovery,2026-01-12
D-1,qualification,2026-01-30
D-1,proposal,2026-02-10
D-1,negotiation,2026-02-20
D-2,prospecting,2026-02-01
D-2,discovery,2026-02-15
"""

ACTIVITIES_CSV = """external_id,owner,deal,kind,occurred_at,duration_minutes
A-1,ann@acme.example,D-1,call,2026-01-06T15:00:00Z,30
A-2,ann@acme.example,D-1,meeting,2026-01-12T10:00:00,60
A-3,Bob Baker,,email,2026-03-11,
A-4,bob@acme.example,D-4,demo,2026-02-02T09:30:00-06:00,45
"""

FEEDBACK_CSV = """about,author,source,skill,rating,note,given_on
ann@acme.example,mia@acme.example,manager,negotiation,4,Held price well,2026-03-02
bob@acme.example,"Dana Ruiz, CFO at Umbrella",customer,discovery,2,Did not ask about our process,2026-03-01
bob@acme.example,Mia Manager,manager,,3,,2026-03-05
"""

ORG = {
    "people.csv": PEOPLE_CSV,
    "deals.csv": DEALS_CSV,
    "stage_history.csv": STAGES_CSV,
    "activities.csv": ACTIVITIES_CSV,
    "feedback.csv": FEEDBACK_CSV,
}


# The org most Slack tests use: ORG plus a second team (Max and his rep Zoe) under Vera,
ACME_PEOPLE = PEOPLE_CSV + (
    "max@acme.example,Max Moreno,manager,vp@acme.example,West,NA,smb,America/Los_Angeles,U0MAX,2021-01-04,true\n"
    "zoe@acme.example,Zoe Zhang,rep,max@acme.example,West,NA,smb,America/Los_Angeles,U0ZOE,2024-01-08,true\n"
)
ACME = dict(ORG, **{"people.csv": ACME_PEOPLE})
# and the Slack accounts the stub knows: Bob has one though the CRM has no Slack id for him,
# Sam is in no CRM, and a second workspace has its own Ann.
SLACK_USERS = {
    "U0VP": {"email": "vp@acme.example", "name": "Vera Vance"},
    "U0MIA": {"email": "mia@acme.example", "name": "Mia Manager"},
    "U0ANN": {"email": "ann@acme.example", "name": "Ann Archer"},
    "U0BOB": {"email": "bob@acme.example", "name": "Bob Baker"},  # no Slack id in the CRM
    "U0OPS": {"email": "ops@acme.example", "name": "Olu Ops"},
    "U0MAX": {"email": "max@acme.example", "name": "Max Moreno"},
    "U0ZOE": {"email": "zoe@acme.example", "name": "Zoe Zhang"},
    "U0NOBODY": {"email": "stranger@acme.example", "name": "Sam Stranger"},
    "U0OTHER": {"email": "ann@acme.example", "name": "Ann elsewhere", "team_id": "T0OTHER"},
}


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_org(folder: Path) -> list[Path]:
    return [write(folder, name, content) for name, content in ORG.items()]


def run(
    db: Database, settings: Settings, clock: Clock, *paths: Path, **options: Any
) -> list[FileReport]:
    options.setdefault("team_id", TEAM)
    return import_files(db, settings, ImportRequest(paths=list(paths), **options), clock)


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove an import left the database unchanged."""
    with db.begin() as session:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in session.execute(select(table))), key=str
            )
            for table in Base.metadata.sorted_tables
        }


def person_id(db: Database, email: str, team_id: str = TEAM) -> int:
    """The id of the person with this email in the workspace."""
    from bot.store.models import Person, Workspace

    with db.begin() as session:
        found = session.scalar(
            select(Person.id)
            .join(Workspace, Workspace.id == Person.workspace_id)
            .where(Workspace.team_id == team_id, Person.email == email)
        )
        assert found is not None, email
        return found


def draft_plan(
    db: Database,
    email: str,
    start: date,
    now: datetime,
    skill: str = "discovery",
    team_id: str = TEAM,
) -> int:
    """A plan drafted for the rep as the plan_drafts job drafts one: one discovery-conversion
    objective, the base cadence, checkpoints at 30, 60 and 90 days."""
    from bot.coaching.plans import BASE_CADENCE, Objective, PlanDraft
    from bot.services import plans

    objective = Objective(
        skill=skill,
        metric="conversion:discovery>qualification",
        label="discovery → qualification conversion",
        unit="pct",
        higher_is_better=True,
        baseline=0.33,
        baseline_n=36,
        benchmark=0.71,
        target=0.52,
        deadline=start + timedelta(days=90),
        approach=("practice", "feedback", "observation"),
        leading_indicator="discovery meetings held per new deal",
    )
    draft = PlanDraft(
        rep_id=person_id(db, email, team_id),
        starts_on=start,
        objectives=(objective,),
        cadence=BASE_CADENCE,
        checkpoints=tuple(start + timedelta(days=d) for d in (30, 60, 90)),
        rationale="The gap with the most revenue at stake.",
    )
    return plans.create_plan(db, team_id, draft, now)
