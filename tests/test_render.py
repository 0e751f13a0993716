"""The renderer: every template and branch renders valid Block Kit, user and CRM text is
escaped wherever Slack reads mrkdwn, Slack's limits hold after parsing, failures are loud,
and numbers look right. Pure: no Slack, no database, no files outside tmp_path."""

from __future__ import annotations

import ast
import json
import math
import re
import types
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError

from bot.analytics import catalog
from bot.ids import DECIDE_CHECKPOINT, Actions, Blocks, Views
from bot.render import formats, limits, renderer
from bot.render.formats import day, money, number, pct, skill, trend, value_in
from bot.render.limits import cut, fit_block, fit_blocks
from bot.render.renderer import TemplateError, environment, escape_mrkdwn, message, view
from bot.services.commands import SUBCOMMANDS, Command, intent, parse
from bot.vocabulary import SKILLS

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)
DASH = "–"
MAX_GAPS_SHOWN = 3  # bot/services/answers.py MAX_GAPS_SHOWN
MIN_CLOSED = 10

ACTION_IDS = {v for k, v in vars(Actions).items() if k.isupper()}
BLOCK_TYPES = {"section", "header", "context", "divider", "actions", "input"}
TEXT_TYPES = {"mrkdwn", "plain_text"}
RAW_CONTROLS = ("<!channel>", "<!here>", "<!everyone>", "<@U123>")

HOSTILE_NAME = "<!channel> & <@U123>"
HOSTILE_NAME_ESCAPED = "&lt;!channel&gt; &amp; &lt;@U123&gt;"
HOSTILE_TEAM = "Sales <script>"
HOSTILE_TEAM_ESCAPED = "Sales &lt;script&gt;"
HOSTILE_NOTE = "<!here> call me"
HOSTILE_NOTE_ESCAPED = "&lt;!here&gt; call me"
HOSTILE_REASON = "<!everyone> & pricing"  # a CRM loss reason becomes an evidence label
HOSTILE_LABEL = catalog.loss_reason_metric(HOSTILE_REASON).label
HOSTILE_LABEL_ESCAPED = "lost deals lost to &lt;!everyone&gt; &amp; pricing"


# --- realistic payloads: the keys of Assessment.to_dict() (checked against the source below)


def metric_evidence(
    label: str = "deals with 3+ contacts engaged",
    *,
    metric: str = "multithreaded_share",
    unit: str = "pct",
    value: float | None = 0.12,
    benchmark: float | None = 0.4521,
    sample_size: float = 31.0,
    benchmark_sample_size: float | None = 342.0,
    top_value: float | None = 0.61,
    revenue_at_stake: float = 36_000.0,
    verdict: str = "gap",
    external: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "metric",
        "metric": metric,
        "label": label,
        "unit": unit,
        "value": value,
        "benchmark": benchmark,
        "sample_size": sample_size,
        "benchmark_sample_size": benchmark_sample_size,
        "interval": [0.0551, 0.2373],
        "team_value": benchmark,
        "top_value": top_value,
        "verdict": verdict,
        "revenue_at_stake": revenue_at_stake,
        "notes": [],
        # to_dict leaves `external` out when empty (the template reads it either way)
        "external": external or [],
    }


def feedback_evidence(
    skill_name: str = "negotiation",
    *,
    value: float = 2.0,
    benchmark: float = 3.25,
    ratings: int = 4,
    notes: tuple[str, ...] = ("Gave the discount before the customer asked for one.",),
    verdict: str = "gap",
) -> dict[str, Any]:
    return {
        "kind": "feedback",
        "metric": f"feedback:{skill_name}",
        "label": f"{skill_name.replace('_', ' ')} feedback (1-5)",
        "unit": "rating",
        "value": value,
        "benchmark": benchmark,
        "sample_size": ratings,
        "benchmark_sample_size": None,
        "interval": None,
        "team_value": benchmark,
        "top_value": None,
        "verdict": verdict,
        "revenue_at_stake": 0.0,
        "notes": list(notes),
        "external": [],
    }


def finding(
    skill_name: str,
    revenue_at_stake: float = 0.0,
    evidence: list[dict[str, Any]] | None = None,
    coachability: float = 0.8,
    diagnosis: str | None = None,
) -> dict[str, Any]:
    return {
        "skill": skill_name,
        "revenue_at_stake": revenue_at_stake,
        "coachability": coachability,
        "priority": round(revenue_at_stake * coachability, 0),
        "evidence": evidence if evidence is not None else [metric_evidence()],
        "diagnostic": diagnosis is not None,
        "diagnosis": diagnosis,
    }


FULL_COVERAGE = {
    "present": ["stage_history", "activities", "contacts", "loss_reasons", "discounts", "feedback"],
    "missing": [],
}
EXPORT_ONLY_COVERAGE = {
    "present": ["loss_reasons"],
    "missing": [
        {"kind": "stage_history", "unlocks": "stage history unlocks stage-to-stage conversion"},
        {"kind": "activities", "unlocks": "activities unlock activity per week"},
    ],
}


def default_gaps() -> list[dict[str, Any]]:
    return [
        finding(
            "stakeholder_engagement",
            360_983.0,
            [
                metric_evidence(revenue_at_stake=360_983.0),
                metric_evidence(
                    "lost deals lost to lost champion",
                    metric="lost_to:lost_champion",
                    value=0.2903,
                    benchmark=0.0234,
                    top_value=0.0207,
                    revenue_at_stake=156_093.0,
                ),
                feedback_evidence(
                    "stakeholder_engagement",
                    ratings=7,
                    notes=("Champion left and the deal went dark.", "Single-threaded again."),
                ),
            ],
            0.85,
        ),
        finding(
            "process_adherence",
            0.0,
            [
                metric_evidence(
                    "activities per week",
                    metric="activities_per_week",
                    unit="per_week",
                    value=10.5778,
                    benchmark=12.8679,
                    sample_size=12.8571,
                    benchmark_sample_size=115.7143,
                    top_value=13.0866,
                    revenue_at_stake=0.0,
                )
            ],
            0.7,
        ),
    ]


