"""Slash commands."""

from slack_bolt import App

from handlers.commands.coach import coach_command


def register(app: App) -> None:
    app.command("/coach")(coach_command)
