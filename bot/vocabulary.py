"""The fixed words coachbot uses in data, output and tests: one place for each."""

from __future__ import annotations

SKILLS: tuple[str, ...] = (
    "discovery",
    "qualification",
    "value_articulation",
    "negotiation",
    "stakeholder_engagement",
    "objection_handling",
    "process_adherence",
    "prospecting",
)

# Default pipeline order; a deployment may configure its own (COACHBOT_STAGES).
DEFAULT_STAGES: tuple[str, ...] = (
    "prospecting",
    "discovery",
    "qualification",
    "proposal",
    "negotiation",
)

OUTCOMES: tuple[str, ...] = ("won", "lost", "open")
CLOSED_OUTCOMES: tuple[str, ...] = ("won", "lost")
ROLES: tuple[str, ...] = ("rep", "manager", "admin")
ACTIVITY_KINDS: tuple[str, ...] = ("call", "email", "meeting", "demo")
FEEDBACK_SOURCES: tuple[str, ...] = ("manager", "customer", "peer")

# Loss reasons that skill inference understands; other text is kept as written.
LOSS_REASONS: tuple[str, ...] = (
    "price",
    "no_decision",
    "competitor",
    "timing",
    "no_budget",
    "lost_champion",
    "product_fit",
)

RECORD_KINDS: tuple[str, ...] = ("people", "deals", "stage_history", "activities", "feedback")

# The API's words (docs/api.md).
API_SCOPES: tuple[str, ...] = ("read", "write")  # a write key may also read
BENCHMARK_KINDS: tuple[str, ...] = ("benchmark", "target")
BENCHMARK_SCOPES: tuple[str, ...] = ("workspace", "team", "segment")
COACHING_REQUEST_STATUSES: tuple[str, ...] = ("pending", "delivered", "undeliverable")
WEBHOOK_DELIVERY_STATUSES: tuple[str, ...] = ("pending", "delivered", "failed")
WEBHOOK_EVENTS: tuple[str, ...] = (
    "assessment.updated",
    "plan.approved",
    "checkpoint.decided",
    "coaching_request.received",
)


def plural(count: int | float, noun: str, many: str | None = None) -> str:
    """ "1 closed deal", "3 closed deals": never "deal(s)"."""
    n = int(count)
    return f"{n} {noun if n == 1 else (many or noun + 's')}"
