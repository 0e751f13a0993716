"""The demo org's people: who was hired when, and their rows in people.csv."""

from __future__ import annotations

from datetime import date, timedelta

from bot.demo import patterns as pat
from bot.demo.patterns import RepProfile, email_for
from bot.demo.world import Row, World


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def hire_dates(profiles: list[RepProfile], world: World) -> dict[str, date]:
    hires = {pat.VP_NAME: date(2019, 3, 4), pat.ADMIN_NAME: date(2020, 6, 1)}
    for team in pat.TEAMS:
        hires[team.manager] = _monday(world.start - timedelta(days=world.rng.randint(900, 2400)))
    for rep in profiles:
        if rep.pattern == "new_hire":
            hires[rep.name] = _monday(world.as_of - timedelta(days=39))  # 5-6 weeks in
        elif rep.pattern == "improving":
            hires[rep.name] = _monday(world.start - timedelta(days=45))  # ramping all year
        else:  # before the warm-up, so every deal history is complete; stars are veterans
            veteran = rep.pattern in ("top_performer", "declining")
            days = world.rng.randint(1100 if veteran else 200, 2500)
            hires[rep.name] = _monday(world.start - timedelta(days=days))
    return hires


def people_rows(profiles: list[RepProfile], hires: dict[str, date]) -> list[Row]:
    vp, east = email_for(pat.VP_NAME), "America/New_York"
    people = [
        (pat.ADMIN_NAME, "admin", vp, "", "", east),
        (pat.VP_NAME, "manager", "", "", "", east),
    ]
    for team in pat.TEAMS:
        people.append((team.manager, "manager", vp, team.name, team.segment, team.timezone))
    for rep in profiles:
        manager = email_for(rep.team.manager)
        people.append((rep.name, "rep", manager, rep.team.name, rep.team.segment, rep.timezone))
    return [
        {
            "email": email_for(name),
            "name": name,
            "role": role,
            "manager_email": manager,
            "team": team,
            "region": "EMEA" if tz == pat.LONDON else "NA",
            "segment": segment,
            "timezone": tz,
            "slack_user_id": f"U0DEMO{number:03d}",
            "hire_date": hires[name].isoformat(),
            "active": "true",
        }
        for number, (name, role, manager, team, segment, tz) in enumerate(people, 1)
    ]
