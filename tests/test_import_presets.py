"""Salesforce and HubSpot exports, as those CRMs write them, through the built-in presets.
Expected figures come from tests/fixtures/crm/EXPECTED.md."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.ingest.problems import ImportRejected
from bot.store.models import Deal, Person
from tests.helpers import run, write

CRM = Path(__file__).parent / "fixtures" / "crm"


def _deals(db) -> dict[str, tuple[Deal, str]]:
    with db.begin() as session:
        rows = session.execute(select(Deal, Person.email).join(Person, Deal.owner_id == Person.id))
        return {deal.external_id: (deal, email) for deal, email in rows}


def test_salesforce_opportunity_report(db, settings, clock) -> None:
    reports = run(
        db,
        settings,
        clock,
        CRM / "salesforce_people.csv",
        CRM / "salesforce_opportunities.csv",
        format="salesforce",
    )

    deals_report = reports[1]
    assert (deals_report.kind, deals_report.rows, deals_report.created) == ("deals", 32, 32)
    assert set(deals_report.ignored_columns) == {
        "Opportunity Name",
        "Probability (%)",
        "Type",
        "Lead Source",
        "Next Step",
    }
    deals = _deals(db)
    assert Counter(d.outcome for d, _ in deals.values()) == {"won": 9, "lost": 7, "open": 16}
    assert Counter(d.furthest_stage for d, _ in deals.values() if d.outcome == "open") == {
        "prospecting": 2,
        "discovery": 4,
        "qualification": 6,
        "proposal": 2,
        "negotiation": 2,
    }
    assert Counter(d.currency for d, _ in deals.values()) == {"USD": 27, "EUR": 5}
    won_usd = sum(d.amount for d, _ in deals.values() if d.outcome == "won" and d.currency == "USD")
    assert won_usd == Decimal("296250.50")
    by_owner = Counter(email.split("@")[0] for _, email in deals.values())
    assert by_owner == {
        "priya.raman": 7,
        "tom.okafor": 6,
        "lucia.fernandez": 6,
        "ben.carter": 6,
        "hannah.schultz": 7,
    }

    won, tom = deals["0068c00001Lm3Ra"]
    assert tom == "tom.okafor@northwind-analytics.example"
    assert (won.account, won.industry, won.amount, won.currency) == (
        "Müller GmbH",
        "Manufacturing",
        Decimal("86500.00"),
        "EUR",
    )
    assert (won.created_on, won.closed_on, won.outcome) == (
        date(2026, 2, 16),
        date(2026, 7, 24),
        "won",
    )
    assert won.furthest_stage is None  # the export only holds the current stage

    lost, _ = deals["0068c00001Lm3RA"]  # differs from the one above only in letter case
    assert (lost.outcome, lost.loss_reason, lost.competitor) == (
        "lost",
        "competitor",
        "Globex Analytics",
    )
    assert lost.closed_on == date(2026, 10, 2)

    open_deal, _ = deals["0068c00001Lm2Qe"]
    assert (open_deal.outcome, open_deal.furthest_stage, open_deal.closed_on) == (
        "open",
        "proposal",
        None,
    )
    assert deals["0068c00001Lm6Uc"][0].loss_reason == "Went with internal build"


def test_salesforce_footer_is_not_read_as_records(db, settings, clock) -> None:
    run(db, settings, clock, CRM / "salesforce_people.csv")
    [report] = run(db, settings, clock, CRM / "salesforce_opportunities.csv", format="salesforce")
    assert report.rows == 32


def test_hubspot_deals_export(db, settings, clock) -> None:
    reports = run(
        db,
        settings,
        clock,
        CRM / "hubspot_people.csv",
        CRM / "hubspot_deals.csv",
        format="hubspot",
    )

    assert (reports[1].rows, reports[1].created) == (30, 30)
    deals = _deals(db)
    assert Counter(d.outcome for d, _ in deals.values()) == {"won": 9, "lost": 7, "open": 14}
    assert Counter(d.furthest_stage for d, _ in deals.values() if d.outcome == "open") == {
        "discovery": 3,
        "qualification": 3,
        "proposal": 6,
        "negotiation": 2,
    }
    assert Counter(d.currency for d, _ in deals.values()) == {"USD": 26, "EUR": 3, "GBP": 1}
    assert sum(d.contacts_engaged for d, _ in deals.values()) == 90
    won_usd = sum(d.amount for d, _ in deals.values() if d.outcome == "won" and d.currency == "USD")
    assert won_usd == Decimal("221750")
    reasons = {k: d.loss_reason for k, (d, _) in deals.items() if d.outcome == "lost"}
    assert reasons["18422356013"] == "competitor"
    assert reasons["18422356042"] == "no_budget"
    assert reasons["18422356053"] == "lost_champion"
    assert reasons["18422356043"] == "Project cancelled after merger"
    no_company, _ = deals["18422356036"]
    assert no_company.account is None and no_company.contacts_engaged == 0
    assert all(email.endswith("@brightpath-software.example") for _, email in deals.values())


@pytest.mark.parametrize(
    ("people", "export", "fmt"),
    [
        ("salesforce_people.csv", "salesforce_opportunities.csv", "salesforce"),
        ("hubspot_people.csv", "hubspot_deals.csv", "hubspot"),
    ],
)
def test_reimporting_an_export_updates_without_duplicates(
    db, settings, clock, people, export, fmt
) -> None:
    run(db, settings, clock, CRM / people, CRM / export, format=fmt)
    [report] = run(db, settings, clock, CRM / export, format=fmt)
    assert report.created == 0 and report.updated == report.rows
    assert len(_deals(db)) == report.rows


def test_a_mapping_layered_on_a_preset_renames_custom_stages(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, CRM / "hubspot_people.csv")
    export = (
        '"Record ID","Deal Stage","Deal owner","Amount","Create Date","Close Date"\n'
        '"9001","Technical Validation","Sam Patel","12000","2026-05-01 10:00","2026-07-01 10:00"\n'
    )
    overlay = write(
        tmp_path, "ours.yml", "values:\n  stage:\n    Technical Validation: qualification\n"
    )

    run(db, settings, clock, write(tmp_path, "hs.csv", export), format="hubspot", mapping=overlay)

    deal, _ = _deals(db)["9001"]
    assert (deal.outcome, deal.furthest_stage) == ("open", "qualification")


def test_an_unmapped_custom_stage_is_reported(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, CRM / "hubspot_people.csv")
    export = '"Record ID","Deal Stage","Deal owner","Amount","Create Date"\n"9001","Technical Validation","Sam Patel","12000","2026-05-01"\n'
    with pytest.raises(ImportRejected) as caught:
        run(db, settings, clock, write(tmp_path, "hs.csv", export), format="hubspot")
    # Named as the export names it, with the labels the preset knows, in HubSpot's words.
    assert str(caught.value.log.shown[0]) == (
        "hs.csv, row 2, column 'Deal Stage' (stage), value 'Technical Validation': expected one"
        " of the 'Deal Stage' values the hubspot mapping knows: Appointment Scheduled,"
        " Qualified To Buy, Presentation Scheduled, Decision Maker Bought-In, Contract Sent,"
        " Closed Won, Closed Lost; add yours under values.stage in a --mapping file"
        " (docs/crm-presets.md)"
    )


def _salesforce_rows() -> list[str]:
    return (CRM / "salesforce_opportunities.csv").read_text(encoding="utf-8-sig").split("\n")


def _with_cell(line: str, header: list[str], column: str, value: str) -> str:
    import csv

    row = next(csv.reader([line]))
    row[header.index(column)] = value
    return ",".join('"' + v.replace('"', '""') + '"' for v in row)


def test_salesforce_problems_name_the_reports_own_columns(db, settings, clock, tmp_path) -> None:
    import csv

    from tests.helpers import snapshot

    run(db, settings, clock, CRM / "salesforce_people.csv")
    lines = _salesforce_rows()
    header = next(csv.reader([lines[0]]))
    lines[1] = _with_cell(lines[1], header, "Close Date", "31/12/2026")
    lines[2] = _with_cell(lines[2], header, "Stage", "Closed - Lost (old)")
    lines[3] = _with_cell(lines[3], header, "Opportunity Owner", "Nobody Known")
    before = snapshot(db)

    with pytest.raises(ImportRejected) as caught:
        run(
            db,
            settings,
            clock,
            write(tmp_path, "opps.csv", "\n".join(lines)),
            format="salesforce",
            kind="deals",
        )

    shown = [str(p) for p in caught.value.log.shown]
    assert shown[0] == (
        "opps.csv, row 2, column 'Close Date' (closed_on), value '31/12/2026':"
        " expected a date like 03/14/2026 or 03/14/2026 12:00 AM"
    )
    assert shown[1].startswith(
        "opps.csv, row 3, column 'Stage', value 'Closed - Lost (old)': expected one of the"
        " 'Stage' values the salesforce mapping knows: Prospecting, Qualification, Needs Analysis"
    )
    assert shown[2].startswith("opps.csv, row 4, column 'Opportunity Owner' (owner), value 'Nob")
    assert snapshot(db) == before  # nothing half-written


def test_a_missing_preset_column_is_named_as_the_crm_names_it(db, settings, clock, tmp_path):
    import csv

    lines = _salesforce_rows()
    without_id = [",".join(r[:-1]) for r in csv.reader(lines[:5])]
    with pytest.raises(ImportRejected) as caught:
        run(
            db,
            settings,
            clock,
            write(tmp_path, "opps.csv", "\n".join(without_id)),
            format="salesforce",
            kind="deals",
        )
    assert str(caught.value.log.shown[0]) == (
        "opps.csv, row 1, column 'Opportunity ID' (external_id): missing: the salesforce export"
        " needs the column 'Opportunity ID'; add it to the report or export, or map your own"
        " column to external_id in a --mapping file"
    )


def test_a_toml_mapping_for_another_crm(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, CRM / "hubspot_people.csv")
    mapping = write(
        tmp_path,
        "pipedrive.toml",
        """kind = "deals"
