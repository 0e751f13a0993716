"""A stand-in for the Slack Web API on 127.0.0.1, for tests.

Point a `WebClient(base_url=stub.base_url)` (or the Bolt app's client) at it. It records every
call with its whole body, answers with Slack-shaped JSON, remembers what was posted where (so
`conversations.history` / `conversations.replies` read it back) and can fail or slow down the
next calls to a method::

    with SlackStub(users={"U1": {"email": "ann@acme.example", "name": "Ann"}}) as stub:
        client = WebClient(token="xoxb-test", base_url=stub.base_url)
        ...
        [call] = stub.wait_for("chat.postMessage")
        assert call.json_field("blocks")[0]["type"] == "header"

Besides `/api/<method>` it serves `/response/<id>` (hand it to Bolt as a `response_url`; posts
are recorded as method "response_url") and `/upload/<file_id>` (the URL that
`files.getUploadURLExternal` hands out; recorded as method "files.upload_url").

As pytest fixture::

    @pytest.fixture
    def slack_stub() -> Iterator[SlackStub]:
        with SlackStub() as stub:
            yield stub
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.slack.installs import BOT_SCOPES  # an install grants what the manifest asks
from tests.slack.blockkit_rules import block_errors, image_files, view_errors

BOT_ID = "B0BOT"
APP_ID = "A0TEST"
TEAM_NAME = "Coachbot Test"
TEAM_DOMAIN = "coachbot-test"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "stub-client-secret"
FIRST_TS = 1_700_000_000_000_100  # microseconds: the first ts handed out is "1700000000.000100"


@dataclass(frozen=True)
class Call:
    """One request the stub received.

    `headers` has lower-case names. `body` is the parsed form, JSON or multipart body merged
    with the query string; fields sent as JSON strings (form-encoded "blocks", "view",
    "files") stay strings: use `json_field`. `status` and `response` are what the stub answered.
    `channel` is the channel the call addressed, a user id resolved to the app's DM with that
    user as Slack does, so tests can ask where a message went whichever form was sent.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    channel: str = ""

    def json_field(self, name: str) -> Any:
        """The field `name`, decoded with json.loads when it was sent as a string."""
        value = self.body.get(name)
        return json.loads(value) if isinstance(value, str) else value

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


class _StubServer(ThreadingHTTPServer):
    # socketserver's default backlog is 5: a burst of concurrent calls overflows it and the
    # kernel drops connections, which clients retry a whole second later. Slack does not
    # drop connections like that, so neither may its stand-in.
    request_queue_size = 256


class SlackError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": ...}; `extra` goes into
    the answer too (Slack's `errors` list for invalid_blocks, `response_metadata`)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _refuse_invalid_blocks(blocks: Any) -> None:
    """chat.postMessage, chat.postEphemeral, chat.update: Slack's answer to blocks it refuses."""
    errors = block_errors(blocks)
    if errors:
        raise SlackError(
            "invalid_blocks",
            errors=errors,
            response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
        )


def _refuse_invalid_view(view: Any) -> None:
    """views.publish/open/update answer invalid_arguments, naming what is wrong."""
    errors = view_errors(view)
    if errors:
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
        )


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    body: dict[str, Any] | None
    channel: str | None = None  # only calls addressing this channel (DM for a user id)


@dataclass
class _Answer:
    status: int
    payload: dict[str, Any] | None = None  # JSON answer
    text: str | None = None  # plain-text answer (the upload URL)
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None  # binary answer (a private file download)