def make_assessment(
    *,
    rep_id: int = 6,
    name: str = "Marcus Greene",
    team: str | None = "Enterprise East",
    status: str = "assessed",
    closed: int = 31,
    won: int = 6,
    gaps: list[dict[str, Any]] | None = None,
    strengths: list[dict[str, Any]] | None = None,
    direction: str = "stagnant",
    periods: int = 12,
    as_of: str = "2026-11-20",
    loss_reasons: dict[str, int] | None = None,
    competitors: dict[str, int] | None = None,
    coverage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A payload shaped like Assessment.to_dict(), as stored (JSON round trip)."""
    enough = status == "assessed"
    gaps = (default_gaps() if gaps is None else gaps) if enough else []
    strengths = (
        [
            finding("discovery", 0.0, [metric_evidence(verdict="strength", revenue_at_stake=0.0)]),
            finding("negotiation", 0.0, [feedback_evidence(value=4.6, verdict="strength")]),
        ]
        if strengths is None
        else strengths
    )
    payload = {
        "rep_id": rep_id,
        "email": f"rep{rep_id}@northwind.example",
        "name": name,
        "team": team,
        "manager_id": 3,
        "as_of": as_of,
        "window_days": 90,
        "status": status,
        "closed_deals": closed,
        "won_deals": won,
        "headline": {
            "win_rate": won / closed if closed else None,
            "peer_win_rate": 0.348,
            "average_won_deal": 158_166.6667 if enough else None,
            "peer_average_won_deal": 184_243.6975 if enough else None,
            "cycle_days": 96.0 if enough else None,
            "peer_cycle_days": 92.8151 if enough else None,
            "activities_per_week": 10.5778,
            "peer_activities_per_week": 12.8679,
            "won_amount": 949_000.0,
            "pipeline_created": 7_177_000.0,
            "open_pipeline": 5_076_000.0,
        },
        "gaps": gaps,
        "strengths": strengths if enough else [],
        "trend": {
            "direction": direction if enough else "not_enough_data",
            "periods": periods if enough else 0,
            "slope": 0.0021 if enough else None,
            "low": -0.0171 if enough else None,
            "high": 0.0192 if enough else None,
            "series": [["2026-10", 0.0909, 11], ["2026-11", 0.375, 8]],
        },
        "comparisons": [e for g in gaps for e in g["evidence"] if e["kind"] == "metric"],
        "loss_reasons": {"no_decision": 9, "lost_champion": 6, "price": 4}
        if loss_reasons is None
        else loss_reasons,
        "competitors": {"Contoso": 3, "Globex": 1} if competitors is None else competitors,
        "coverage": FULL_COVERAGE if coverage is None else coverage,
    }
    return json.loads(json.dumps(payload))


def not_enough_data(**overrides: Any) -> dict[str, Any]:
    return make_assessment(status="not_enough_data", closed=3, won=1, **overrides)


def no_gaps(**overrides: Any) -> dict[str, Any]:
    return make_assessment(gaps=[], **overrides)


# --- rendering, with the same context the Slack code passes (answers.py, home.py)


def render_assessment(
    payload: dict[str, Any], own: bool = True, max_gaps: int = MAX_GAPS_SHOWN
) -> dict[str, Any]:
    return message(
        "messages/assessment.json.j2",
        assessment=payload,
        own=own,
        min_closed=MIN_CLOSED,
        max_gaps=max_gaps,
    )


def total_at_stake(reps: list[dict[str, Any]]) -> float:
    """bot/services/coach.py TeamView.total_at_stake."""
    return sum(sum(g["revenue_at_stake"] for g in r["gaps"]) for r in reps if r.get("gaps"))


def render_team(reps: list[dict[str, Any]]) -> dict[str, Any]:
    return message(
        "messages/team.json.j2",
        reps=reps,
        as_of=AS_OF,
        window_days=90,
        total_at_stake=total_at_stake(reps),
    )


def render_help(command: Command | None = None) -> dict[str, Any]:
    """bot/services/answers.py help_message."""
    return message(
        "messages/help.json.j2",
        commands=SUBCOMMANDS,
        unknown=command.text.split()[0] if command and command.name == "unknown" else None,
        suggestion=command.suggestion if command else None,
        not_understood=bool(command and command.problem == "not_understood"),
    )


def render_notice(text: str) -> dict[str, Any]:
    """bot/services/answers.py notice."""
    return message("messages/notice.json.j2", text=text)


def render_unknown_user(no_workspace: bool, email: str | None = None) -> dict[str, Any]:
    return message("messages/unknown_user.json.j2", no_workspace=no_workspace, email=email)


def render_import_result(
    problems: list[str], total: int, reports: list[dict[str, Any]]
) -> dict[str, Any]:
    return message(
        "messages/import_result.json.j2", problems=problems, total=total, reports=reports
    )


def render_home(
    *,
    known: bool = True,
    no_workspace: bool = False,
    assessment: dict[str, Any] | None = None,
    team: list[dict[str, Any]] | None = None,
    nudges_paused: bool = False,
    is_rep: bool = True,
    settings: dict[str, Any] | None = None,
    focus: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """bot/services/home.py home_view."""
    if not known:
        unknown = render_unknown_user(no_workspace, None)
        return view("views/home.json.j2", known=False, unknown_text=unknown["text"])
    return view(
        "views/home.json.j2",
        known=True,
        is_rep=is_rep,
        assessment=assessment,
        team=team,
        nudges_paused=nudges_paused,
        settings=settings or {},
        focus=focus,
        min_closed=MIN_CLOSED,
    )


def render_modal(about_id: int = 42, about_name: str = "Dana Scully") -> dict[str, Any]:
    """bot/services/answers.py feedback_modal."""
    return view(
        "views/feedback_modal.json.j2", about_id=about_id, about_name=about_name, skills=SKILLS
    )


def team_of(count: int, name: str = "Rep") -> list[dict[str, Any]]:
    return [
        make_assessment(rep_id=100 + i, name=f"{name} {i:03d}", strengths=[]) for i in range(count)
    ]


# --- structure checks


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def text_objects(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in walk(payload) if o.get("type") in TEXT_TYPES and "text" in o]


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every text Slack parses as mrkdwn: mrkdwn objects and a message's fallback `text`
    (which Slack uses for notifications and parses for mentions)."""
    texts = [o["text"] for o in text_objects(payload) if o["type"] == "mrkdwn"]
    if isinstance(payload.get("text"), str):
        texts.append(payload["text"])
    return texts


def all_text(payload: dict[str, Any]) -> str:
    return "\n".join(o["text"] for o in text_objects(payload))


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in walk(payload) if o.get("type") == "button"]


def assert_no_raw_controls(payload: dict[str, Any]) -> None:
    for text in mrkdwn_texts(payload):
        for raw in RAW_CONTROLS:
            assert raw not in text, f"raw {raw!r} in mrkdwn text {text!r}"
        assert "<!" not in text and "<@" not in text, text
    # Any raw control sequence left is in plain_text, which Slack shows literally.
    for obj in text_objects(payload):
        if "<!" in obj["text"] or "<@" in obj["text"]:
            assert obj["type"] == "plain_text", obj


def check_text(obj: Any, kinds: set[str] = TEXT_TYPES, limit: int = 3000) -> None:
    assert isinstance(obj, dict) and obj["type"] in kinds, obj
    assert isinstance(obj["text"], str) and obj["text"].strip(), obj
    assert len(obj["text"]) <= limit


def check_button(element: dict[str, Any]) -> None:
    assert element["type"] == "button"
    check_text(element["text"], {"plain_text"}, limits.BUTTON_TEXT)
    assert element["action_id"] in ACTION_IDS or DECIDE_CHECKPOINT.fullmatch(element["action_id"])
    if "value" in element:  # Slack refuses an empty value; a button without one omits it
        assert isinstance(element["value"], str) and element["value"], element
    assert element.get("style") in (None, "primary", "danger")


def check_blocks(blocks: Any, limit: int) -> None:
    assert isinstance(blocks, list) and blocks
    assert len(blocks) <= limit
    for block in blocks:
        kind = block["type"]
        assert kind in BLOCK_TYPES, block
        if kind == "header":
            check_text(block["text"], {"plain_text"}, limits.HEADER_TEXT)
        elif kind == "section":
            assert "text" in block or "fields" in block, block
            if "text" in block:
                check_text(block["text"], TEXT_TYPES, limits.SECTION_TEXT)
            for field in block.get("fields", []):
                check_text(field, TEXT_TYPES, limits.FIELD_TEXT)
            assert len(block.get("fields", [])) <= limits.FIELDS
            if block.get("accessory", {}).get("type") == "datepicker":
                assert block["accessory"]["action_id"] == Actions.PAUSE_NUDGES_UNTIL
                check_text(block["accessory"]["placeholder"], {"plain_text"}, 150)
            elif "accessory" in block:
                check_button(block["accessory"])
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= limits.CONTEXT_ELEMENTS
            for element in block["elements"]:
                check_text(element)
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= limits.ACTION_ELEMENTS
            for element in block["elements"]:
                check_button(element)
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(set(action_ids)) == len(action_ids), f"repeated action_id: {action_ids}"
        elif kind == "input":
            assert block["block_id"] in {v for k, v in vars(Blocks).items() if k.isupper()}
            check_text(block["label"], {"plain_text"}, 2000)
            assert block["element"]["action_id"] == "value"
        else:
            assert set(block) == {"type"}, block


def check_message(payload: dict[str, Any]) -> dict[str, Any]:
    assert set(payload) == {"text", "blocks"}
    assert isinstance(payload["text"], str) and payload["text"].strip()
    assert len(payload["text"]) <= limits.FALLBACK_TEXT
    check_blocks(payload["blocks"], limits.MESSAGE_BLOCKS)
    assert json.loads(json.dumps(payload)) == payload
    return payload


def check_view(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    assert payload["type"] == kind
    check_blocks(payload["blocks"], limits.VIEW_BLOCKS)
    assert json.loads(json.dumps(payload)) == payload
    return payload


def sections(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b]


def contexts(payload: dict[str, Any]) -> list[str]:
    return [e["text"] for b in payload["blocks"] if b["type"] == "context" for e in b["elements"]]


def headers(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "header"]


def fields(payload: dict[str, Any]) -> list[str]:
    return [f["text"] for b in payload["blocks"] for f in b.get("fields", [])]


def action_ids(payload: dict[str, Any]) -> list[str]:
    return [b["action_id"] for b in buttons(payload)]


def more_note(payload: dict[str, Any]) -> int:
    last = payload["blocks"][-1]
    assert last["type"] == "context"
    found = re.fullmatch(r"…and (\d+) more", last["elements"][0]["text"])
    assert found, last
    return int(found.group(1))


# --- 0. the helpers and the factory can be trusted


@pytest.mark.parametrize(
    "payload",
    [
        {
            "text": "ok",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi <!here>"}}],
        },
        {"text": "ping <@U123>", "blocks": []},
        {
            "type": "home",
            "blocks": [
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!subteam^S1>"}]}
            ],
        },
        {
            "type": "home",
            "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "<!date^1|x>"}]}],
        },
    ],
)
def test_the_escaping_check_finds_raw_control_sequences(payload: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        assert_no_raw_controls(payload)


def test_the_escaping_check_allows_plain_text_and_entities() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}}
    body = {"type": "section", "text": {"type": "mrkdwn", "text": HOSTILE_NAME_ESCAPED}}
    assert_no_raw_controls({"text": HOSTILE_NAME_ESCAPED, "blocks": [header, body]})


