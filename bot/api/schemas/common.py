"""Models every area shares: paging parameters and a rep's path parameter."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_PAGE = 200


class Strict(BaseModel):
    """Requests refuse fields they do not know: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="Items per page (1–200)")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")


class ChangedSinceQuery(PageQuery):
    # With an offset: an instant without one is ambiguous (and the store refuses it).
    updated_since: AwareDatetime | None = Field(
        None, description="Only items changed at or after this instant (ISO 8601 with offset)"
    )


class RepPath(BaseModel):
    email: str = Field(description="The rep's work email, as in the people import")


class Page(BaseModel):
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )
