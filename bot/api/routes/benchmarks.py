"""POST /benchmarks, GET /benchmarks and DELETE /benchmarks/{id}."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, ApiError, Problem, not_found
from bot.api.idempotent import idempotent
from bot.api.paging import decode_cursor, encode_cursor, json_response
from bot.api.schemas.benchmarks import (
    Benchmark,
    BenchmarkBatch,
    BenchmarkPage,
    BenchmarkPath,
    BenchmarksWritten,
)
from bot.api.schemas.common import PageQuery
from bot.render.sentences import sentence
from bot.services.benchmarks import (
    BenchmarkRecord,
    BenchmarksRefused,
    benchmark_page,
    delete_benchmark,
    write_benchmarks,
)

TAG = Tag(
    name="benchmarks",
    description="Benchmarks and targets per team, segment or workspace, shown beside the peers'",
)
blueprint = APIBlueprint(
    "benchmarks", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.post("/benchmarks", responses={200: BenchmarksWritten, **STANDARD_RESPONSES})
def post_benchmarks(body: BenchmarkBatch) -> Response:
    """Send benchmarks and targets

    Written all or nothing: a batch with any problem changes nothing and names every
    problem by record and field. A team or segment must exist in the workspace's CRM data,
    so a misspelt name is refused rather than applying to nobody. Each rep's assessment
    shows, per metric and kind, the most specific one that applies (team over segment over
    workspace) beside the peer value; verdicts stay with the peer comparison."""
    principal = caller("write")
    found = deps()
    records = [BenchmarkRecord(**item.model_dump()) for item in body.benchmarks]

    def write() -> tuple[int, dict[str, Any]]:
        try:
            written = write_benchmarks(
                found.db,
                found.settings,
                principal.workspace_id,
                records,
                found.clock.now(),
            )
        except BenchmarksRefused as refused:
            problems = [
                Problem(record=p.record, field=p.field, value=p.value, expected=p.expected)
                for p in refused.problems
            ]
            raise ApiError(
                422, "validation_failed", sentence("api_validation_failed"), problems
            ) from None
        answer = BenchmarksWritten(
            data=[Benchmark.model_validate(item) for item in written.items],
            created=written.created,
            updated=written.updated,
        )
        return 200, answer.model_dump(mode="json")

    return idempotent(write)


@blueprint.get("/benchmarks", responses={200: BenchmarkPage, **STANDARD_RESPONSES})
def list_benchmarks(query: PageQuery) -> Response:
    """The workspace's benchmarks and targets, a page at a time"""
    principal = caller()
    page = benchmark_page(
        deps().db, principal.workspace_id, decode_cursor(query.cursor), query.limit
    )
    body = BenchmarkPage(
        data=[Benchmark.model_validate(item) for item in page.items],
        next_cursor=None if page.next_after is None else encode_cursor(page.next_after),
    )
    return json_response(body.model_dump(mode="json"))


@blueprint.delete("/benchmarks/<benchmark_id>", responses={200: Benchmark, **STANDARD_RESPONSES})
def remove_benchmark(path: BenchmarkPath) -> Response:
    """Delete a benchmark or target

    Answers with what was deleted; assessments stop showing it at once."""
    principal = caller("write")
    found = deps()

    def write() -> tuple[int, dict[str, Any]]:
        deleted = delete_benchmark(found.db, principal.workspace_id, path.benchmark_id)
        if deleted is None:
            raise not_found()
        return 200, Benchmark.model_validate(deleted).model_dump(mode="json")

    return idempotent(write)