# the factory is shaped like the real payload


def _dataclass_fields(source: Path, name: str) -> set[str]:
    tree = ast.parse(source.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    return {
        n.target.id
        for n in cls.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def _headline_keys(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_headline")
    returned = next(n for n in ast.walk(func) if isinstance(n, ast.Return))
    assert isinstance(returned.value, ast.Dict)
    return {k.value for k in returned.value.keys if isinstance(k, ast.Constant)}


def test_factory_has_the_keys_of_assessment_to_dict() -> None:
    assessment_py = ROOT / "bot/coaching/assessment.py"
    findings_py = ROOT / "bot/coaching/findings.py"
    trends_py = ROOT / "bot/analytics/trends.py"
    payload = make_assessment()
    assert set(payload) == _dataclass_fields(assessment_py, "Assessment")
    assert set(payload["headline"]) == _headline_keys(assessment_py)
    assert set(payload["trend"]) == _dataclass_fields(trends_py, "TrendResult")
    for g in payload["gaps"] + payload["strengths"]:
        assert set(g) == _dataclass_fields(findings_py, "SkillFinding")
        for e in g["evidence"]:
            assert set(e) == _dataclass_fields(findings_py, "Evidence")
    kinds = {e["kind"] for g in payload["gaps"] for e in g["evidence"]}
    assert kinds == {"metric", "feedback"}


# --- 1. every template, every branch


def test_assessment_own_view_with_gaps() -> None:
    payload = check_message(render_assessment(make_assessment(), own=True))
    assert payload["text"] == "Your coaching snapshot, as of Nov 20, 2026"
    assert headers(payload) == ["Your coaching snapshot"]
    assert contexts(payload)[0] == (
        "As of Nov 20, 2026 · deals closed in the last 90 days · Enterprise East"
    )
    assert fields(payload) == [
        "*Win rate*\n19% (peers 35%) · 6/31 won",
        "*Average won deal*\n$158k (peers $184k)",
        "*Sales cycle*\n96 days (peers 93 days)",
        "*Activities*\n10.6/wk (peers 12.9/wk)",
        "*Trend*\nsteady over 12 months",
        "*Open pipeline*\n$5.1M",
    ]
    text = sections(payload)
    assert text[0] == (
        "*Where coaching pays most* — up to $361k a quarter at stake (gaps can overlap)"
    )
    assert text[1] == (
        "1. *Stakeholder engagement* — $361k/quarter at stake"
        "\n• deals with 3+ contacts engaged: *12%* (n=31) vs peers 45% (n=342), top performers 61%"
        "\n• lost deals lost to lost champion: *29%* (n=31) vs peers 2% (n=342), top performers 2%"
        "\n• stakeholder engagement feedback (1-5): *2.0/5* from 7 ratings, team 3.2/5"
        " — _“Champion left and the deal went dark.”_"
    )
    assert text[2] == (
        "2. *Process adherence* — a leading indicator, no revenue estimate"
        "\n• activities per week: *10.6/wk* (13 wk) vs peers 12.9/wk (116 wk), top performers 13.1/wk"
    )
    assert text[3] == "*Strengths:* Discovery, Negotiation"
    assert contexts(payload)[1] == (
        "*Why deals were lost:* no decision 9, lost champion 6, price 4"
        " · *competitors:* Contoso 3, Globex 1"
    )
    assert "too large to be chance" in contexts(payload)[-1]
    assert "95%" not in all_text(payload) and "docs/" not in all_text(payload)
    assert not any("smaller gap" in c for c in contexts(payload))
    assert buttons(payload) == []


def test_assessment_manager_view_names_the_rep() -> None:
    payload = check_message(render_assessment(make_assessment(name="Dana Scully"), own=False))
    assert headers(payload) == ["Dana Scully — coaching snapshot"]
    assert payload["text"] == "Dana Scully — coaching snapshot, as of Nov 20, 2026"


def test_assessment_without_team_says_so() -> None:
    payload = check_message(render_assessment(make_assessment(team=None)))
    assert contexts(payload)[0].endswith("· no team")


def test_assessment_with_no_gaps() -> None:
    payload = check_message(render_assessment(no_gaps(strengths=[], direction="improving")))
    text = sections(payload)
    assert text == [
        ":white_check_mark: *No credible gaps.* Nothing in these numbers is clearly behind the peer group."
    ]
    assert "*Trend*\nimproving over 12 months" in fields(payload)
    assert not any("Where coaching pays most" in s for s in text)


def test_assessment_of_a_thin_export_says_what_is_not_measured() -> None:
    win_rate = metric_evidence(
        "win rate",
        metric="win_rate",
        value=0.3,
        benchmark=0.62,
        sample_size=43,
        benchmark_sample_size=310,
        top_value=0.7,
        revenue_at_stake=84_000.0,
    )
    unexplained = finding("discovery", 84_000.0, [win_rate], 0.9, diagnosis="no_loss_reasons")
    payload = check_message(
        render_assessment(
            make_assessment(gaps=[unexplained], strengths=[], coverage=EXPORT_ONLY_COVERAGE),
            own=True,
        )
    )
    assert "*Activities*\nnot measured: no activities imported" in fields(payload)
    assert sections(payload)[1] == (
        "1. *Win rate, cause not in the data* — $84k/quarter at stake"
        "\n• win rate: *30%* (n=43) vs peers 62% (n=310), top performers 70%"
        "\n• The CRM export has no loss reasons, contacts or stage history that would say why"
        " deals are lost."
        "\n• *First step:* review the last five lost deals with your manager, then practise"
        " discovery in a role-play."
    )
    assert contexts(payload)[-2] == (
        "*Not measured:* stage history unlocks stage-to-stage conversion; activities unlock"
        " activity per week. Ask your admin to import them."
    )


def test_assessment_unexplained_win_rate_with_loss_reasons_says_the_mix_is_like_peers() -> None:
    win_rate = metric_evidence("win rate", metric="win_rate", value=0.3, benchmark=0.62)
    unexplained = finding("discovery", 84_000.0, [win_rate], diagnosis="no_pattern")
    payload = check_message(render_assessment(make_assessment(gaps=[unexplained]), own=False))
    assert "much the same reasons as the peers', only more often" in sections(payload)[1]
    assert "with the rep's manager" in sections(payload)[1]
    assert not any(c.startswith("*Not measured:*") for c in contexts(payload))


def test_assessment_loss_mix_branches() -> None:
    without = check_message(render_assessment(make_assessment(loss_reasons={}, competitors={})))
    assert not any("Why deals were lost" in c for c in contexts(without))
    no_competitors = render_assessment(make_assessment(loss_reasons={"timing": 1}, competitors={}))
    assert contexts(check_message(no_competitors))[1] == "*Why deals were lost:* timing 1"


def test_assessment_gaps_without_revenue_have_no_stake_line() -> None:
    only_leading = [default_gaps()[1]]
    payload = check_message(render_assessment(make_assessment(gaps=only_leading)))
    assert sections(payload)[0] == "*Where coaching pays most*"


def test_assessment_not_enough_data() -> None:
    payload = check_message(render_assessment(not_enough_data(), own=True))
    assert sections(payload) == [
        ":seedling: *Not enough data yet.* Marcus Greene has 3 closed deals in the last 90 days;"
        " coachbot needs 10 before it calls anything a gap or a strength. Numbers from a handful"
        " of deals would be noise, not feedback."
    ]
    assert fields(payload) == [
        "*Open pipeline*\n$5.1M",
        "*Pipeline created (window)*\n$7.2M",
    ]
    assert "Where coaching pays most" not in all_text(payload)
    assert "Strengths" not in all_text(payload)


@pytest.mark.parametrize(("count", "shown"), [(5, 3), (4, 1), (2, 1)])
def test_assessment_more_gaps_than_shown(count: int, shown: int) -> None:
    gaps = [
        finding(s, 10_000.0 * (count - i), [metric_evidence(revenue_at_stake=10_000.0)])
        for i, s in enumerate(SKILLS[:count])
    ]
    payload = check_message(render_assessment(make_assessment(gaps=gaps), max_gaps=shown))
    numbered = [s for s in sections(payload) if re.match(r"\d+\. \*", s)]
    assert len(numbered) == shown
    more = count - shown
    assert f"…and {more} smaller gap{'s' if more > 1 else ''}." in contexts(payload)


def test_assessment_exactly_max_gaps_has_no_more_note() -> None:
    gaps = [finding(s, 5_000.0) for s in SKILLS[:3]]
    payload = check_message(render_assessment(make_assessment(gaps=gaps), max_gaps=3))
    assert not any("smaller gap" in c for c in contexts(payload))


def test_assessment_evidence_shows_at_most_four_lines_and_missing_values() -> None:
    evidence = [metric_evidence(f"metric {i}", top_value=None) for i in range(6)]
    evidence[0] = metric_evidence("no values", value=None, benchmark=None, top_value=None)
    payload = check_message(
        render_assessment(make_assessment(gaps=[finding("discovery", 1e4, evidence)]))
    )
    gap = sections(payload)[1]
    assert gap.count("\n• ") == 4
    assert "• no values: *–* (n=31) vs peers – (n=342)" in gap
    assert "top performers" not in gap


def test_assessment_shows_benchmarks_and_targets_beside_the_peers_escaped() -> None:
    external = [
        {"kind": "benchmark", "value": 0.4, "source": "<!here> Forecast", "scope": "workspace"},
        {"kind": "target", "value": 0.3, "source": "Sales Ops", "scope": "team"},
    ]
    win_rate = metric_evidence(
        "win rate", metric="win_rate", value=0.19, benchmark=0.35, external=external
    )
    gaps = [finding("discovery", 5e4, [win_rate], diagnosis="no_loss_reasons")]
    payload = check_message(render_assessment(make_assessment(gaps=gaps)))
    shown = " · benchmark 40% (&lt;!here&gt; Forecast) · target 30% (Sales Ops)"
    assert fields(payload)[0] == f"*Win rate*\n19% (peers 35%){shown} · 6/31 won"
    assert fields(payload)[1] == "*Average won deal*\n$158k (peers $184k)"  # none sent
    assert f"vs peers 35% (n=342), top performers 61%{shown}" in sections(payload)[1]


def test_team_empty() -> None:
    payload = check_message(render_team([]))
    assert payload["text"] == "Your team at a glance: 0 reps"
    assert headers(payload) == ["Your team at a glance"]
    assert contexts(payload) == [
        "As of Nov 20, 2026 · 0 reps · win rate over the last 90 days, peers in brackets"
    ]
    assert sections(payload)[0].startswith("Nobody reports to you in the CRM data coachbot has.")
    assert buttons(payload) == []


def test_team_several_reps() -> None:
    reps = [
        make_assessment(rep_id=6, name="Marcus Greene"),
        no_gaps(rep_id=7, name="Aisha Bello", direction="improving"),
        not_enough_data(rep_id=8, name="Lena Fischer"),
        make_assessment(rep_id=9, name="Liam Byrne", gaps=[default_gaps()[1]]),
    ]
    payload = check_message(render_team(reps))
    assert payload["text"] == "Your team at a glance: 4 reps"
    assert sections(payload) == [
        "*$361k a quarter at stake* across the team's credible gaps.",
        "*Marcus Greene* · 19% (35%) · steady · top gap: Stakeholder engagement ($361k/qtr)",
        "*Aisha Bello* · 19% (35%) · improving · no credible gaps",
        "*Lena Fischer* · not enough data yet (3 closed)",
        "*Liam Byrne* · 19% (35%) · steady · top gap: Process adherence",
    ]
    accessories = [b["accessory"] for b in payload["blocks"] if "accessory" in b]
    assert [a["action_id"] for a in accessories] == [Actions.OPEN_REP] * 4
    assert [a["value"] for a in accessories] == ["6", "7", "8", "9"]
    assert {a["text"]["text"] for a in accessories} == {"Open"}


def test_team_without_money_at_stake_has_no_stake_line() -> None:
    payload = check_message(render_team([no_gaps(), not_enough_data(rep_id=2)]))
    assert not any("at stake" in s for s in sections(payload))
    assert len(payload["blocks"]) == 4


def test_help_plain() -> None:
    payload = check_message(render_help(None))
    assert sections(payload)[0] == "Here is what I can do:"
    assert payload["text"] == "Here is what I can do: " + ", ".join(SUBCOMMANDS)
    lines = sections(payload)[1].split("\n")
    assert lines == [f"• `/coach {n}` — {d}" for n, d in SUBCOMMANDS.items()]
    assert buttons(payload) == []


def test_help_for_the_help_command_is_plain() -> None:
    assert render_help(parse("help")) == render_help(None)


def test_help_unknown_with_suggestion() -> None:
    command = parse("mee")
    assert command.suggestion == "me"
    payload = check_message(render_help(command))
    assert sections(payload)[0] == (
        "`mee` is not a coachbot command — did you mean `/coach me`? Here is what I can do:"
    )


def test_help_unknown_without_suggestion() -> None:
    payload = check_message(render_help(parse("xyzzy plugh")))
    assert sections(payload)[0] == "`xyzzy` is not a coachbot command. Here is what I can do:"


def test_help_not_understood() -> None:
    command = intent("what is the weather like")
    assert command.problem == "not_understood"
    payload = check_message(render_help(command))
    assert sections(payload)[0] == "I didn't catch that. Here is what I can do:"
    assert payload["text"].startswith("I didn't catch that. Here is what I can do: me, plan")


def test_notice() -> None:
    payload = check_message(render_notice(":lock: You can see your own numbers."))
    assert payload["text"] == ":lock: You can see your own numbers."
    assert sections(payload) == [":lock: You can see your own numbers."]


def test_unknown_user_without_workspace() -> None:
    payload = check_message(render_unknown_user(True, "ann@acme.example"))
    assert payload["text"].startswith("coachbot has no CRM data for this Slack workspace yet.")
    assert "ann@acme.example" not in all_text(payload)
    assert sections(payload) == [":wave: " + payload["text"]]


@pytest.mark.parametrize("email", ["ann@acme.example", None])
def test_unknown_user_in_a_workspace(email: str | None) -> None:
    payload = check_message(render_unknown_user(False, email))
    text = sections(payload)[0]
    assert text.startswith(":wave: I couldn't match your Slack account to anyone in the CRM data")
    if email:
        assert "(your Slack email is `ann@acme.example`)" in text
    else:
        assert "your Slack email" not in text


@pytest.mark.parametrize("is_admin", [True, False])
def test_import_help(is_admin: bool) -> None:
    payload = check_message(message("messages/import_help.json.j2", is_admin=is_admin))
    assert payload["text"] == "Importing CRM data"
    text = sections(payload)[0]
    assert text.startswith("*Importing CRM data*\n")
    assert ("Drop one or more CSV files" in text) is is_admin
    assert ("Imports are done by admins." in text) is not is_admin


def test_import_result_problems_beyond_those_shown() -> None:
    problems = [
        "deals.csv, row 4, column 'amount', value 'abc': a number",
        "people.csv, row 2, column 'email': an email address",
    ]
    payload = check_message(render_import_result(problems, 27, []))
    assert payload["text"] == "Import failed"
    assert sections(payload) == [
        ":x: *Nothing was imported*: 27 problems found."
        "\n• deals.csv, row 4, column 'amount', value 'abc': a number"
        "\n• people.csv, row 2, column 'email': an email address"
        "\n…and 25 more"
        "\nFix the files and drop them here again."
    ]


def test_import_result_all_problems_shown_has_no_more_line() -> None:
    payload = check_message(render_import_result(["a.csv: bad"], 1, []))
    assert "more" not in sections(payload)[0]


def test_import_result_success_with_reports() -> None:
    reports = [
        {"name": "people.csv", "kind": "people", "rows": 5, "created": 5, "updated": 0},
        {"name": "deals.csv", "kind": "deals", "rows": 1200, "created": 1190, "updated": 10},
    ]
    payload = check_message(render_import_result([], 0, reports))
    assert payload["text"] == "Import done"
    assert sections(payload) == [
        ":white_check_mark: *Imported.*"
        "\n• `people.csv`: 5 people rows (5 new, 0 updated)"
        "\n• `deals.csv`: 1200 deals rows (1190 new, 10 updated)"
    ]


def test_error() -> None:
    payload = check_message(message("messages/error.json.j2", reference="E-7f3a"))
    assert payload["text"] == "Something went wrong on coachbot's side"
    assert "(reference `E-7f3a`)" in sections(payload)[0]


@pytest.mark.parametrize("no_workspace", [True, False])
def test_home_unknown_user(no_workspace: bool) -> None:
    payload = check_view(render_home(known=False, no_workspace=no_workspace), "home")
    assert headers(payload) == ["coachbot"]
    assert len(payload["blocks"]) == 2
    expected = render_unknown_user(no_workspace)["text"]
    assert sections(payload) == [expected]
    assert buttons(payload) == []


def test_home_rep_with_assessment() -> None:
    payload = check_view(render_home(assessment=make_assessment()), "home")
    assert contexts(payload)[0] == (
        "Your numbers as of Nov 20, 2026 · deals closed in the last 90 days · only you, your"
        " managers and admins see them"
    )
    numbered = [s for s in sections(payload) if re.match(r"\d+\. \*", s)]
    assert len(numbered) == 1  # the Home tab shows the top gap only
    assert "…and 1 smaller gap." in contexts(payload)
    assert action_ids(payload) == [
        Actions.OPEN_MY_ASSESSMENT,
        Actions.SHOW_HELP,
        Actions.PAUSE_NUDGES,
        Actions.SET_MENTORING,
        Actions.SET_PEER_GROUPS,
    ]
    assert [b["text"]["text"] for b in buttons(payload)] == [
        "Full assessment in DM",
        "Help",
        "Pause weekly nudges",
        "Turn mentoring invitations off",
        "Turn peer groups off",
    ]
    assert buttons(payload)[0]["style"] == "primary"
    assert headers(payload) == ["coachbot", "Your settings"]


def test_home_shows_the_reps_next_action() -> None:
    focus = {"skill": "discovery", "action": "Write eight open questions.", "objective": None}
    payload = check_view(render_home(assessment=make_assessment(), focus=focus), "home")
    assert "*Your next action — discovery:* Write eight open questions." in sections(payload)


def test_home_rep_with_not_enough_data() -> None:
    payload = check_view(render_home(assessment=not_enough_data()), "home")
    assert sections(payload)[0].startswith(":seedling: *Not enough data yet.*")
    assert payload["blocks"][-1]["type"] == "actions"  # the settings come last


def test_home_known_without_assessment() -> None:
    payload = check_view(render_home(assessment=None), "home")
    assert sections(payload)[0] == (
        "There is no assessment for you: coachbot assesses active reps from the CRM data."
    )
    assert [b["type"] for b in payload["blocks"]][:3] == ["header", "section", "actions"]


def test_home_manager_with_team() -> None:
    team = [
        make_assessment(rep_id=6, name="Marcus Greene"),
        no_gaps(rep_id=7, name="Aisha Bello"),
        not_enough_data(rep_id=8, name="Lena Fischer"),
    ]
    payload = check_view(render_home(assessment=no_gaps(), team=team), "home")
    assert headers(payload) == ["coachbot", "Your settings", "Your team"]
    assert sections(payload)[-3:] == [
        "*Marcus Greene* · 19% (35%) · steady · Stakeholder engagement",
        "*Aisha Bello* · 19% (35%) · steady",
        "*Lena Fischer* · not enough data yet",
    ]
    rep_buttons = [b for b in buttons(payload) if b["action_id"] == Actions.OPEN_REP]
    assert [b["value"] for b in rep_buttons] == ["6", "7", "8"]


def test_home_of_a_manager_shows_the_team_first_and_no_rep_buttons() -> None:
    team = [make_assessment(rep_id=6, name="Marcus Greene"), no_gaps(rep_id=7, name="Aisha")]
    payload = check_view(render_home(assessment=None, team=team, is_rep=False), "home")
    assert headers(payload) == ["coachbot", "Your team", "Your settings"]
    assert sections(payload)[0] == "*Marcus Greene* · 19% (35%) · steady · Stakeholder engagement"
    assert "There is no assessment for you" not in all_text(payload)
    ids = action_ids(payload)
    assert Actions.OPEN_MY_ASSESSMENT not in ids and Actions.SET_MENTORING not in ids
    assert ids.count(Actions.OPEN_REP) == 2 and Actions.SHOW_HELP in ids
    # Their own setting is the Friday digest, not the reps' nudges.
    assert "Pause the Friday digest" in [b["text"]["text"] for b in buttons(payload)]
    assert "*Friday digest:* on, Fridays from 15:00 your time." in all_text(payload)
    paused = render_home(
        assessment=None, team=team, is_rep=False, settings={"paused_until": date(2027, 1, 4)}
    )
    assert "*Friday digest:* paused until Jan 4, 2027; it comes back by itself." in (
        sections(check_view(paused, "home"))
    )


def test_home_manager_with_empty_team() -> None:
    payload = check_view(render_home(assessment=None, team=[], is_rep=False), "home")
    assert headers(payload) == ["coachbot", "Your team", "Your settings"]
    assert sections(payload)[0] == "Nobody reports to you in the CRM data."


def test_home_settings_show_a_pause_until_and_switched_off_groups() -> None:
    settings = {"paused_until": date(2026, 12, 28), "mentoring": False, "peer_groups": False}
    payload = check_view(render_home(assessment=make_assessment(), settings=settings), "home")
    assert "*Weekly nudges:* paused until Dec 28, 2026; they come back by themselves." in (
        sections(payload)
    )
    [picker] = [o for o in walk(payload) if o.get("type") == "datepicker"]
    assert picker["initial_date"] == "2026-12-28"
    labels = [b["text"]["text"] for b in buttons(payload)]
    assert "Turn mentoring invitations on" in labels and "Turn peer groups on" in labels
    assert "*Mentoring invitations:* off · *Peer learning groups:* off" in sections(payload)


def test_home_nudges_paused_shows_resume() -> None:
    payload = check_view(render_home(assessment=make_assessment(), nudges_paused=True), "home")
    ids = action_ids(payload)
    assert Actions.RESUME_NUDGES in ids and Actions.PAUSE_NUDGES not in ids
    assert "Resume weekly nudges" in [b["text"]["text"] for b in buttons(payload)]


def test_feedback_modal() -> None:
    payload = check_view(render_modal(42, "Dana Scully"), "modal")
    assert payload["callback_id"] == Views.FEEDBACK
    assert payload["private_metadata"] == "42"
    for key in ("title", "submit", "close"):
        check_text(payload[key], {"plain_text"}, 24)
    assert sections(payload) == [
        "Feedback about *Dana Scully*. It feeds their skill assessment and appears in their reviews."
    ]
    inputs = {b["block_id"]: b for b in payload["blocks"] if b["type"] == "input"}
    assert set(inputs) == {
        Blocks.FEEDBACK_SKILL,
        Blocks.FEEDBACK_RATING,
        Blocks.FEEDBACK_SOURCE,
        Blocks.FEEDBACK_NOTE,
    }
    skill_options = inputs[Blocks.FEEDBACK_SKILL]["element"]["options"]
    assert [o["value"] for o in skill_options] == list(SKILLS)
    assert len(skill_options) == 8
    assert [o["text"]["text"] for o in skill_options] == [formats.skill(s) for s in SKILLS]
    ratings = inputs[Blocks.FEEDBACK_RATING]["element"]["options"]
    assert [o["value"] for o in ratings] == ["1", "2", "3", "4", "5"]
    assert ratings[0]["text"]["text"] == "1 — needs work"
    assert ratings[4]["text"]["text"] == "5 — excellent"
    source = inputs[Blocks.FEEDBACK_SOURCE]["element"]
    assert source["initial_option"] in source["options"]
    note = inputs[Blocks.FEEDBACK_NOTE]
    assert note["optional"] is True
    assert note["element"]["type"] == "plain_text_input" and note["element"]["max_length"] == 2000
    for block in inputs.values():
        for option in block["element"].get("options", []):
            check_text(option["text"], {"plain_text"}, 75)


# --- 2. escaping


def hostile_assessment(**overrides: Any) -> dict[str, Any]:
    gaps = [
        finding(
            "negotiation",
            50_000.0,
            [
                metric_evidence(
                    HOSTILE_LABEL,
                    metric=catalog.loss_reason_name(HOSTILE_REASON),
                    revenue_at_stake=5e4,
                ),
                feedback_evidence(notes=(HOSTILE_NOTE, "second note")),
            ],
        )
    ]
    return make_assessment(
        name=HOSTILE_NAME,
        team=HOSTILE_TEAM,
        gaps=gaps,
        loss_reasons={"<!here>_now": 2, "price": 1},
        competitors={"<!channel> & Co": 2, "<@U123>": 1},
        **overrides,
    )


@pytest.mark.parametrize("own", [True, False])
def test_assessment_escapes_crm_text(own: bool) -> None:
    payload = check_message(render_assessment(hostile_assessment(), own=own))
    assert_no_raw_controls(payload)
    assert HOSTILE_TEAM_ESCAPED in contexts(payload)[0]
    gap = sections(payload)[1]
    assert HOSTILE_LABEL_ESCAPED in gap
    assert f"_“{HOSTILE_NOTE_ESCAPED}”_" in gap
    assert contexts(payload)[1] == (
        "*Why deals were lost:* &lt;!here&gt; now 2, price 1"
        " · *competitors:* &lt;!channel&gt; &amp; Co 2, &lt;@U123&gt; 1"
    )
    if not own:
        assert payload["text"] == f"{HOSTILE_NAME_ESCAPED} — coaching snapshot, as of Nov 20, 2026"


def test_assessment_header_shows_the_name_as_plain_text() -> None:
    """plain_text is not parsed for mentions, so the name is shown as typed, not as entities."""
    payload = render_assessment(hostile_assessment(), own=False)
    header = payload["blocks"][0]
    assert header["text"] == {
        "type": "plain_text",
        "text": f"{HOSTILE_NAME} — coaching snapshot",
        "emoji": True,
    }


def test_not_enough_data_escapes_the_name() -> None:
    payload = check_message(render_assessment(not_enough_data(name=HOSTILE_NAME), own=False))
    assert_no_raw_controls(payload)
    assert f"*Not enough data yet.* {HOSTILE_NAME_ESCAPED} has 3" in sections(payload)[0]


def test_team_escapes_rep_names() -> None:
    reps = [
        make_assessment(rep_id=1, name=HOSTILE_NAME),
        not_enough_data(rep_id=2, name="<!here>"),
        no_gaps(rep_id=3, name="<!everyone>"),
    ]
    payload = check_message(render_team(reps))
    assert_no_raw_controls(payload)
    text = sections(payload)
    assert text[1].startswith(f"*{HOSTILE_NAME_ESCAPED}* · ")
    assert text[2].startswith("*&lt;!here&gt;* · not enough data yet")
    assert text[3].startswith("*&lt;!everyone&gt;* · ")


def test_home_escapes_team_names_and_notes() -> None:
    own = hostile_assessment()
    team = [make_assessment(rep_id=1, name=HOSTILE_NAME), not_enough_data(rep_id=2, name="<!here>")]
    payload = check_view(render_home(assessment=own, team=team), "home")
    assert_no_raw_controls(payload)
    text = "\n".join(sections(payload))
    assert HOSTILE_NOTE_ESCAPED in text
    assert HOSTILE_LABEL_ESCAPED in text
    assert f"*{HOSTILE_NAME_ESCAPED}* · " in text
    assert "*&lt;!here&gt;* · not enough data yet" in text


def test_home_not_enough_data_escapes_the_name() -> None:
    payload = check_view(render_home(assessment=not_enough_data(name=HOSTILE_NAME)), "home")
    assert_no_raw_controls(payload)


def test_feedback_modal_escapes_the_name() -> None:
    payload = check_view(render_modal(7, HOSTILE_NAME), "modal")
    assert_no_raw_controls(payload)
    assert sections(payload)[0].startswith(f"Feedback about *{HOSTILE_NAME_ESCAPED}*.")
    assert payload["private_metadata"] == "7"


def test_import_result_escapes_problems_and_file_names() -> None:
    failed = render_import_result(
        ["deals.csv, row 3, column 'account', value '<!everyone> Corp & Co': a known account"],
        3,
        [],
    )
    check_message(failed)
    assert_no_raw_controls(failed)
    assert "value '&lt;!everyone&gt; Corp &amp; Co'" in sections(failed)[0]
    done = render_import_result(
        [], 0, [{"name": "<!channel>.csv", "kind": "deals", "rows": 1, "created": 1, "updated": 0}]
    )
    check_message(done)
    assert_no_raw_controls(done)
    assert "`&lt;!channel&gt;.csv`" in sections(done)[0]


def test_help_escapes_the_unknown_command() -> None:
    payload = check_message(render_help(parse("<!channel> please")))
    assert_no_raw_controls(payload)
    assert sections(payload)[0].startswith("`&lt;!channel&gt;` is not a coachbot command")
    assert payload["text"].startswith("`&lt;!channel&gt;` is not a coachbot command")


def test_unknown_user_escapes_the_email() -> None:
    payload = check_message(render_unknown_user(False, "<!here>@acme.example"))
    assert_no_raw_controls(payload)
    assert "`&lt;!here&gt;@acme.example`" in sections(payload)[0]


def test_error_escapes_the_reference() -> None:
    payload = check_message(message("messages/error.json.j2", reference="<@U123>"))
    assert_no_raw_controls(payload)
    assert "`&lt;@U123&gt;`" in sections(payload)[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        (42, "42"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),  # & first, so existing entities are shown, not interpreted
        ("<!channel> & <@U123>", HOSTILE_NAME_ESCAPED),
        ("*bold* _it_ `code`", "*bold* _it_ `code`"),
    ],
)
def test_escape_mrkdwn(value: Any, expected: str) -> None:
    assert escape_mrkdwn(value) == expected


@pytest.mark.parametrize("typed", ["rep <!channel>", "feedback <!here>", "roleplay <!everyone>"])
def test_notice_about_a_mistyped_argument_escapes_what_was_typed(typed: str) -> None:
    command = parse(typed)
    assert command.problem
    assert_no_raw_controls(render_notice(command.problem))


JSON_BREAKERS = [
    'Zoë "Z" O\'Brien \\ back\\slash',
    "line one\nline two\r\n\ttabbed",
    "emoji 🚀🔥👩🏽‍💼 CJK 営業部 RTL مرحبا",
    "separators \u2028 and \u2029, control \x01\x1f",
    '{{ not_jinja }} {% raw %} }}, "]}, {"type": "divider"}',
    "trailing backslash \\",
]


@pytest.mark.parametrize("text", JSON_BREAKERS)
def test_json_breaking_text_renders_intact(text: str) -> None:
    assessment = make_assessment(
        name=text,
        team=text,
        gaps=[finding("discovery", 2e4, [metric_evidence(text), feedback_evidence(notes=(text,))])],
    )
    for own in (True, False):
        payload = check_message(render_assessment(assessment, own=own))
        assert text in contexts(payload)[0]
        assert f"• {text}: *12%*" in sections(payload)[1]
        assert f"_“{text}”_" in sections(payload)[1]
    assert headers(render_assessment(assessment, own=False))[0] == f"{text} — coaching snapshot"
    assert f"*{text}* · " in sections(check_message(render_team([assessment])))[1]
    assert f"*{text}* · " in sections(check_view(render_home(team=[assessment]), "home"))[-1]
    assert f"Feedback about *{text}*." in sections(check_view(render_modal(1, text), "modal"))[0]
    result = check_message(render_import_result([text], 1, []))
    assert f"\n• {text}\n" in sections(result)[0]
    assert text in sections(check_message(message("messages/error.json.j2", reference=text)))[0]
    assert sections(check_message(render_notice(text))) == [text]


# --- 3. Slack's limits, after parsing


def test_team_of_80_reps_is_cut_to_50_blocks_with_the_right_count() -> None:
    payload = check_message(render_team(team_of(80)))
    assert len(payload["blocks"]) == limits.MESSAGE_BLOCKS
    shown = action_ids(payload).count(Actions.OPEN_REP)
    assert shown == 46  # header, context, stake line, 46 reps, note
    assert more_note(payload) == 80 - shown == 34
    assert payload["text"] == "Your team at a glance: 80 reps"


def test_team_of_48_reps_fits_without_a_note() -> None:
    reps = [no_gaps(rep_id=i, name=f"R{i}") for i in range(48)]
    payload = check_message(render_team(reps))
    assert len(payload["blocks"]) == 50
    assert action_ids(payload).count(Actions.OPEN_REP) == 48


def test_home_of_manager_with_150_reports_stays_within_100_blocks() -> None:
    payload = check_view(render_home(assessment=make_assessment(), team=team_of(150)), "home")
    assert len(payload["blocks"]) == limits.VIEW_BLOCKS
    shown = action_ids(payload).count(Actions.OPEN_REP)
    assert more_note(payload) == 150 - shown
    assert Actions.OPEN_MY_ASSESSMENT in action_ids(payload)  # the actions are not cut


def test_huge_feedback_note_is_cut_to_3000_characters() -> None:
    note = "They talked over the customer. " * 300
    gaps = [finding("discovery", 3e4, [feedback_evidence("discovery", notes=(note,))])]
    for payload in (
        check_message(render_assessment(make_assessment(gaps=gaps))),
        check_view(render_home(assessment=make_assessment(gaps=gaps)), "home"),
    ):
        gap = next(s for s in sections(payload) if s.startswith("1. *Discovery*"))
        assert len(gap) == limits.SECTION_TEXT
        assert gap.endswith("…")


def test_long_name_in_header_is_cut_to_150_characters() -> None:
    name = "Bartholomew " * 20
    payload = check_message(render_assessment(make_assessment(name=name), own=False))
    header = headers(payload)[0]
    assert len(header) == limits.HEADER_TEXT and header.endswith("…")
    assert header.startswith("Bartholomew Bartholomew")


def test_fallback_text_is_cut_to_3000_characters() -> None:
    payload = check_message(render_notice("x" * 5000))
    assert len(payload["text"]) == limits.FALLBACK_TEXT and payload["text"].endswith("…")
    assert len(sections(payload)[0]) == limits.SECTION_TEXT
    long_name = check_message(render_assessment(make_assessment(name="N" * 4000), own=False))
    assert len(long_name["text"]) == limits.FALLBACK_TEXT


def test_long_unknown_command_stays_within_limits() -> None:
    check_message(render_help(parse("x" * 5000)))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("", 5, ""),
        ("abc", 5, "abc"),
        ("abcde", 5, "abcde"),
        ("abcdef", 5, "abcd…"),
        ("a" * 200, 150, "a" * 149 + "…"),
        ("🚀🚀🚀", 2, "🚀…"),
    ],
)
def test_cut(text: str, limit: int, expected: str) -> None:
    result = cut(text, limit)
    assert result == expected
    assert len(result) <= limit


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_fit_blocks_under_the_limit_is_unchanged() -> None:
    blocks = [_section(str(i)) for i in range(50)]
    assert fit_blocks([dict(b) for b in blocks], 50) == blocks
    assert fit_blocks([], 50) == []


