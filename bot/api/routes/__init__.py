"""The API's routes by area; each module's blueprint is registered by bot/api/app.py."""

from __future__ import annotations

from bot.api.routes import assessments, benchmarks

BLUEPRINTS = [assessments.blueprint, benchmarks.blueprint]
