"""`coachbot doctor` and `coachbot keygen`: the commands that run before the settings load,
because they are how one finds and fixes bad settings."""

from __future__ import annotations

from bot.cli.common import EXIT_PROBLEM, Subcommands
from bot.clock import SystemClock


def add_doctor(commands: Subcommands) -> None:
    doctor = commands.add_parser(
        "doctor", help="check the setup: settings, database, Slack, data, worker, people"
    )
    # Before settings: it reports bad settings as problems.
    doctor.set_defaults(before_settings=run_doctor)


def add_keygen(commands: Subcommands) -> None:
    keygen = commands.add_parser(
        "keygen", help="print a new key for COACHBOT_TOKEN_KEYS (encrypts workspace tokens)"
    )
    # Before settings: it is how one fixes a missing key.
    keygen.set_defaults(before_settings=run_keygen)


def run_keygen() -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
    return 0


def run_doctor() -> int:
    import os

    from bot.doctor import diagnose, failed

    findings = diagnose(os.environ, SystemClock().now())
    for finding in findings:
        print(finding)
    if failed(findings):
        problems = sum(1 for f in findings if f.status == "problem")
        print(
            f"\n{problems} problem{'s' if problems != 1 else ''} to fix before coachbot can coach."
        )
        return EXIT_PROBLEM
    print("\ncoachbot is ready.")
    return 0