def test_fit_blocks_over_the_limit_keeps_limit_minus_one_and_says_how_many() -> None:
    blocks = [_section(str(i)) for i in range(51)]
    fitted = fit_blocks(blocks, 50)
    assert len(fitted) == 50
    assert fitted[:49] == [_section(str(i)) for i in range(49)]
    assert fitted[-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "…and 2 more"}],
    }
    assert more_note({"blocks": fit_blocks([_section("x")] * 250, 100)}) == 151


def test_fit_blocks_fits_every_block() -> None:
    fitted = fit_blocks([_section("y" * 4000), {"type": "divider"}], 50)
    assert len(fitted[0]["text"]["text"]) == 3000
    assert fitted[1] == {"type": "divider"}


def test_fit_block_section_text_and_header() -> None:
    assert fit_block(_section("s" * 3001))["text"]["text"] == "s" * 2999 + "…"
    assert fit_block(_section("s" * 3000))["text"]["text"] == "s" * 3000
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    assert fit_block(header)["text"]["text"] == "h" * 149 + "…"


@pytest.mark.parametrize(("count", "kept_original"), [(10, 10), (11, 9), (13, 9), (30, 9)])
def test_fit_block_cuts_fields_to_ten_saying_how_many_more(count: int, kept_original: int) -> None:
    block = {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": f"f{i}"} for i in range(count)],
    }
    result = fit_block(block)["fields"]
    assert len(result) == min(count, limits.FIELDS)
    assert [f["text"] for f in result[:kept_original]] == [f"f{i}" for i in range(kept_original)]
    if count > limits.FIELDS:
        assert result[-1] == {"type": "mrkdwn", "text": f"…and {count - kept_original} more"}


