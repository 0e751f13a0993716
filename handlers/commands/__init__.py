"""Slash commands."""

from slack_bolt import App

from bot.slack.slots import WorkSlots
from handlers.commands.coach import coach_command


def register(app: App, slots: WorkSlots) -> None:
    app.command("/coach")(slots.gate(coach_command))