dates = ["%d.%m.%Y"]
decimal = ","
[columns]
"Deal - ID" = "external_id"
"Deal - Owner" = "owner"
"Deal - Value" = "amount"
"Deal - Currency" = "currency"
"Deal - Deal created" = "created_on"
"Deal - Won time" = "closed_on"
"Deal - Status" = "outcome"
[values.outcome]
"Won" = "won"
"Lost" = "lost"
"Open" = "open"
""",
    )
    export = "Deal - ID;Deal - Owner;Deal - Value;Deal - Currency;Deal - Deal created;Deal - Won time;Deal - Status\n7;Mia Novak;1.250,50;EUR;03.02.2026;01.04.2026;Won\n"

    run(db, settings, clock, write(tmp_path, "pd.csv", export), mapping=mapping)

    deal, email = _deals(db)["7"]
    assert email.startswith("mia.novak@")
    assert (deal.amount, deal.currency, deal.created_on, deal.closed_on) == (
        Decimal("1250.50"),
        "EUR",
        date(2026, 2, 3),
        date(2026, 4, 1),
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("columns: [a, b]\n", "ours.yml: columns must be a table"),
        ("kind: contacts\n", "ours.yml: kind must be one of people"),
        ("colums:\n  A: b\n", "ours.yml: unknown key(s) colums"),
        ("decimal: ';'\n", "ours.yml: decimal is"),
        ("columns:\n  A: [b\n", "ours.yml: not a valid YAML or TOML mapping file"),
    ],
)
def test_a_broken_mapping_file_is_explained(
    db, settings, clock, tmp_path, content, expected
) -> None:
    people = write(tmp_path, "p.csv", "email,name,role\nx@acme.example,X,rep\n")
    with pytest.raises(ImportRejected) as caught:
        run(db, settings, clock, people, mapping=write(tmp_path, "ours.yml", content))
    assert str(caught.value.log.shown[0]).startswith(expected)
