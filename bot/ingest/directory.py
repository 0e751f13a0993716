"""Who is who in a workspace, for resolving owners and authors given by email or full name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ingest.problems import FieldError
from bot.store.models import Deal, Person


class PeopleDirectory:
    def __init__(self, people: Iterable[tuple[int, str, str]]) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for person_id, email, name in people:
            self.by_email[email.lower()] = person_id
            self.by_name[_fold(name)].append(person_id)

    @classmethod
    def load(cls, session: Session, workspace_id: int) -> PeopleDirectory:
        rows = session.execute(
            select(Person.id, Person.email, Person.name).where(Person.workspace_id == workspace_id)
        )
        return cls((r.id, r.email, r.name) for r in rows)

    def resolve(self, reference: str) -> int:
        """The person an email or full name refers to; never a guess."""
        key = reference.strip()
        if "@" in key:
            if (person_id := self.by_email.get(key.lower())) is not None:
                return person_id
            raise FieldError("the email of a person in the people file (import people first)")
        matches = self.by_name.get(_fold(key), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise FieldError("the email or full name of a person in the people file")
        raise FieldError(
            f"one person, but {len(matches)} people have this name: use their email instead"
        )

    def find(self, reference: str) -> int | None:
        try:
            return self.resolve(reference)
        except FieldError:
            return None


def deal_ids(session: Session, workspace_id: int, external_ids: Iterable[str]) -> dict[str, int]:
    """Database ids of the given deals; looked up in slices to stay under bind-parameter limits."""
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        rows = session.execute(
            select(Deal.external_id, Deal.id).where(
                Deal.workspace_id == workspace_id, Deal.external_id.in_(chunk)
            )
        )
        found.update({r.external_id: r.id for r in rows})
    return found


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())