def test_fit_block_cuts_field_text_to_2000() -> None:
    block = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2500}]}
    assert len(fit_block(block)["fields"][0]["text"]) == limits.FIELD_TEXT


def test_fit_block_cuts_button_text_to_75() -> None:
    def button(label: str) -> dict[str, Any]:
        text = {"type": "plain_text", "text": label}
        return {"type": "button", "text": text, "action_id": Actions.OPEN_REP, "value": "1"}

    actions = fit_block({"type": "actions", "elements": [button("b" * 100), button("ok")]})
    assert [len(e["text"]["text"]) for e in actions["elements"]] == [75, 2]
    assert actions["elements"][0]["text"]["text"].endswith("…")
    accessory = fit_block({**_section("x"), "accessory": button("c" * 76)})["accessory"]
    assert len(accessory["text"]["text"]) == limits.BUTTON_TEXT


def test_fit_block_caps_context_and_action_elements() -> None:
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 3500}] * 12}
    fitted = fit_block(context)
    assert len(fitted["elements"]) == limits.CONTEXT_ELEMENTS
    assert len(fitted["elements"][0]["text"]) == limits.SECTION_TEXT
    button = {"type": "button", "text": {"type": "plain_text", "text": "b"}, "action_id": "a"}
    assert len(fit_block({"type": "actions", "elements": [button] * 30})["elements"]) == 25