def _as_json(value: Any) -> Any:
    """Form bodies carry lists and objects as JSON strings; JSON bodies carry them as is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ts_key(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except ArithmeticError:
        return Decimal(0)


def _stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()[:10].upper()
    return prefix + digest


class SlackStub:
    """A small threaded HTTP server that answers like the Slack Web API. See the module doc."""

    def __init__(
        self,
        users: dict[str, dict] | None = None,
        team_id: str = "T0TEST",
        bot_user_id: str = "U0BOT",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`clock`: message ts follow it (as Slack's follow real time), never going back;
        without it they count up from FIRST_TS."""
        self.team_id = team_id
        self.scopes: list[str] = list(BOT_SCOPES)  # change to test a missing scope
        self._clock = clock
        self.bot_user_id = bot_user_id
        self.bot_id = BOT_ID
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._private_files: dict[str, bytes] = {}
        self._reactions: set[tuple[str, str, str]] = set()
        # OAuth: codes Slack would hand to the redirect, and the team behind each bot token.
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self._grants: dict[str, dict[str, Any]] = {}
        self._token_teams: dict[str, str] = {}
        self._refresh: dict[str, dict[str, Any]] = {}
        self._ts = itertools.count(FIRST_TS, 100)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._users[bot_user_id] = {
            "id": bot_user_id,
            "email": "",
            "name": "coachbot",
            "tz": "UTC",
            "team_id": team_id,
            "is_bot": True,
        }
        for user_id, fields in (users or {}).items():
            self.add_user(user_id, **fields)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> SlackStub:
        if self._server is not None:
            return self
        server = _StubServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.handle_error = _quiet_handle_error  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackStub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackStub is not started: call start() or use it as `with`")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/"

    # ----------------------------------------------------------------- recorded calls

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def unknown_calls(self) -> list[Call]:
        """Calls to methods or paths the stub does not know (answered unknown_method / 404)."""
        with self._lock:
            return [
                call
                for call in self._calls
                if call.status == 404 or call.response.get("error") == "unknown_method"
            ]

    def none_within(
        self,
        method: str,
        seconds: float = 1.0,
        where: Callable[[Call], bool] | None = None,
        already: int = 0,
    ) -> None:
        """Fails if a call to `method` (matching `where`) beyond the `already` seen arrives
        within `seconds`: how a test says "and nothing else was sent", given that listeners
        keep working after the ack."""
        try:
            extra = self.wait_for(method, already + 1, timeout=seconds, where=where)
        except AssertionError:
            return
        shown = "\n".join(f"  {_describe(call)}" for call in extra[already:])
        raise AssertionError(f"unexpected call(s) to {method!r}:\n{shown}")

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """All calls to `method` (matching `where`) once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [
                    call
                    for call in self._calls
                    if call.method == method and (where is None or where(call))
                ]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n".join(f"  {_describe(call)}" for call in self._calls) or "  (none)"
                    raise AssertionError(
                        f"expected {count} call(s) to {method!r}"
                        f"{' matching the condition' if where else ''} within {timeout}s, "
                        f"got {len(matching)}; calls so far:\n{seen}"
                    )
                self._changed.wait(min(remaining, 0.1))

    def reset(self) -> None:
        """Forget calls, pending faults and delays, messages, views, files; keep the users."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._delays.clear()
            self._messages.clear()
            self._views.clear()
            self._home_views.clear()
            self._files.clear()
            self._private_files.clear()
            self._reactions.clear()

    # ----------------------------------------------------------------- scripting

    def fail_next(
        self,
        method: str,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        body: dict | None = None,
        channel: str | None = None,
    ) -> None:
        """The next `times` calls to `method` fail: HTTP `status` with `body`. With
        `channel` (an id, or a user id meaning their DM) only calls addressing it fail.

        429 always carries Retry-After (`retry_after`, default 1). With status 200, pass
        `body={"ok": False, "error": "channel_not_found"}` to fail the Slack way. Faults are
        answered before the token is checked and have no side effects.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            where = self._addressed_channel(channel) if channel else None
            queue.extend(_Fault(status, retry_after, body, where) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls to `method` are answered after `seconds`."""
        with self._lock:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def grant(
        self,
        code: str,
        team_id: str,
        team_name: str,
        bot_token: str,
        *,
        installer: str = "U0INSTALL",
        refresh_token: str | None = None,
        expires_in: int | None = None,
    ) -> None:
        """`code` is what Slack hands the redirect after someone in `team_id` approves the
        install; oauth.v2.access exchanges it for `bot_token` (plus a refresh token and an
        expiry when the app rotates tokens)."""
        with self._lock:
            grant = {
                "team_id": team_id,
                "team_name": team_name,
                "bot_token": bot_token,
                "installer": installer,
                "refresh_token": refresh_token,
                "expires_in": expires_in,
            }
            self._grants[code] = grant
            self._token_teams[bot_token] = team_id
            if refresh_token:
                self._refresh[refresh_token] = grant

    def team_of_token(self, token: str) -> str:
        """The team a bot token belongs to (this stub's own team for any other xoxb-)."""
        with self._lock:
            return self._token_teams.get(token, self.team_id)

    def add_user(
        self,
        user_id: str,
        email: str,
        name: str = "",
        tz: str = "America/New_York",
        team_id: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """`deleted`: deactivated in Slack (users.* still return them, with deleted true)."""
        ZoneInfo(tz)  # fail early on a typo
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "email": email,
                "name": name,
                "tz": tz,
                "team_id": team_id or self.team_id,
                "is_bot": is_bot,
                "deleted": deleted,
            }

    def add_message(
        self,
        channel: str,
        text: str,
        user: str,
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> str:
        """Put a message in the stub's history (as if a person wrote it); returns its ts."""
        with self._lock:
            ts = ts or self._next_ts()
            message = {"type": "message", "user": user, "text": text, "ts": ts, **extra}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._messages.setdefault(channel, []).append(message)
            return ts

    def add_private_file(self, name: str, content: bytes) -> dict[str, Any]:
        """A file a user shared with the app, as a message event's `files` entry carries it;
        downloading its url_private_download needs the bot token, as on Slack."""
        with self._lock:
            file_id = f"F{next(self._ids):08d}"
            self._private_files[file_id] = content
        url = f"{self.root_url}/files-pri/{file_id}/{name}"
        return {
            "id": file_id,
            "name": name,
            "filetype": "csv",
            "mimetype": "text/csv",
            "size": len(content),
            "url_private": url,
            "url_private_download": url,
        }

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Everything currently in `channel` (posts, replies, added messages), oldest first."""
        with self._lock:
            return sorted(
                (dict(m) for m in self._messages.get(channel, [])),
                key=lambda m: _ts_key(m["ts"]),
            )

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home last published for `user_id` with views.publish."""
        with self._lock:
            return self._home_views.get(user_id)

    def dm_channel(self, *user_ids: str) -> str:
        """The channel id conversations.open answers for these users."""
        users = sorted(set(user_ids) - {self.bot_user_id})
        if len(users) == 1:
            return _stable_id("D", self.team_id, users[0])
        return _stable_id("G", self.team_id, *users)

    # ----------------------------------------------------------------- serving

    def _next_ts(self) -> str:
        value = next(self._ts)
        if self._clock is not None:
            value = max(value, int(self._clock().timestamp() * 1_000_000))
            self._ts = itertools.count(value + 100, 100)
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    def _take_fault(self, method: str, channel: str) -> _Fault | None:
        queue = self._faults.get(method)
        for fault in queue or ():
            if fault.channel is None or fault.channel == channel:
                queue.remove(fault)  # type: ignore[union-attr]
                return fault
        return None

    def _take(self, queues: dict[str, deque], method: str) -> Any:
        queue = queues.get(method)
        return queue.popleft() if queue else None

    def _serve(self, http_method: str, path: str, headers: dict[str, str], raw: bytes) -> _Answer:
        url = urlsplit(path)
        if url.path.startswith("/upload/") and http_method == "POST":  # raw file bytes
            method = "files.upload_url"
            body = {"file_id": url.path.removeprefix("/upload/"), "length": len(raw)}
        elif url.path.startswith("/files-pri/") and http_method == "GET":  # url_private
            method = "files.download"
            body = {"file_id": url.path.removeprefix("/files-pri/").split("/")[0]}
        else:
            query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(url.query).items()}
            body = {**query, **_parse_body(headers.get("content-type", ""), raw)}
            if url.path.startswith("/api/"):
                method = url.path.removeprefix("/api/")
            elif url.path.startswith("/response/") and http_method == "POST":
                method = "response_url"
            else:
                method = url.path
        with self._lock:
            delay = self._take(self._delays, method)
            answer = self._answer(method, headers, body, raw)
            call = Call(
                method=method,
                path=path,
                headers=headers,
                body=body,
                raw=raw,
                status=answer.status,
                response=answer.payload
                if answer.payload is not None
                else {"ok": answer.status == 200, "text": answer.text},
                channel=self._addressed_channel(body.get("channel")),
            )
            self._calls.append(call)
            self._changed.notify_all()
        if delay:
            time.sleep(delay)
        return answer

    def _answer(self, method: str, headers: dict[str, str], body: dict, raw: bytes) -> _Answer:
        fault = self._take_fault(method, self._addressed_channel(body.get("channel")))
        if fault is not None:
            error = {429: "ratelimited", 503: "service_unavailable"}
            payload = fault.body or {"ok": False, "error": error.get(fault.status, "fatal_error")}
            extra = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            return _Answer(fault.status, payload, headers=extra)
        if method == "response_url":
            errors = block_errors(_as_json(body.get("blocks")))
            if errors:  # Slack answers a response_url post it refuses with a 400
                return _Answer(400, {"ok": False, "error": "invalid_blocks", "errors": errors})
            return _Answer(200, {"ok": True})
        if method == "files.download":
            stored = self._private_files.get(body["file_id"])
            if not headers.get("authorization", "").startswith("Bearer xoxb-"):
                return _Answer(403, {"ok": False, "error": "not_authed"})
            if stored is None:
                return _Answer(404, {"ok": False, "error": "file_not_found"})
            return _Answer(200, data=stored)
        if method == "files.upload_url":
            if body["file_id"] not in self._files:
                return _Answer(404, {"ok": False, "error": "file_not_found"})
            self._files[body["file_id"]]["uploaded"] = len(raw)
            return _Answer(200, text=f"OK - {len(raw)}")
        if method.startswith("/"):
            return _Answer(404, {"ok": False, "error": "not_found"})
        handler = _METHODS.get(method)
        if handler is None:
            return _Answer(200, {"ok": False, "error": "unknown_method"})
        auth_error = self._auth_error(method, headers.get("authorization", ""))
        if auth_error:
            return _Answer(200, {"ok": False, "error": auth_error})
        try:
            if method in _TOKEN_AWARE:
                token = headers.get("authorization", "").removeprefix("Bearer ").strip()
                body = {**body, "_token": token}
            # Slack names the token's granted scopes on every answer (how `doctor` reads them)
            granted = {"x-oauth-scopes": ",".join(self.scopes)}
            return _Answer(200, {"ok": True, **handler(self, body)}, headers=granted)
        except SlackError as error:
            return _Answer(200, {"ok": False, "error": error.error, **error.extra})

    def _auth_error(self, method: str, authorization: str) -> str | None:
        if method == "api.test":
            return None
        if method == "oauth.v2.access":
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            return None if authorization == f"Basic {expected.decode()}" else "invalid_client"
        token = authorization.removeprefix("Bearer ").strip()
        if not authorization.startswith("Bearer ") or not token:
            return "not_authed"
        wanted = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if token.startswith(wanted) and len(token) > len(wanted):
            return None
        if token.startswith(("xoxb-", "xoxp-", "xapp-")):
            return "not_allowed_token_type"
        return "invalid_auth"

    # ----------------------------------------------------------------- Web API methods

    def _user_record(self, user: dict[str, Any]) -> dict[str, Any]:
        email = user["email"]
        handle = email.split("@")[0] if email else user["id"].lower()
        real_name = user["name"] or handle
        offset = ZoneInfo(user["tz"]).utcoffset(datetime.now(UTC))
        profile: dict[str, Any] = {
            "real_name": real_name,
            "display_name": user["name"],
            "real_name_normalized": real_name,
            "display_name_normalized": user["name"],
            "team": user["team_id"],
        }
        if email:
            profile["email"] = email
        if user["is_bot"]:
            profile["bot_id"] = self.bot_id if user["id"] == self.bot_user_id else None
        return {
            "id": user["id"],
            "team_id": user["team_id"],
            "name": handle,
            "real_name": real_name,
            "deleted": user.get("deleted", False),
            "tz": user["tz"],
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": user["is_bot"],
            "is_admin": False,
            "is_app_user": False,
            "profile": profile,
        }

    def _oauth_v2_access(self, body: dict) -> dict:
        if body.get("grant_type") == "refresh_token":
            grant = self._refresh.get(str(body.get("refresh_token", "")))
            if grant is None:
                raise SlackError("invalid_refresh_token")
            grant["bot_token"] = f"{grant['bot_token'].split('~')[0]}~{next(self._ids)}"
            self._token_teams[grant["bot_token"]] = grant["team_id"]
        else:
            grant = self._grants.pop(str(body.get("code", "")), None)
            if grant is None:
                raise SlackError("invalid_code")
        answer: dict[str, Any] = {
            "access_token": grant["bot_token"],
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": self.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": grant["team_id"], "name": grant["team_name"]},
            "enterprise": None,
            "authed_user": {"id": grant["installer"]},
            "is_enterprise_install": False,
        }
        if grant["refresh_token"]:
            answer["refresh_token"] = grant["refresh_token"]
            answer["expires_in"] = grant["expires_in"] or 43200
        return answer

    def _auth_test(self, body: dict) -> dict:
        team_id = self.team_of_token(body.get("_token", ""))
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "coachbot",
            "team_id": team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, body: dict) -> dict:
        user = self._users.get(body.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": self._user_record(user)}

    def _users_lookup_by_email(self, body: dict) -> dict:
        email = str(body.get("email", "")).strip().lower()
        for user in self._users.values():
            if email and user["email"].lower() == email:
                return {"user": self._user_record(user)}
        raise SlackError("users_not_found")

    def _users_list(self, body: dict) -> dict:
        """Pages of `limit` members (Slack: at most 1000, 200 recommended), by cursor."""
        try:
            limit = min(int(body.get("limit") or 1000), 1000)
            start = int(base64.b64decode(body["cursor"]).decode()) if body.get("cursor") else 0
        except (ValueError, UnicodeDecodeError) as error:
            raise SlackError("invalid_cursor") from error
        users = list(self._users.values())
        members = [self._user_record(user) for user in users[start : start + limit]]
        more = start + limit < len(users)
        cursor = base64.b64encode(str(start + limit).encode()).decode() if more else ""
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    def _addressed_channel(self, channel: Any) -> str:
        channel = str(channel or "")
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def _resolve_channel(self, channel: Any) -> str:
        channel = str(channel or "")
        if not channel:
            raise SlackError("channel_not_found")
        if channel[0] in "UW":  # posting to a user id posts to the app's DM with them
            return self.dm_channel(channel)
        return channel

    def _find_message(self, channel: str, ts: str) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _chat_post_message(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        text = body.get("text")
        blocks = _as_json(body.get("blocks"))
        attachments = _as_json(body.get("attachments"))
        if not (text or blocks or attachments):
            raise SlackError("no_text")
        _refuse_invalid_blocks(blocks)
        self._refuse_unseen_files(blocks, channel)
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": text or "",
            "ts": ts,
        }
        if blocks is not None:
            message["blocks"] = blocks
        if attachments is not None:
            message["attachments"] = attachments
        if body.get("thread_ts"):
            message["thread_ts"] = str(body["thread_ts"])
        if body.get("metadata"):
            message["metadata"] = _as_json(body["metadata"])
        self._messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": ts, "message": dict(message)}

    def _chat_post_ephemeral(self, body: dict) -> dict:
        self._resolve_channel(body.get("channel"))
        if not body.get("user"):
            raise SlackError("user_not_found")
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            raise SlackError("no_text")
        _refuse_invalid_blocks(_as_json(body.get("blocks")))
        self._refuse_unseen_files(
            _as_json(body.get("blocks")), self._resolve_channel(body.get("channel"))
        )
        return {"message_ts": self._next_ts()}

    def _chat_update(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        message = self._find_message(channel, str(body.get("ts", "")))
        _refuse_invalid_blocks(_as_json(body.get("blocks")))
        self._refuse_unseen_files(_as_json(body.get("blocks")), channel)
        if "text" in body:
            message["text"] = body["text"]
        if "blocks" in body:
            message["blocks"] = _as_json(body["blocks"])
        if "attachments" in body:
            message["attachments"] = _as_json(body["attachments"])
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": dict(message),
        }

    def _chat_delete(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        message = self._find_message(channel, str(body.get("ts", "")))
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _conversations_open(self, body: dict) -> dict:
        if body.get("channel"):
            return {"channel": {"id": body["channel"]}, "already_open": True}
        users = [u.strip() for u in str(body.get("users", "")).split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if any(u[0] not in "UW" for u in users):
            raise SlackError("user_not_found")
        if len(set(users)) > 8:
            raise SlackError("too_many_users")
        channel = self.dm_channel(*users)
        already_open = channel in self._messages
        self._messages.setdefault(channel, [])
        return {"no_op": already_open, "already_open": already_open, "channel": {"id": channel}}

    def _conversations_history(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        oldest = _ts_key(body.get("oldest", 0))
        latest = _ts_key(body["latest"]) if body.get("latest") else None
        top_level = [
            dict(m)
            for m in self._messages.get(channel, [])
            if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        inside = [
            m
            for m in top_level
            if _ts_key(m["ts"]) > oldest and (latest is None or _ts_key(m["ts"]) < latest)
        ]
        inside.sort(key=lambda m: _ts_key(m["ts"]), reverse=True)
        limit = int(body.get("limit") or 100)
        if str(body.get("include_all_metadata", "")).lower() not in ("1", "true"):
            inside = [{k: v for k, v in m.items() if k != "metadata"} for m in inside]
        return {
            "messages": [self._with_thread_info(channel, m) for m in inside[:limit]],
            "has_more": len(inside) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _with_thread_info(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        replies = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]
        ]
        if replies:
            message = {**message, "thread_ts": message["ts"], "reply_count": len(replies)}
        return message

    def _conversations_replies(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        ts = str(body.get("ts", ""))
        try:
            parent = self._find_message(channel, ts)
        except SlackError:
            raise SlackError("thread_not_found") from None
        replies = [
            dict(m)
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") == ts and m["ts"] != ts
        ]
        replies.sort(key=lambda m: _ts_key(m["ts"]))
        messages = [self._with_thread_info(channel, dict(parent)), *replies]
        limit = int(body.get("limit") or 1000)
        return {
            "messages": messages[:limit],
            "has_more": len(messages) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _store_view(
        self, view: Any, view_id: str | None = None, viewer: str | None = None
    ) -> dict[str, Any]:
        view = _as_json(view)
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        _refuse_invalid_view(view)
        unseen = self._unseen_files(view.get("blocks"), self.dm_channel(viewer) if viewer else None)
        if unseen:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {e}" for e in unseen]},
            )
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids):08d}",
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "bot_id": self.bot_id,
            **view,
        }
        stored["id"] = view_id
        self._views[view_id] = stored
        return stored

    def _views_publish(self, body: dict) -> dict:
        user_id = str(body.get("user_id", ""))
        if not user_id:
            raise SlackError("invalid_arguments")
        previous = self._home_views.get(user_id)
        view = self._store_view(body.get("view"), previous["id"] if previous else None, user_id)
        if view["type"] != "home":
            raise SlackError("invalid_arguments")
        self._home_views[user_id] = view
        return {"view": view}

    def _views_open(self, body: dict) -> dict:
        if not body.get("trigger_id") and not body.get("interactivity_pointer"):
            raise SlackError("invalid_trigger_id")
        return {"view": self._store_view(body.get("view"))}

    def _views_update(self, body: dict) -> dict:
        view_id = body.get("view_id")
        if not view_id and body.get("external_id"):
            found = [v for v in self._views.values() if v["external_id"] == body["external_id"]]
            if not found:
                raise SlackError("not_found")
            view_id = found[0]["id"]
        if not view_id:
            raise SlackError("invalid_arguments")
        return {"view": self._store_view(body.get("view"), str(view_id))}

    def _unseen_files(self, blocks: Any, seen_in: str | None) -> list[str]:
        """Images of Slack-hosted files that this conversation may not show: a file that does
        not exist (or was deleted), or was not shared in `seen_in` (a Home view is seen in the
        user's DM with the app). With `seen_in` None (a modal), only that the file exists."""
        if not isinstance(blocks, list):
            return []
        errors = []
        for index, raw in enumerate(blocks):
            for where, file in image_files(raw, f"/blocks/{index}"):
                stored = self._file_named(file)
                if stored is None or (seen_in is not None and seen_in not in stored["channels"]):
                    errors.append(f"invalid slack file [json-pointer:{where}]")
        return errors

    def _refuse_unseen_files(self, blocks: Any, channel: str) -> None:
        errors = self._unseen_files(blocks, channel)
        if errors:
            raise SlackError(
                "invalid_blocks",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )

    def _file_named(self, file: Any) -> dict[str, Any] | None:
        if not isinstance(file, dict):
            return None
        for stored in self._files.values():
            if "channels" not in stored:  # never completed: not a file yet
                continue
            if file.get("id") == stored["id"] or file.get("url") == self._permalink(stored):
                return stored
        return None

    def _permalink(self, stored: dict[str, Any]) -> str:
        return f"https://{TEAM_DOMAIN}.slack.com/files/{stored['id']}"

    def delete_file(self, file_id: str) -> None:
        """What a user deleting the file in Slack does: blocks may no longer show it."""
        with self._lock:
            self._files.pop(file_id, None)

    def _files_get_upload_url(self, body: dict) -> dict:
        filename, length = body.get("filename"), body.get("length")
        if not filename or length in (None, ""):
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self._files[file_id] = {"id": file_id, "name": filename, "length": int(length)}
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, body: dict) -> dict:
        wanted = _as_json(body.get("files"))
        if not isinstance(wanted, list) or not wanted:
            raise SlackError("invalid_arguments")
        files = []
        channel = body.get("channel_id")
        for item in wanted:
            stored = self._files.get(item.get("id", ""))
            if stored is None or "uploaded" not in stored:
                raise SlackError("file_not_found")
            # Shared where channel_id says; without one only the uploader (the bot) sees it.
            stored["channels"] = [self._resolve_channel(channel)] if channel else []
            files.append(
                {
                    "id": stored["id"],
                    "name": stored["name"],
                    "title": item.get("title") or stored["name"],
                    "size": stored["uploaded"],
                    "user": self.bot_user_id,
                    "permalink": self._permalink(stored),
                }
            )
        return {"files": files}

    def _reactions_add(self, body: dict) -> dict:
        channel = self._resolve_channel(body.get("channel"))
        name = str(body.get("name", "")).strip(":")
        ts = str(body.get("timestamp", ""))
        if not name or not ts:
            raise SlackError("invalid_arguments")
        if (channel, ts, name) in self._reactions:
            raise SlackError("already_reacted")
        self._reactions.add((channel, ts, name))
        return {}

    def _team_info(self, body: dict) -> dict:
        return {
            "team": {
                "id": self.team_id,
                "name": TEAM_NAME,
                "domain": TEAM_DOMAIN,
                "email_domain": "acme.example",
                "icon": {"image_default": True},
            }
        }

    def _apps_connections_open(self, body: dict) -> dict:
        host, port = self._server.server_address[:2] if self._server else ("127.0.0.1", 0)
        return {"url": f"ws://{host}:{port}/link/?ticket=test-ticket&app_id={APP_ID}"}

    def _api_test(self, body: dict) -> dict:
        return {"args": body} if body else {}


_METHODS: dict[str, Callable[[SlackStub, dict], dict]] = {
    "api.test": SlackStub._api_test,
    "auth.test": SlackStub._auth_test,
    "oauth.v2.access": SlackStub._oauth_v2_access,
    "users.info": SlackStub._users_info,
    "users.lookupByEmail": SlackStub._users_lookup_by_email,
    "users.list": SlackStub._users_list,
    "chat.postMessage": SlackStub._chat_post_message,
    "chat.postEphemeral": SlackStub._chat_post_ephemeral,
    "chat.update": SlackStub._chat_update,
    "chat.delete": SlackStub._chat_delete,
    "conversations.open": SlackStub._conversations_open,
    "conversations.history": SlackStub._conversations_history,
    "conversations.replies": SlackStub._conversations_replies,
    "views.publish": SlackStub._views_publish,
    "views.open": SlackStub._views_open,
    "views.push": SlackStub._views_open,
    "views.update": SlackStub._views_update,
    "files.getUploadURLExternal": SlackStub._files_get_upload_url,
    "files.completeUploadExternal": SlackStub._files_complete_upload,
    "reactions.add": SlackStub._reactions_add,
    "team.info": SlackStub._team_info,
    "apps.connections.open": SlackStub._apps_connections_open,
}


_TOKEN_AWARE = {"auth.test"}  # handlers that answer according to the caller's token


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or (not kind and raw.lstrip()[:1] == b"{"):
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    if kind == "multipart/form-data":
        return _parse_multipart(content_type, raw)
    text = raw.decode("utf-8", errors="replace")
    pairs = parse_qs(text, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in pairs.items()}


def _parse_multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields[str(name)] = payload  # file contents stay bytes
        else:
            fields[str(name)] = payload.decode("utf-8")
    return fields


def _describe(call: Call) -> str:
    body = {k: v for k, v in call.body.items() if not isinstance(v, bytes)}
    text = json.dumps(body, default=str)
    if len(text) > 200:
        text = text[:197] + "..."
    error = call.response.get("error")
    return f"{call.method} -> {call.status}{f' {error}' if error else ''} {text}"


def _quiet_handle_error(request: Any, client_address: Any) -> None:
    """A client that hung up (timed out on a slow answer) is not worth a traceback."""


def _handler_for(stub: SlackStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStub/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # no request lines on stderr

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, http_method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                answer = stub._serve(http_method, self.path, headers, raw)
            except Exception as error:  # a bug in the stub: say so loudly, answer 500
                traceback.print_exc()
                answer = _Answer(500, {"ok": False, "error": f"stub_error: {error!r}"})
            if answer.data is not None:
                data, content_type = answer.data, "application/octet-stream"
            elif answer.text is not None:
                data, content_type = answer.text.encode(), "text/plain; charset=utf-8"
            else:
                data = json.dumps(answer.payload).encode()
                content_type = "application/json; charset=utf-8"
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

    return Handler
