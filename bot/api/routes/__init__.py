"""The API's routes by area; each module's blueprint is registered by bot/api/app.py."""

from __future__ import annotations

from bot.api.routes import (
    assessments,
    benchmarks,
    coaching_requests,
    development,
    effectiveness,
    plans,
    playbooks,
    records,
    skills,
)

BLUEPRINTS = [
    assessments.blueprint,
    development.blueprint,
    plans.blueprint,
    effectiveness.blueprint,
    skills.blueprint,
    playbooks.blueprint,
    records.blueprint,
    benchmarks.blueprint,
    coaching_requests.blueprint,
]