def test_fit_block_leaves_other_blocks_alone() -> None:
    for block in (
        {"type": "divider"},
        {"type": "header"},
        {"type": "section"},
        {"type": "input", "label": {"type": "plain_text", "text": "l" * 5000}},
        {"type": "section", "accessory": {"type": "image", "image_url": "u", "alt_text": "a"}},
    ):
        assert fit_block(json.loads(json.dumps(block))) == block


# --- 4. failure modes


def rebound(folder: Path) -> dict[str, Any]:
    """The renderer's own `_parse`, `message` and `view` code, reading templates from `folder`.

    The renderer has no seam for another templates folder (`message`/`view`/`_parse` always
    use `environment()` with the default folder), so this runs the same function code with
    a `render_text` that uses `environment(folder)`, without changing anything in coachbot.
    """
    env = environment(folder)
    namespace = dict(vars(renderer))
    namespace["render_text"] = lambda template, **context: env.get_template(template).render(
        **context
    )
    for name in ("_parse", "message", "view"):
        original = getattr(renderer, name)
        namespace[name] = types.FunctionType(original.__code__, namespace, name)
    return namespace


def test_invalid_json_raises_template_error_naming_the_template(tmp_path: Path) -> None:
    (tmp_path / "broken.json.j2").write_text('{"text": "{{ name }}", "blocks": []}')
    fns = rebound(tmp_path)
    assert fns["message"]("broken.json.j2", name="fine")["text"] == "fine"
    with pytest.raises(TemplateError, match=r"broken\.json\.j2 did not render to valid JSON"):
        fns["message"]("broken.json.j2", name='say "hi"')
    (tmp_path / "trailing.json.j2").write_text('{"type": "home", "blocks": [{"type": "divider"},]}')
    with pytest.raises(TemplateError, match=r"trailing\.json\.j2"):
        fns["view"]("trailing.json.j2")


