"""API keys: a neighbouring system's credential to one workspace. A key is shown once, when
it is created; only its SHA-256 is stored (a key is 256 random bits, so a fast hash is as
safe as a slow one and keeps every request's check cheap). The prefix before the secret
part is not secret: it finds the key's row and names the key in listings and logs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bot.render.sentences import sentence
from bot.store.engine import Database
from bot.store.models import ApiKey, Workspace
from bot.store.workspaces import find_workspace_id
from bot.vocabulary import API_SCOPES

KEY_LABEL = "cbk"
PREFIX_BYTES = 6
SECRET_BYTES = 32
# How often a key's last use is written: every request would be a write per read.
LAST_USED_EVERY_SECONDS = 300


class ApiKeyError(ValueError):
    """An api-key command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a live key, its workspace and what it may do."""

    key_id: int
    key_prefix: str
    key_name: str
    workspace_id: int
    team_id: str
    scope: str

    def may(self, needed: str) -> bool:
        return needed == "read" or self.scope == "write"


@dataclass(frozen=True)
class KeyListing:
    prefix: str
    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(db: Database, team_id: str, name: str, scope: str, now: datetime) -> str:
    """A new key for the workspace; the returned key is the only copy there will be."""
    if scope not in API_SCOPES:
        raise ApiKeyError(sentence("api_key_bad_scope", scope=scope, scopes=API_SCOPES))
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyError(sentence("api_key_bad_name"))
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"{KEY_LABEL}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
        if workspace_id is None:
            raise ApiKeyError(sentence("no_workspace_data_cli", team_id=team_id))
        session.add(
            ApiKey(
                workspace_id=workspace_id,
                name=name,
                scope=scope,
                prefix=prefix,
                key_hash=_hash(key),
                created_at=now,
            )
        )
    return key


def list_keys(db: Database, team_id: str) -> list[KeyListing]:
    with db.begin() as session:
        rows = session.scalars(
            select(ApiKey)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(Workspace.team_id == team_id)
            .order_by(ApiKey.created_at, ApiKey.id)
        )
        return [
            KeyListing(r.prefix, r.name, r.scope, r.created_at, r.last_used_at, r.revoked_at)
            for r in rows
        ]


def revoke_key(db: Database, team_id: str, prefix: str, now: datetime) -> KeyListing:
    """Revoke by prefix (what `api-key list` shows); revoking twice is not an error."""
    with db.begin() as session:
        row = session.scalar(
            select(ApiKey)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(Workspace.team_id == team_id, ApiKey.prefix == prefix.strip())
        )
        if row is None:
            raise ApiKeyError(sentence("api_key_not_found", prefix=prefix, team_id=team_id))
        if row.revoked_at is None:
            row.revoked_at = now
        return KeyListing(
            row.prefix, row.name, row.scope, row.created_at, row.last_used_at, row.revoked_at
        )


def key_prefix(key: str) -> str | None:
    """The public part of a presented key, or None when it is not shaped like one of ours."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_LABEL or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    return parts[1]


def authenticate(db: Database, key: str, now: datetime) -> Principal | None:
    """The principal a presented key stands for, or None: unknown, revoked or malformed keys
    are all the same None, so a caller learns nothing about which it was."""
    prefix = key_prefix(key)
    if prefix is None:
        return None
    with db.begin() as session:
        found = session.execute(
            select(ApiKey, Workspace.team_id)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(ApiKey.prefix == prefix)
        ).first()
        if found is None:
            return None
        row, team_id = found
        if row.revoked_at is not None or not hmac.compare_digest(row.key_hash, _hash(key)):
            return None
        last = row.last_used_at
        if last is None or (now - last).total_seconds() >= LAST_USED_EVERY_SECONDS:
            session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
        return Principal(row.id, row.prefix, row.name, row.workspace_id, team_id, row.scope)
