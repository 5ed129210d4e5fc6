"""AI analysis: the agent session with LLM turns, tool calls, catalog search and alignment."""

from __future__ import annotations

from typing import Any

from explorer.demo.generator.group import Group, error_details
from explorer.demo.generator.lifecycle import MINUTE, SECOND, Variant, dedup
from explorer.demo.generator.values import (
    TOOLS,
    pick,
)


def analysis(g: Group, v: Variant) -> bool:
    rng = g.rng
    began = g.t
    g.emit("aianalysis.phase.transition", old_phase="Pending", new_phase="Investigating")
    g.emit(
        "aianalysis.aiagent.submit",
        endpoint="/api/v1/incident/analyze",
        http_status_code=202,
        took=rng.randint(20, 200),
    )
    ok = _agent(g, v)
    if v.poll_retry:
        g.emit(
            "aianalysis.aiagent.call",
            5 * SECOND,
            15 * SECOND,
            ev_outcome="failure",
            http_status_code=503,
            endpoint=f"/api/v1/incident/session/{g.ctx['incident_id']}",
            took=rng.randint(1000, 5000),
            fault=("AGENT_UNAVAILABLE", "kubernaut-agent returned 503"),
        )
    poll = f"/api/v1/incident/session/{g.ctx['incident_id']}"
    g.emit(
        "aianalysis.aiagent.call",
        5 * SECOND,
        15 * SECOND,
        http_status_code=200,
        endpoint=poll,
        took=rng.randint(15, 120),
    )
    if not ok:
        _analysis_failed(g)
        return False
    g.emit(
        "aianalysis.aiagent.result", http_status_code=200, endpoint=poll, took=rng.randint(15, 90)
    )
    g.emit("aianalysis.phase.transition", old_phase="Investigating", new_phase="Analyzing")
    auto = not v.approval and v.path != "manual_review"
    g.emit(
        "aianalysis.rego.evaluation",
        outcome="auto_approve" if auto else "requires_approval",
        degraded=False,
        took=rng.randint(2, 40),
    )
    g.emit(
        "aianalysis.approval.decision",
        approval_required=not auto,
        auto_approved=auto,
        decision="auto_approve" if auto else "requires_approval",
        approval_reason="policy allows auto-approval"
        if auto
        else "production namespace requires approval",
        reason=f"confidence {g.ctx['confidence']} against threshold 0.8",
    )
    g.emit("aianalysis.phase.transition", old_phase="Analyzing", new_phase="Completed")
    g.emit(
        "aianalysis.analysis.completed",
        phase="Completed",
        approval_required=not auto,
        degraded_mode=v.sp_error,
        warnings_count=int(v.enrich_fail),
        took=g.t - began,
    )
    dedup(g, v)
    return True


def _analysis_failed(g: Group) -> None:
    g.emit(
        "aianalysis.error.occurred",
        phase="Investigating",
        error_message="investigation failed: LLM provider timeout after 120s",
    )
    g.emit("aianalysis.phase.transition", old_phase="Investigating", new_phase="Failed")
    g.emit(
        "aianalysis.analysis.failed",
        phase="Failed",
        approval_required=False,
        degraded_mode=False,
        warnings_count=0,
        reason="InvestigationFailed",
        sub_reason="LLMTimeout",
        error_details=error_details("aianalysis", "LLM_TIMEOUT", "LLM provider timeout"),
        fault=("LLM_TIMEOUT", "LLM provider timeout after 120s"),
    )


def _agent(g: Group, v: Variant) -> bool:
    rng = g.rng
    began = g.t
    g.emit("aiagent.session.started", 100, 800)
    if v.enrich_fail:
        g.emit("aiagent.enrichment.failed", reason="OwnerLookupTimeout")
    else:
        g.emit("aiagent.enrichment.completed", 200, 2000, owner_chain_length=rng.randint(1, 3))
    turns = rng.randint(2, 5)
    prompt_total = 0
    for turn in range(turns):
        if turn == 1 and v.path == "cancelled":
            return _agent_cancelled(g, turn, prompt_total)
        if turn == 1 and v.path == "analysis_failed":
            return _agent_failed(g)
        prompt_total += _turn(g, v, turn, last=turn == turns - 1)
        if turn == 0 and v.suspend:
            g.emit("aiagent.session.suspended", 100, 500)
            g.emit("aiagent.session.resumed", 30 * SECOND, 5 * MINUTE)
    _catalog_search(g)
    _validate(g, v)
    if v.alignment:
        _alignment(g)
    g.ctx["needsHumanReview"] = v.path == "manual_review"
    g.emit("aiagent.rca.complete", 200, 1500, total_prompt_tokens=prompt_total)
    g.emit("aiagent.response.complete", 10, 100, total_prompt_tokens=prompt_total)
    g.emit("aiagent.session.completed", 10, 100, took=g.t - began)
    return True