def test_a_template_must_render_an_object(tmp_path: Path) -> None:
    (tmp_path / "list.json.j2").write_text("[{{ 1 | tojson }}]")
    with pytest.raises(TemplateError, match=r"list\.json\.j2 must render to a JSON object"):
        rebound(tmp_path)["message"]("list.json.j2")


@pytest.mark.parametrize("body", ['{"blocks": []}', '{"text": "  ", "blocks": []}', '{"text": 3}'])
def test_a_message_without_text_raises(tmp_path: Path, body: str) -> None:
    (tmp_path / "silent.json.j2").write_text(body)
    with pytest.raises(TemplateError, match=r"silent\.json\.j2 needs a non-empty 'text'"):
        rebound(tmp_path)["message"]("silent.json.j2")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_real_message_without_text_raises(text: str) -> None:
    with pytest.raises(TemplateError, match="needs a non-empty 'text'"):
        render_notice(text)


def test_a_view_that_is_not_home_or_modal_raises(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="must render a view of type home or modal"):
        view("messages/notice.json.j2", text="hello")
    (tmp_path / "workflow.json.j2").write_text('{"type": "workflow_step", "blocks": []}')
    with pytest.raises(TemplateError, match=r"workflow\.json\.j2 must render a view"):
        rebound(tmp_path)["view"]("workflow.json.j2")


def test_the_tmp_environment_is_configured_like_the_real_one(tmp_path: Path) -> None:
    (tmp_path / "ok.json.j2").write_text(
        '{"type": "modal", "callback_id": {{ ids.views.FEEDBACK | tojson }},\n'
        '"title": {"type": "plain_text", "text": "Feedback"},\n'
        '{% if true %}\n  "blocks": [{"type": "section", "text": {"type": "mrkdwn", '
        '"text": {{ (name | mrkdwn ~ " " ~ (x | money)) | tojson }}}}]\n{% endif %}\n}'
    )
    payload = rebound(tmp_path)["view"]("ok.json.j2", name="<!here>", x=12_345)
    assert payload["callback_id"] == Views.FEEDBACK
    assert payload["blocks"][0]["text"]["text"] == "&lt;!here&gt; $12k"
    env = environment(tmp_path)
    assert env.undefined is StrictUndefined and env.autoescape is False
    assert environment() is environment()  # cached: templates are compiled once


