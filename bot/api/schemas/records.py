"""CRM records other systems send: one model per kind, its fields the native import columns
(docs/import-format.md), and a batch of 1 to 5,000 of them. The models check the shape (known
fields, JSON types); the values are checked as the CSV import checks them, with the same
problems."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator
from pydantic_core import PydanticCustomError

from bot.api.schemas.common import Strict
from bot.render.sentences import sentence

MAX_RECORDS = 5000


def _number_or_text(value: Any) -> int | float | str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("number_or_text", sentence("api_number_or_text"))
    return value


def _boolean_or_text(value: Any) -> bool | str:
    if not isinstance(value, bool | str):
        raise PydanticCustomError("boolean_or_text", sentence("api_boolean_or_text"))
    return value


# A JSON number is taken as written; text is read as the CSV import reads a cell
# ("12,500.00", "USD 12500", "12.5%"). true/false is never a number.
NumberOrText = Annotated[
    int | float | str,
    PlainValidator(_number_or_text, json_schema_input_type=int | float | str),
]
BooleanOrText = Annotated[
    bool | str, PlainValidator(_boolean_or_text, json_schema_input_type=bool | str)
]
# A whole number sent as a JSON integer: "4", 4.0 and true are refused.
Count = Annotated[int, Field(strict=True)]


class PersonRecord(Strict):
    email: str = Field(description="Work email: the person's key, and how Slack finds them")
    name: str = Field(description="Full name")
    role: str = Field(description="`rep`, `manager` or `admin`")
    manager_email: str | None = Field(
        None,
        description="Their manager: their email, or their full name when it is unique; in "
        "this batch or sent before",
    )
    team: str | None = Field(None, description="Team name, e.g. `Enterprise East`")
    region: str | None = Field(None, description="e.g. `EMEA`")
    segment: str | None = Field(None, description="e.g. `smb`, `mid_market`, `enterprise`")
    timezone: str | None = Field(
        None, description="IANA name, e.g. `Europe/Berlin` (default: the install's timezone)"
    )
    slack_user_id: str | None = Field(
        None, description="e.g. `U024BE7LH`; when empty, the nightly sync finds it by email"
    )
    hire_date: str | None = Field(None, description="First day at the company, `YYYY-MM-DD`")
    active: BooleanOrText | None = Field(
        None, description="`true` or `false` (also `yes`/`no`); a new person is active by default"
    )


class DealRecord(Strict):
    external_id: str = Field(description="The CRM's opportunity id: the deal's key")
    owner: str = Field(
        description="The rep who owns the deal: their email, or their full name when it is unique"
    )
    account: str | None = Field(None, description="Customer account name")
    industry: str | None = Field(None, description="e.g. `healthcare`")
    segment: str | None = Field(None, description="e.g. `mid_market`")
    product: str | None = Field(None, description="Product or product line")
    amount: NumberOrText = Field(
        description="Deal value, not negative: `12500.5`, or text such as `USD 12,500.50`"
    )
    currency: str | None = Field(
        None, description="ISO code such as `USD` (default: the install's currency)"
    )
    created_on: str = Field(description="When the deal was created, `YYYY-MM-DD`")
    closed_on: str | None = Field(
        None,
        description="When it was won or lost, `YYYY-MM-DD`, not before created_on; ignored "
        "for an open deal (CRMs put the expected close there)",
    )
    furthest_stage: str | None = Field(
        None,
        description="Furthest pipeline stage reached (`prospecting` … `negotiation`, or the "
        "install's stages); never set back to unknown",
    )
    stage: str | None = Field(
        None,
        description="The CRM's current stage instead of furthest_stage and outcome: a "
        "pipeline stage (the deal is open there), `won` or `lost`",
    )
    outcome: str | None = Field(
        None, description="`won`, `lost` or `open`; required unless `stage` is given"
    )
    loss_reason: str | None = Field(
        None, description="Free text; `price`, `no_decision`, `competitor`, `timing` … feed skills"
    )
    competitor: str | None = Field(None, description="Competitor named on the deal")
    contacts_engaged: Count | None = Field(None, description="Buyer contacts involved, 0 or more")
    discount_pct: NumberOrText | None = Field(None, description="Discount given, 0–100")
    recording_url: str | None = Field(None, description="Link to a call recording (https)")


class StageEventRecord(Strict):
    deal: str = Field(description="The deal's external_id (in a deals batch sent before)")
    stage: str = Field(description="A pipeline stage, as for deals")
    entered_on: str = Field(description="When the deal entered the stage, `YYYY-MM-DD`")


class ActivityRecord(Strict):
    external_id: str | None = Field(
        None,
        description="The CRM's activity id: the key. Without it the record's content is the "
        "key, so sending the same activity again changes nothing",
    )
    owner: str = Field(
        description="The rep who did it: their email, or their full name when it is unique"
    )
    deal: str | None = Field(None, description="The deal's external_id")
    kind: str = Field(description="`call`, `email`, `meeting` or `demo`")
    occurred_at: str = Field(
        description="ISO 8601 timestamp such as `2026-03-04T14:30:00Z` (without an offset: "
        "the install's timezone), or a date"
    )
    duration_minutes: Count | None = Field(None, description="Minutes, 0 to 1440")


class FeedbackRecord(Strict):
    external_id: str | None = Field(
        None,
        description="An id from the source system: the key. Without it the record's content "
        "is the key",
    )
    about: str = Field(
        description="The rep the feedback is about: their email, or their full name when it "
        "is unique"
    )
    author: str | None = Field(
        None, description="Who gave it: a person, or free text such as `Dana Ruiz, CFO at Acme`"
    )
    source: str = Field(description="`manager`, `customer` or `peer`")
    skill: str | None = Field(
        None,
        description="`discovery`, `qualification`, `value_articulation`, `negotiation`, "
        "`stakeholder_engagement`, `objection_handling`, `process_adherence` or `prospecting`",
    )
    rating: Count = Field(description="1 to 5 (5 = excellent)")
    note: str | None = Field(None, description="Free text, up to 5,000 characters")
    given_on: str = Field(description="When it was given, `YYYY-MM-DD`")


class PeopleBatch(Strict):
    """People, keyed by email: a new email adds a person, a known one updates them.

    The batch reads like a CSV file whose columns are the fields its records use: a field no
    record sends is left as stored; a field some records send is cleared in the records that
    send null or leave it out. All records are written or none: any problem refuses the whole
    batch, and each problem names the record by its index (0 for the first)."""

    records: list[PersonRecord] = Field(
        min_length=1, max_length=MAX_RECORDS, description="1 to 5,000 people"
    )


class DealBatch(Strict):
    """Deals, keyed by external_id; their owners sent before (POST /people).

    The batch reads like a CSV file whose columns are the fields its records use: a field no
    record sends is left as stored; a field some records send is cleared in the records that
    send null or leave it out. All records are written or none: any problem refuses the whole
    batch, and each problem names the record by its index (0 for the first)."""

    records: list[DealRecord] = Field(
        min_length=1, max_length=MAX_RECORDS, description="1 to 5,000 deals"
    )


class StageEventBatch(Strict):
    """When deals entered each stage, keyed by deal and stage; the deals sent before.

    The batch reads like a CSV file whose columns are the fields its records use: a field no
    record sends is left as stored; a field some records send is cleared in the records that
    send null or leave it out. All records are written or none: any problem refuses the whole
    batch, and each problem names the record by its index (0 for the first)."""

    records: list[StageEventRecord] = Field(
        min_length=1, max_length=MAX_RECORDS, description="1 to 5,000 stage events"
    )


class ActivityBatch(Strict):
    """Calls, emails, meetings and demos, keyed by external_id (or their content).

    The batch reads like a CSV file whose columns are the fields its records use: a field no
    record sends is left as stored; a field some records send is cleared in the records that
    send null or leave it out. All records are written or none: any problem refuses the whole
    batch, and each problem names the record by its index (0 for the first)."""

    records: list[ActivityRecord] = Field(
        min_length=1, max_length=MAX_RECORDS, description="1 to 5,000 activities"
    )


class FeedbackBatch(Strict):
    """Ratings of a rep's work, keyed by external_id (or their content).

    The batch reads like a CSV file whose columns are the fields its records use: a field no
    record sends is left as stored; a field some records send is cleared in the records that
    send null or leave it out. All records are written or none: any problem refuses the whole
    batch, and each problem names the record by its index (0 for the first)."""

    records: list[FeedbackRecord] = Field(
        min_length=1, max_length=MAX_RECORDS, description="1 to 5,000 feedback items"
    )


class RecordsWritten(BaseModel):
    kind: str = Field(
        description="`people`, `deals`, `stage_history`, `activities` or `feedback`, as the "
        "CSV import names the kinds"
    )
    received: int = Field(description="Records in the batch")
    created: int = Field(description="Records that were new")
    updated: int = Field(description="Records that updated one already stored (same key)")