def _turn(g: Group, v: Variant, turn: int, *, last: bool) -> int:
    rng = g.rng
    prompt = rng.randint(1800, 9000) * (turn + 1)
    request = g.emit("aiagent.llm.request", 50, 400, prompt_length=prompt)
    tools = 0 if last else rng.randint(1, 3)
    latency = rng.randint(1500, 25_000)
    g.emit(
        "aiagent.llm.response",
        latency,
        latency,
        parent=request,
        took=latency,
        has_analysis=last,
        tool_call_count=tools,
    )
    for index in range(tools):
        tool = pick(rng, TOOLS)
        g.emit(
            "aiagent.llm.tool_call",
            50,
            3000,
            parent=request,
            tool_call_index=index,
            tool_name=tool,
            took=rng.randint(40, 2500),
        )
        if v.secret and turn == 0 and index == 0:
            g.emit("aiagent.secret.accessed", 5, 50, verb="get", tool_name=tool)
    return prompt


def _agent_cancelled(g: Group, turn: int, prompt_total: int) -> bool:
    completion = g.rng.randint(300, 2500)
    g.emit(
        "aiagent.investigation.cancelled",
        10 * SECOND,
        3 * MINUTE,
        cancelled_at_turn=turn,
        total_prompt_tokens=prompt_total,
        total_completion_tokens=completion,
        total_tokens=prompt_total + completion,
        session_id=g.ctx["session_id"],
    )
    g.emit("aiagent.session.cancelled", 10, 200)
    return False


def _agent_failed(g: Group) -> bool:
    g.emit(
        "aiagent.response.failed",
        120 * SECOND,
        125 * SECOND,
        ev_outcome="failure",
        error_message="LLM provider timeout after 120s",
        phase="investigating",
        duration_seconds=120.0,
        fault=("LLM_TIMEOUT", "LLM provider timeout after 120s"),
    )
    g.emit("aiagent.session.failed", 10, 200, error="LLM provider timeout after 120s")
    return False


def _catalog_search(g: Group) -> None:
    for event_type in (
        "workflow.catalog.actions_listed",
        "workflow.catalog.workflows_listed",
        "workflow.catalog.workflow_retrieved",
    ):
        g.emit(event_type, 30, 600)


def _validate(g: Group, v: Variant) -> None:
    attempts = 2 if v.path in ("manual_review", "retried") or g.rng.random() < 0.1 else 1
    for attempt in range(1, attempts + 1):
        valid = attempt == attempts
        fields: dict[str, Any] = (
            {}
            if valid
            else {
                "errors": ["parameter MEMORY_LIMIT: 2G does not match"],
                "validation_errors": "1 parameter invalid",
            }
        )
        g.emit(
            "aiagent.workflow.validation_attempt",
            100,
            1500,
            attempt=attempt,
            max_attempts=3,
            is_valid=valid,
            is_final_attempt=valid,
            **fields,
        )
    g.emit("workflow.catalog.selection_validated", 20, 300)


def _alignment(g: Group) -> None:
    steps = g.rng.randint(2, 4)
    for step in range(steps):
        kind = "final_answer" if step == steps - 1 else "tool_call"
        g.emit("aiagent.shadow.llm.request", 20, 200, step_index=step, step_kind=kind)
        prompt, completion = g.rng.randint(900, 6000), g.rng.randint(60, 700)
        g.emit(
            "aiagent.shadow.llm.response",
            400,
            4000,
            step_index=step,
            step_kind=kind,
            evaluation_result="success",
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=prompt + completion,
        )
        g.emit("aiagent.alignment.step", 5, 50, step_index=step, step_kind=kind)
    g.emit("aiagent.alignment.verdict", 10, 100, result="aligned", flagged=0, total=steps)
