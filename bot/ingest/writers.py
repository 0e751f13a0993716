"""The writers, one per kind of record: a batch of checked records in, rows upserted, with the
references (owners, managers, deals) resolved and repeats within a file reported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.ingest.directory import PeopleDirectory, deal_ids
from bot.ingest.kinds import CONTENT_KEY_PREFIXES
from bot.ingest.upsert import upsert
from bot.store.models import Activity, Deal, Feedback, Person, StageEvent

if TYPE_CHECKING:
    from bot.ingest.file_import import FileImport


# A batch of checked records, each with its row number in the file.
Records = list[tuple[int, dict[str, Any]]]


def _write_people(job: FileImport, records: Records) -> None:
    rows, managers = [], []
    holders = _slack_id_holders(job, records)
    for number, record in records:
        if not job.first_time(("person", record["email"]), number, "email", record["email"]):
            continue
        slack_id = record.get("slack_user_id")
        if slack_id and not job.first_time(("slack", slack_id), number, "slack_user_id", slack_id):
            continue
        if slack_id and holders.get(slack_id, record["email"]) != record["email"]:
            # Two people with one Slack account: that user would see the other's numbers.
            job.problem(
                number,
                "slack_user_id",
                slack_id,
                f"a Slack user id nobody else has ({holders[slack_id]} has it)",
            )
            continue
        if manager := record.pop("manager_email", None):
            managers.append((number, record["email"], manager))
        record.setdefault("active", True)
        rows.append({**record, "workspace_id": job.workspace_id, "updated_at": job.now})
    update_columns = job.updated_columns("updated_at")
    update_columns = [c for c in update_columns if c not in ("manager_email", "email")]
    upsert(
        job.session,
        Person.__table__,
        job.full_rows(rows, Person),
        key=("workspace_id", "email"),
        update=[c for c in update_columns if c != "manager_id"],
    )
    job.people = PeopleDirectory.load(job.session, job.workspace_id)
    _link_managers(job, managers)


def _slack_id_holders(job: FileImport, records: Records) -> dict[str, str]:
    """Who holds each Slack id once this file is in: people already stored keep theirs
    unless this file gives them another."""
    reassigned = {r["email"] for _, r in records if "slack_user_id" in r}
    stored = job.session.execute(
        select(Person.slack_user_id, Person.email).where(
            Person.workspace_id == job.workspace_id, Person.slack_user_id.is_not(None)
        )
    )
    return {slack_id: email for slack_id, email in stored if email not in reassigned}


def _link_managers(job: FileImport, managers: list[tuple[int, str, str]]) -> None:
    links = []
    for number, email, reference in managers:
        manager_id = job.resolve_person(number, "manager_email", reference)
        if manager_id is not None:
            links.append({"id": job.people.by_email[email], "manager_id": manager_id})
    if links:
        job.session.execute(update(Person), links)  # bulk update by primary key
    rows = job.session.execute(
        select(Person.id, Person.manager_id).where(Person.workspace_id == job.workspace_id)
    )
    chains = {row.id: row.manager_id for row in rows}
    rows_by_id = {job.people.by_email[email]: number for number, email, _ in managers}
    for person_id, number in rows_by_id.items():
        seen, current = set(), person_id
        while current is not None and current not in seen:
            seen.add(current)
            current = chains.get(current)
        if current == person_id:
            job.problem(number, "manager_email", None, "a manager chain without a loop")


def _write_deals(job: FileImport, records: Records) -> None:
    rows = [
        {**record, "owner_id": owner_id, "workspace_id": job.workspace_id, "updated_at": job.now}
        for record, owner_id in _new_with_person(job, records, "owner")
    ]
    provided = job.updated_columns(
        "updated_at", "outcome", "currency", renames={"owner": "owner_id"}
    )
    if "stage" in job.provided:
        provided.append("furthest_stage")
    columns = [c for c in provided if c in Deal.__table__.columns and c != "stage"]
    upsert(
        job.session,
        Deal.__table__,
        job.full_rows(rows, Deal),
        key=("workspace_id", "external_id"),
        update=columns,
        # A deal's furthest stage never goes back to unknown: a later export of a closed
        # deal no longer shows the stage it had reached.
        keep_when_missing=("furthest_stage",),
    )


def _write_stage_history(job: FileImport, records: Records) -> None:
    known = deal_ids(job.session, job.workspace_id, (r["deal"] for _, r in records))
    rows = []
    for number, record in records:
        deal_id = known.get(record["deal"])
        if deal_id is None:
            job.problem(number, "deal", record["deal"], _UNKNOWN_DEAL)
            continue
        if job.first_time((deal_id, record["stage"]), number, "stage", record["stage"]):
            rows.append(
                {
                    "workspace_id": job.workspace_id,
                    "deal_id": deal_id,
                    "stage": record["stage"],
                    "entered_on": record["entered_on"],
                }
            )
    upsert(job.session, StageEvent.__table__, rows, ("deal_id", "stage"), ["entered_on"])


def _write_activities(job: FileImport, records: Records) -> None:
    known = deal_ids(job.session, job.workspace_id, (r["deal"] for _, r in records if "deal" in r))
    rows = []
    for number, record in records:
        if not _first(job, record, number):
            continue
        owner_id = job.resolve_person(number, "owner", record.pop("owner"))
        deal = record.pop("deal", None)
        deal_id = known.get(deal) if deal else None
        if deal and deal_id is None:
            job.problem(number, "deal", deal, _UNKNOWN_DEAL)
            continue
        if owner_id is not None:
            rows.append(
                {
                    **record,
                    "owner_id": owner_id,
                    "deal_id": deal_id,
                    "workspace_id": job.workspace_id,
                }
            )
    columns = job.updated_columns(renames={"owner": "owner_id", "deal": "deal_id"})
    upsert(
        job.session,
        Activity.__table__,
        job.full_rows(rows, Activity),
        key=("workspace_id", "external_id"),
        update=[c for c in columns if c != "external_id"],
    )


def _write_feedback(job: FileImport, records: Records) -> None:
    rows = []
    for record, about_id in _new_with_person(job, records, "about"):
        author = record.get("author")
        record["author_id"] = job.people.find(author) if author else None
        rows.append({**record, "about_id": about_id, "workspace_id": job.workspace_id})
    columns = job.updated_columns("author_id", renames={"about": "about_id"})
    upsert(
        job.session,
        Feedback.__table__,
        job.full_rows(rows, Feedback),
        key=("workspace_id", "external_id"),
        update=[c for c in columns if c != "external_id"],
    )


_UNKNOWN_DEAL = "expected the external_id of a deal in this import or already imported"

# Each kind's writer, and the table it fills (counted before and after for the report).
WRITERS: dict[str, Callable[[FileImport, Records], None]] = {
    "people": _write_people,
    "deals": _write_deals,
    "stage_history": _write_stage_history,
    "activities": _write_activities,
    "feedback": _write_feedback,
}
MODELS: dict[str, Any] = {
    "people": Person,
    "deals": Deal,
    "stage_history": StageEvent,
    "activities": Activity,
    "feedback": Feedback,
}


def _new_with_person(
    job: FileImport, records: Records, column: str
) -> Iterator[tuple[dict[str, Any], int]]:
    """Each record the file has not shown before whose `column` names a known person: the
    record without that column, and the person's id (an unknown person is a problem)."""
    for number, record in records:
        if not _first(job, record, number):
            continue
        person_id = job.resolve_person(number, column, record.pop(column))
        if person_id is not None:
            yield record, person_id


def _first(job: FileImport, record: dict[str, Any], number: int) -> bool:
    """The first time this activity or feedback appears in the file: by its external_id,
    or, for rows the export gave none, by its content."""
    key = record["external_id"]
    if key.startswith(CONTENT_KEY_PREFIXES):
        return job.first_copy(record, number)
    return job.first_time(key, number, "external_id", key)
