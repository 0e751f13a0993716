"""The behaviour table: per skill, the behaviours a playbook compares between the top
performers and everyone else, each with the note a rep reads when the top group is higher
or lower. A behaviour whose data is missing (no stage history, no logged activities) has no
measure and is left out."""

from __future__ import annotations

from bot.analytics.metrics import MULTITHREAD_CONTACTS
from bot.coaching.playbooks.frames import Context, column_of
from bot.coaching.playbooks.measures import (
    activities_of,
    competitive_win_rate,
    contacts_mean,
    days_in,
    days_to,
    demoed_before_qualified,
    lost_to,
    meetings_before_proposal,
    multithreaded,
    per_week,
    stage_dwell,
    win_rate_from,
    won_cycle,
    won_mean,
)
from bot.coaching.playbooks.specs import (
    Spec,
    any_activity,
    conversion_spec,
    has_kinds,
    stage_label,
)


def specs_for(skill: str, ctx: Context) -> list[Spec]:
    """The behaviours a playbook on `skill` compares, in the order they are shown."""
    meetings = has_kinds(ctx.deal_activities, ["meeting"])
    demos = has_kinds(ctx.deal_activities, ["demo"])
    logged = any_activity(ctx)
    last = ctx.stages[-1] if ctx.stages else "negotiation"
    if skill == "discovery":
        return [
            Spec(
                "Meetings per deal before the proposal",
                "count",
                meetings_before_proposal(ctx) if meetings else None,
                "They hold more conversations before proposing: book a second discovery "
                "meeting before you write a proposal.",
                "They reach a proposal in fewer meetings: make each discovery call count "
                "rather than adding more.",
            ),
            conversion_spec(
                ctx,
                "discovery",
                "qualification",
                "More of their discovery calls become qualified deals: leave each call with "
                "the problem, its cost and who owns it.",
                "They let more deals go at discovery: ending a poor fit early is part of good "
                "discovery.",
            ),
            Spec(
                "Deals demoed before they were qualified",
                "pct",
                demoed_before_qualified(ctx) if demos else None,
                "They demo earlier: show the product once the buyer has named the problem.",
                "They hold the demo until the problem is understood: ask before you show.",
                basis="qualified deals",
            ),
            Spec(
                "Closed deals lost to no decision or poor fit",
                "pct",
                lost_to(["no_decision", "product_fit"]),
                "More of their deals stall or turn out a poor fit, so this is not where they gain.",
                "Fewer of their deals stall or turn out a poor fit: a problem found and "
                "costed early gives the buyer a reason to decide.",
            ),
        ]
    if skill == "qualification":
        return [
            conversion_spec(
                ctx,
                "qualification",
                "proposal",
                "More of their qualified deals earn a proposal: confirm budget, authority and "
                "timing before you write one.",
                "They stop more deals at qualification: walking away early saves proposal "
                "time for buyers who will decide.",
            ),
            Spec(
                "Closed deals lost to timing or no budget",
                "pct",
                lost_to(["timing", "no_budget"]),
                "More of their losses come down to timing or budget, so this is not where "
                "they gain.",
                "Fewer of their deals die on timing or budget: ask who signs, with what "
                "budget, by when, in the first meetings.",
            ),
            Spec(
                "Days from new deal to qualified (median)",
                "days",
                days_to(ctx, "qualification"),
                "They take longer to call a deal qualified: do not rush a deal forward before "
                "the buyer confirms the basics.",
                "They qualify faster: get to budget, authority and timing in the first "
                "conversations.",
            ),
            Spec(
                "Win rate once a proposal is out",
                "pct",
                win_rate_from(ctx, "proposal"),
                "Their proposals go to buyers who buy: only propose to deals that are truly "
                "qualified.",
                "Their proposals win less often, so late-stage wins are not where they gain.",
            ),
        ]
    if skill == "value_articulation":
        return [
            Spec(
                "Average won deal",
                "money",
                won_mean("amount"),
                "They win bigger deals: tie the proposal to the buyer's own numbers so the "
                "price reads as a return.",
                "Their won deals are smaller, so deal size is not where they gain.",
                basis="won deals",
            ),
            conversion_spec(
                ctx,
                "proposal",
                "negotiation",
                "More of their proposals move to negotiation: lead each proposal with the "
                "buyer's problem, its cost and the measured outcome.",
                "Fewer of their proposals move to negotiation, so this is not where they gain.",
            ),
            Spec(
                "Closed deals lost to price",
                "pct",
                lost_to(["price"]),
                "More of their deals are lost to price, so this is not where they gain.",
                "Fewer of their deals are lost to price: a buyer who can state the value "
                "argues less about the cost.",
            ),
        ]
    if skill == "negotiation":
        return [
            conversion_spec(
                ctx,
                last,
                "won",
                "More of their deals in negotiation close: agree a mutual close plan and "
                "trade every concession for something in return.",
                "Fewer of their negotiations close, so this is not where they gain.",
            ),
            Spec(
                "Average discount on won deals",
                "points",
                won_mean("discount_pct"),
                "They discount more to win, so holding price is not where they gain.",
                "They give away less: never discount without getting something back, and "
                "anchor on value before price.",
                basis="won deals",
            ),
            Spec(
                "Closed deals lost to price or a competitor",
                "pct",
                lost_to(["price", "competitor"]),
                "More of their deals are lost to price or a competitor, so this is not where "
                "they gain.",
                "Fewer of their deals slip to price or a competitor at the end: know the "
                "buyer's alternatives before you negotiate.",
            ),
            Spec(
                f"Days in {stage_label(last)} before the win (median)",
                "days",
                days_in(stage_dwell(ctx), last),
                "They take longer to close out a negotiation: do not let urgency push you "
                "into concessions.",
                "They close negotiations faster: set the signing date with the buyer and work "
                "back from it.",
                basis="won deals",
            ),
        ]
    if skill == "stakeholder_engagement":
        return [
            Spec(
                "Contacts engaged per deal",
                "count",
                contacts_mean,
                "They bring more of the buying group in: ask your champion who else will "
                "weigh in, and meet them before the proposal.",
                "They engage fewer contacts per deal, so breadth is not where they gain.",
            ),
            Spec(
                f"Deals with {MULTITHREAD_CONTACTS}+ contacts engaged",
                "pct",
                multithreaded,
                f"More of their deals are multi-threaded: aim for {MULTITHREAD_CONTACTS} or "
                "more contacts on every deal past discovery.",
                "Fewer of their deals are multi-threaded, so this is not where they gain.",
            ),
            Spec(
                "Closed deals lost when the champion left",
                "pct",
                lost_to(["lost_champion"]),
                "More of their deals die with the champion, so this is not where they gain.",
                "Fewer of their deals die with the champion: a second and third contact keep "
                "the deal alive when one person leaves.",
            ),
        ]
    if skill == "objection_handling":
        return [
            Spec(
                "Closed deals lost to a competitor",
                "pct",
                lost_to(["competitor"]),
                "More of their deals are lost to a competitor, so this is not where they gain.",
                "Fewer of their deals go to a competitor: ask what the buyer likes about the "
                "alternative before you answer it.",
            ),
            Spec(
                "Win rate when a competitor is named",
                "pct",
                competitive_win_rate,
                "They win more head-to-head deals: acknowledge the competitor, clarify what "
                "matters, then answer with the buyer's own value.",
                "They win fewer head-to-head deals, so this is not where they gain.",
                basis="competitive deals",
            ),
            Spec(
                "Closed deals lost to price",
                "pct",
                lost_to(["price"]),
                "More of their deals are lost to price, so this is not where they gain.",
                "Fewer of their deals end on a price objection: treat 'too expensive' as a "
                "question about value, not a request for a discount.",
            ),
            Spec(
                "Win rate once a proposal is out",
                "pct",
                win_rate_from(ctx, "proposal"),
                "They win more of the deals where objections surface: rehearse your answers "
                "to the three objections you hear most.",
                "Their late-stage win rate is lower, so this is not where they gain.",
            ),
        ]
    if skill == "process_adherence":
        dwell = stage_dwell(ctx)
        specs = [
            Spec(
                "Activities logged per week",
                "per_week",
                per_week(activities_of(None)) if logged else None,
                "They log more touches each week: keep a steady weekly rhythm of calls, emails "
                "and meetings, logged as you go.",
                "They log fewer touches, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
            Spec(
                "Sales cycle of won deals (median)",
                "days",
                won_cycle,
                "Their wins take longer, so speed is not where they gain.",
                "They close won deals faster: agree the next step with a date before every "
                "call ends.",
                basis="won deals",
            ),
        ]
        for stage in ctx.stages:
            name = stage_label(stage)
            specs.append(
                Spec(
                    f"Days in {name} (median)",
                    "days",
                    days_in(dwell, stage),
                    f"Their deals sit longer in {name}, so this is not where they gain.",
                    f"Their deals move through {name} faster: set the exit step for "
                    "the stage with the buyer and a date for it.",
                    basis="deals",
                )
            )
        return specs
    if skill == "prospecting":
        return [
            Spec(
                "New deals created per week",
                "per_week",
                per_week(lambda group: len(group.created)),
                "They open more new deals every week: block prospecting time on the "
                "calendar and protect it.",
                "They open fewer new deals, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
            Spec(
                "Calls and emails per week",
                "per_week",
                per_week(activities_of(["call", "email"])) if logged else None,
                "They reach out more: a daily block of calls and emails keeps the pipeline full.",
                "They reach out less but better: lead with the buyer's likely problem, not the "
                "product.",
                basis="reps",
                minimum=1,
            ),
            conversion_spec(
                ctx,
                "prospecting",
                "discovery",
                "More of their new deals turn into discovery meetings: give each prospect a "
                "reason to meet that matters to them.",
                "Fewer of their new deals reach discovery, so this is not where they gain.",
            ),
            Spec(
                "New pipeline per week",
                "money",
                per_week(lambda group: float(column_of(group.created, "amount").fillna(0).sum())),
                "They build more pipeline every week: prospect into accounts where the "
                "problem is big enough to matter.",
                "They build less pipeline, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
        ]
    raise ValueError(f"unknown skill {skill!r}")