MISSING = [
    ("messages/error.json.j2", {}),
    ("messages/help.json.j2", {"commands": SUBCOMMANDS, "unknown": None, "suggestion": None}),
    ("messages/import_help.json.j2", {}),
    ("messages/import_result.json.j2", {"problems": [], "total": 0}),
    ("messages/unknown_user.json.j2", {"no_workspace": False}),
    ("messages/team.json.j2", {"reps": [], "as_of": AS_OF, "total_at_stake": 0}),
    ("messages/assessment.json.j2", {"assessment": not_enough_data(), "own": True, "max_gaps": 3}),
    ("messages/assessment.json.j2", {"min_closed": 10, "own": True, "max_gaps": 3}),
    (
        "messages/assessment.json.j2",
        {"assessment": make_assessment(), "min_closed": 10, "max_gaps": 3},
    ),
]


@pytest.mark.parametrize(("template", "context"), MISSING)
def test_a_missing_context_variable_raises(template: str, context: dict[str, Any]) -> None:
    with pytest.raises(UndefinedError):
        message(template, **context)


@pytest.mark.parametrize(
    "context",
    [
        {"known": True, "assessment": None, "team": None},
        {"known": True, "assessment": not_enough_data(), "team": None, "nudges_paused": False},
        {"known": True, "assessment": None, "nudges_paused": False},
        {"about_id": 1, "skills": SKILLS},
        {"about_name": "Dana", "skills": SKILLS},
        {"about_id": 1, "about_name": "Dana"},
    ],
)
def test_a_missing_view_variable_raises(context: dict[str, Any]) -> None:
    template = "views/feedback_modal.json.j2" if "known" not in context else "views/home.json.j2"
    with pytest.raises(UndefinedError):
        view(template, **context)


@pytest.mark.parametrize(
    "render",
    [
        lambda: message("messages/notice.json.j2"),
        lambda: view("views/home.json.j2", known=False),
    ],
)
def test_a_missing_variable_passed_straight_to_tojson_raises(render: Any) -> None:
    # json.dumps(StrictUndefined) raises TypeError, not UndefinedError: loud, but the error
    # does not name the variable.
    with pytest.raises((UndefinedError, TypeError)):
        render()


def test_a_missing_max_gaps_raises() -> None:
    # a.gaps[:max_gaps] with StrictUndefined: TypeError (slice indices), not UndefinedError.
    with pytest.raises((UndefinedError, TypeError)):
        message(
            "messages/assessment.json.j2", assessment=make_assessment(), own=True, min_closed=10
        )


@pytest.mark.parametrize("surface", ["message", "home"])
def test_a_snapshot_stored_before_loss_reasons_still_renders(surface: str) -> None:
    payload = make_assessment()
    del payload["loss_reasons"], payload["competitors"]
    if surface == "message":
        check_message(render_assessment(payload))
    else:
        check_view(render_home(assessment=payload), "home")


@pytest.mark.parametrize(
    "drop",
    [
        ("headline", "open_pipeline"),
        ("headline", "win_rate"),
        ("trend", "direction"),
        (None, "window_days"),
        (None, "gaps"),
        (None, "team"),
    ],
)
def test_a_payload_missing_a_key_raises(drop: tuple[str | None, str]) -> None:
    payload = make_assessment()
    parent, key = drop
    del (payload[parent] if parent else payload)[key]
    with pytest.raises(UndefinedError):
        render_assessment(payload, own=False)


@pytest.mark.parametrize("where", ["team", "assessment"])
def test_a_missing_as_of_raises(where: str) -> None:
    with pytest.raises(UndefinedError):
        if where == "team":
            message("messages/team.json.j2", reps=[], window_days=90, total_at_stake=0)
        else:
            payload = make_assessment()
            del payload["as_of"]
            render_assessment(payload)


# --- 5. formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0%"),
        (0.1935, "19%"),
        (0.348, "35%"),
        (1.0, "100%"),
        (0.004, "0%"),
        (1.5, "150%"),
        (1, "100%"),
    ],
)
def test_pct(value: float, expected: str) -> None:
    assert pct(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "$0"),
        (950, "$950"),
        (9_999.4, "$9,999"),
        (10_000, "$10k"),
        (36_000.0, "$36k"),
        (158_166.6667, "$158k"),
        (360_983.0, "$361k"),
        (1_000_000, "$1.0M"),
        (5_076_000.0, "$5.1M"),
        (7_177_000.0, "$7.2M"),
        (12_345_678, "$12.3M"),
        ("2500", "$2,500"),
    ],
)
def test_money(value: Any, expected: str) -> None:
    assert money(value) == expected


@pytest.mark.parametrize("value", [999_500, 999_999])
def test_money_just_under_a_million(value: float) -> None:
    assert money(value) == "$1.0M"


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(1234.56, 1, "1,234.6"), (1234.56, 0, "1,235"), (0, 2, "0.00"), ("3.14159", 3, "3.142")],
)
def test_number(value: Any, digits: int, expected: str) -> None:
    assert number(value, digits) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.4567, "pct", "46%"),
        (158_166.67, "money", "$158k"),
        (92.8151, "days", "93 days"),
        (12.8679, "per_week", "12.9/wk"),
        (3.14, "points", "3.1 pts"),
        (4.6, "rating", "4.6/5"),
        (1234.56, "count", "1,234.6"),
        (7, "", "7.0"),
    ],
)
def test_value_in(value: float, unit: str, expected: str) -> None:
    assert value_in(value, unit) == expected


def test_value_in_covers_every_catalog_unit() -> None:
    units = {m.unit for m in catalog.BASE_METRICS}
    units |= {catalog.conversion_metric("a", "b").unit, catalog.loss_reason_metric("x").unit}
    units.add("rating")  # feedback evidence (bot/coaching/findings.py)
    for unit in units:
        shown = value_in(2.5, unit)
        assert shown != number(2.5), f"unit {unit!r} has no format of its own"


@pytest.mark.parametrize("missing", [None, float("nan")])
@pytest.mark.parametrize("fmt", [pct, money, number, day])
def test_missing_values_are_a_dash(fmt: Any, missing: Any) -> None:
    assert fmt(missing) == DASH


@pytest.mark.parametrize("missing", [None, float("nan"), math.nan])
@pytest.mark.parametrize("unit", ["pct", "money", "days", "per_week", "points", "rating", "other"])
def test_value_in_missing_is_a_dash(unit: str, missing: Any) -> None:
    assert value_in(missing, unit) == DASH


def test_skill_labels() -> None:
    labels = [skill(s) for s in SKILLS]
    assert labels == [
        "Discovery",
        "Qualification",
        "Value articulation",
        "Negotiation",
        "Stakeholder engagement",
        "Objection handling",
        "Process adherence",
        "Prospecting",
    ]
    assert skill("cold_calling") == "cold calling"


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("improving", "improving"),
        ("declining", "declining"),
        ("stagnant", "steady"),
        ("not_enough_data", "not enough data yet"),
        ("sideways", "sideways"),
    ],
)
def test_trend(direction: str, expected: str) -> None:
    assert trend(direction) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 5), "Nov 5, 2026"),
        ("2026-11-20", "Nov 20, 2026"),
        (datetime(2026, 1, 31, 23, 59), "Jan 31, 2026"),
        (None, DASH),
        (float("nan"), DASH),
    ],
)
def test_day(value: Any, expected: str) -> None:
    assert day(value) == expected


def test_the_filters_are_the_ones_templates_use() -> None:
    env = environment()
    for name in ("pct", "money", "number", "value_in", "skill", "trend", "day", "mrkdwn", "tojson"):
        assert name in env.filters
    assert env.globals["ids"].actions.OPEN_REP == Actions.OPEN_REP
    assert env.globals["ids"].blocks.FEEDBACK_NOTE == Blocks.FEEDBACK_NOTE


@pytest.mark.parametrize(
    ("reason", "said"),
    [("gap", "most revenue at stake"), ("strength", "one of your strengths"), ("basics", "yet")],
)
def test_the_nudge_says_why_this_skill_truthfully(reason: str, said: str) -> None:
    payload = check_message(
        message(
            "messages/nudge.json.j2",
            onboarding=False,
            skill="discovery",
            action="Ask three questions",
            objective=None,
            reason=reason,
            before=None,
            now=0.3,
            change=None,
        )
    )
    why = [t for t in contexts(payload) if t.startswith("This is your first weekly focus.")]
    assert len(why) == 1 and said in why[0]
