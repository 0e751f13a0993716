"""Bad input never half-imports: each kind of mistake is named (file, row, column, value,
what was expected) and the database is exactly as it was before."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.problems import ImportRejected
from tests.helpers import run, snapshot, write, write_org

DEAL_HEADER = "external_id,owner,amount,created_on,closed_on,furthest_stage,outcome\n"
GOOD_DEAL = "D-9,ann@acme.example,1000,2026-01-01,2026-02-01,proposal,won\n"


@pytest.fixture
def loaded(db, settings, clock, tmp_path: Path):
    """A database holding the small test org, and a function that runs a rejected import."""
    run(db, settings, clock, *write_org(tmp_path))
    before = snapshot(db)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()

    def rejected(files: dict[str, str | bytes | None], **options) -> list[str]:
        """Import `files` (None: a path that does not exist) and return the problems shown."""
        paths = [
            bad_dir / name if content is None else write(bad_dir, name, content)
            for name, content in files.items()
        ]
        with pytest.raises(ImportRejected) as caught:
            run(db, settings, clock, *paths, **options)
        assert snapshot(db) == before, "a rejected import changed the database"
        return [str(p) for p in caught.value.log.shown]

    return rejected


CASES = {
    "missing required column": (
        {"d.csv": "external_id,owner,created_on,outcome\nD-9,ann@acme.example,2026-01-01,open\n"},
        "d.csv, row 1, column 'amount': missing: deals files need external_id, owner, amount, created_on",
    ),
    "unknown stage": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,1000,2026-01-01,,closing,open\n"},
        "d.csv, row 2, column 'furthest_stage', value 'closing': expected a pipeline stage: one of prospecting, discovery, qualification, proposal, negotiation",
    ),
    "unknown outcome": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,1000,2026-01-01,,proposal,pending\n"},
        "d.csv, row 2, column 'outcome', value 'pending': expected an outcome: one of won, lost, open",
    ),
    "unparsable date": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,1000,01/13/2026,,proposal,open\n"},
        "d.csv, row 2, column 'created_on', value '01/13/2026': expected a date like 2026-03-14",
    ),
    "unparsable amount": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,12k,2026-01-01,,proposal,open\n"},
        "d.csv, row 2, column 'amount', value '12k': expected an amount like 12500 or 12,500.00",
    ),
    "close before create": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,1000,2026-03-01,2026-02-01,proposal,lost\n"},
        "d.csv, row 2, column 'closed_on', value '2026-02-01': a date on or after created_on (2026-03-01)",
    ),
    "closed deal without close date": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,1000,2026-03-01,,proposal,won\n"},
        "d.csv, row 2, column 'closed_on': a close date for a won deal",
    ),
    "negative amount": (
        {"d.csv": DEAL_HEADER + "D-9,ann@acme.example,-1000,2026-01-01,,proposal,open\n"},
        "d.csv, row 2, column 'amount', value '-1000': expected an amount of zero or more (a deal's value cannot be negative)",
    ),
    "unknown owner": (
        {"d.csv": DEAL_HEADER + "D-9,Zed Nobody,1000,2026-01-01,,proposal,open\n"},
        "d.csv, row 2, column 'owner', value 'Zed Nobody': expected the email or full name of a person in the people file",
    ),
    "unknown owner email": (
        {"d.csv": DEAL_HEADER + "D-9,zed@acme.example,1000,2026-01-01,,proposal,open\n"},
        "d.csv, row 2, column 'owner', value 'zed@acme.example': expected the email of a person in the people file (import people first)",
    ),
    "ambiguous owner name": (
        {
            "p.csv": "email,name,role\nann2@acme.example,Ann Archer,rep\n",
            "d.csv": DEAL_HEADER + "D-9,Ann Archer,1000,2026-01-01,,proposal,open\n",
        },
        "d.csv, row 2, column 'owner', value 'Ann Archer': expected one person, but 2 people have this name: use their email instead",
    ),
    "duplicate id within a file": (
        {"d.csv": DEAL_HEADER + GOOD_DEAL + GOOD_DEAL},
        "d.csv, row 3, column 'external_id', value 'D-9': a value not used before in this file (row 2)",
    ),
    "duplicate person within a file": (
        {"p.csv": "email,name,role\nx@acme.example,X,rep\nX@ACME.example,X2,rep\n"},
        "p.csv, row 3, column 'email', value 'x@acme.example': a value not used before in this file (row 2)",
    ),
    "excel workbook instead of csv": (
        {"d.xlsx": b"PK\x03\x04\x14\x00\x06\x00binary"},
        "d.xlsx: this is an Excel workbook or other zip file; save it as 'CSV UTF-8' first",
    ),
    "binary file": (
        {"d.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        "d.csv: the file contains binary data (NUL bytes); expected a text CSV export",
    ),
    "plain text that is not csv": (
        {"notes.csv": "Dear team\nplease find attached\n"},
        "notes.csv, row 1, value 'Dear team': the first line has no comma, semicolon or tab: expected a CSV header row naming the columns",
    ),
    "header of no known kind": (
        {"x.csv": "foo,bar\n1,2\n"},
        "x.csv, row 1, value 'foo, bar': a header with the columns of one kind",
    ),
    "wrong encoding": (
        {"p.csv": "email,name,role\nrene@acme.example,René,rep\n".encode("cp1252")},
        "p.csv, row 2: the file is not valid utf-8 (byte 0xe9 on line 2); Excel's plain 'CSV' is Windows-1252: save as 'CSV UTF-8' or pass --encoding cp1252",
    ),
    "utf-16": (
        {"p.csv": "email,name,role\n".encode("utf-16")},
        "p.csv: the file is UTF-16 (Excel 'Unicode Text'); save it as 'CSV UTF-8' or pass --encoding utf-16",
    ),
    "empty file": ({"p.csv": ""}, "p.csv: the file is empty; expected a header row and records"),
    "unterminated quote": (
        {"p.csv": 'email,name,role\nx@acme.example,"Unclosed,rep\n'},
        "p.csv, row 2: the CSV is malformed from this row on (unexpected end of data); is a quote not closed?",
    ),
    "too many fields": (
        {"p.csv": "email,name,role\nx@acme.example,Xavier,rep,extra\n"},
        "p.csv, row 2: 3 fields like the header, but this row has 4",
    ),
    "bad email": (
        {"p.csv": "email,name,role\nnot-an-email,X,rep\n"},
        "p.csv, row 2, column 'email', value 'not-an-email': expected an email address like jane.doe@example.com",
    ),
    "bad timezone": (
        {"p.csv": "email,name,role,timezone\nx@acme.example,X,rep,EST5\n"},
        "p.csv, row 2, column 'timezone', value 'EST5': expected an IANA timezone like America/New_York or Europe/Berlin",
    ),
    "manager loop": (
        {
            "p.csv": "email,name,role,manager_email\n"
            "a@acme.example,A,manager,b@acme.example\nb@acme.example,B,manager,a@acme.example\n"
        },
        "p.csv, row 2, column 'manager_email': a manager chain without a loop",
    ),
    "activity on an unknown deal": (
        {
            "a.csv": "owner,deal,kind,occurred_at\nann@acme.example,D-404,call,2026-01-01T10:00:00Z\n"
        },
        "a.csv, row 2, column 'deal', value 'D-404': expected the external_id of a deal in this import or already imported",
    ),
    "feedback rating out of range": (
        {"f.csv": "about,source,rating,given_on\nann@acme.example,manager,7,2026-01-01\n"},
        "f.csv, row 2, column 'rating', value '7': expected a whole number from 1 to 5",
    ),
    "unknown skill": (
        {
            "f.csv": "about,source,skill,rating,given_on\nann@acme.example,manager,charm,3,2026-01-01\n"
        },
        "f.csv, row 2, column 'skill', value 'charm': expected a skill: one of discovery",
    ),
    "empty required cell": (
        {"d.csv": DEAL_HEADER + "D-9,,1000,2026-01-01,,proposal,open\n"},
        "d.csv, row 2, column 'owner', value '': a value (this column is required)",
    ),
    "file not found": (
        {"ok.csv": "email,name,role\nq@acme.example,Q,rep\n", "missing.csv": None},
        "missing.csv: file not found",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_is_named_and_nothing_is_written(loaded, case: str) -> None:
    files, expected = CASES[case]
    problems = loaded(files)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_problem_in_the_last_file_rolls_back_the_first(loaded) -> None:
    loaded(
        {
            "p.csv": "email,name,role\nnew@acme.example,New Rep,rep\n",
            "d.csv": DEAL_HEADER + "D-9,new@acme.example,abc,2026-01-01,,proposal,open\n",
        }
    )


def test_many_problems_show_twenty_then_a_count(loaded) -> None:
    rows = "".join(f"D-{i},ann@acme.example,bad,2026-01-01,,proposal,open\n" for i in range(50))
    problems = loaded({"d.csv": DEAL_HEADER + rows})
    assert len(problems) == 20
    assert problems[0].startswith("d.csv, row 2, column 'amount', value 'bad'")


def test_summary_says_nothing_was_imported_and_counts_the_rest(
    db, settings, clock, tmp_path
) -> None:
    rows = "".join(f"D-{i},nobody@acme.example,1,2026-01-01,,proposal,open\n" for i in range(25))
    path = write(tmp_path, "d.csv", DEAL_HEADER + rows)
    with pytest.raises(ImportRejected) as caught:
        run(db, settings, clock, path)
    summary = caught.value.log.summary().splitlines()
    assert summary[0] == "Nothing was imported: 25 problem(s) found."
    assert summary[-1] == "  ... and 5 more"
    assert len(summary) == 22


def test_unknown_kind_option_is_refused(loaded) -> None:
    assert loaded({"p.csv": "email,name,role\n"}, kind="contacts") == [
        "--kind, value 'contacts': one of people, deals, stage_history, activities, feedback"
    ]


def test_one_slack_account_cannot_belong_to_two_people(
    loaded, db, settings, clock, tmp_path
) -> None:
    """That Slack user would be shown the other person's numbers."""
    taken = "email,name,role,slack_user_id\nnew@acme.example,Nia New,rep,U0ANN\n"
    [problem] = loaded({"people.csv": taken})
    assert problem.startswith("people.csv, row 2, column 'slack_user_id', value 'U0ANN'")
    assert "ann@acme.example has it" in problem
    twice = (
        "email,name,role,slack_user_id\n"
        "new@acme.example,Nia New,rep,U0NEW\nneo@acme.example,Neo New,rep,U0NEW\n"
    )
    [problem] = loaded({"people.csv": twice})
    assert problem.startswith("people.csv, row 3, column 'slack_user_id'") and "row 2" in problem
    # Moving an id from one person to another in the same file is fine.
    moved = (
        "email,name,role,slack_user_id\n"
        "ann@acme.example,Ann Archer,rep,U0ANN2\nnew@acme.example,Nia New,rep,U0ANN\n"
    )
    run(db, settings, clock, write(tmp_path, "people.csv", moved))
