"""Playbooks: for one skill, what the reps who are strong in it do differently from everyone
else, quantified from the CRM data, with recorded wins to listen to and the enablement team's
tips and exercise.

Every number is pooled per group (the top performers, and all other active reps) over the
closed deals of the window, or over the group's reps for per-week figures, so no individual
rep can be read off a playbook. Pure: frames, assessment payloads and `today` in, a Playbook
out (the renderer writes its Markdown and its Slack message).

frames.py prepares the data, measures.py holds the measures, behaviours.py the table of what
is compared per skill (its rows are specs.py's Spec), selection.py chooses the top group and
the behaviours shown, exemplars.py the recorded wins, playbook.py puts them together.
"""

from bot.coaching.playbooks.model import (
    SELECTED_BY_STRENGTH,
    SELECTED_BY_WIN_RATE,
    Behaviour,
    ExemplarCall,
    Playbook,
)
from bot.coaching.playbooks.playbook import DEFAULT_WINDOW_DAYS, build_playbook
from bot.coaching.playbooks.selection import SIMILAR_NOTE, top_performers

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "SELECTED_BY_STRENGTH",
    "SELECTED_BY_WIN_RATE",
    "SIMILAR_NOTE",
    "Behaviour",
    "ExemplarCall",
    "Playbook",
    "build_playbook",
    "top_performers",
]
