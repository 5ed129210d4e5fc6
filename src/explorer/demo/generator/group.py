"""One correlation group (an incident, a session, a background burst) and its clock."""

from __future__ import annotations

import random
from typing import Any

from explorer.demo.generator.catalog import meta
from explorer.demo.generator.values import Ctx, rfc3339, uuid4

RETENTION_DAYS = 2555


class Group:
    """Emits events for one correlation ID, in time order, each a little after the last."""

    __slots__ = ("corr", "ctx", "end", "events", "rng", "scale", "start", "t")

    def __init__(
        self, rng: random.Random, ctx: Ctx, corr: str, start: int, end: int, scale: float
    ) -> None:
        self.rng = rng
        self.ctx = ctx
        self.corr = corr
        self.start = start
        self.t = start
        self.end = end
        self.scale = scale
        self.events: list[dict[str, Any]] = []
        ctx["correlation_id"] = corr

    def wait(self, low: int, high: int) -> None:
        step = self.rng.randint(low, high)
        self.t += max(1, int(step * self.scale)) if self.scale != 1.0 else max(1, step)

    def elapsed(self) -> int:
        return self.t - self.start

    def emit(
        self,
        event_type: str,
        low: int = 20,
        high: int = 400,
        *,
        ev_outcome: str | None = None,
        took: int | None = None,
        parent: dict[str, Any] | None = None,
        fault: tuple[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Advance the clock by ``low..high`` ms and record one event.

        ``fields`` go to event_data; ``took`` is the envelope's duration_ms (and the payload's,
        where it declares one); ``fault`` the envelope's error code and message.
        """
        self.wait(low, high)
        now = min(self.t, self.end)
        rng, ctx = self.rng, self.ctx
        info = meta(event_type)
        ctx["_now"] = now
        event_id = uuid4(rng)
        slots = info.plan.slots
        if "event_id" in slots:
            fields["event_id"] = event_id
        if took is not None and "duration_ms" in slots and "duration_ms" not in fields:
            fields["duration_ms"] = took
        stamp = rfc3339(now)
        event: dict[str, Any] = {
            "event_id": event_id,
            "version": "1.0",
            "event_type": event_type,
            "event_timestamp": stamp,
            "event_date": stamp[:10],
            "event_category": info.category,
            "event_action": info.action,
            "event_outcome": ev_outcome or info.outcome,
            "actor_type": info.actor_type,
            "actor_id": info.actor_id or ctx["user"],
        }
        actor_ip = ctx.get("actor_ip")
        if actor_ip is not None:
            event["actor_ip"] = actor_ip
        event["resource_type"] = info.resource_type
        resource_id = ctx.get(info.resource_key)
        if resource_id is not None:
            event["resource_id"] = resource_id
        event["correlation_id"] = self.corr
        event["parent_event_id"] = parent["event_id"] if parent else None
        event["parent_event_date"] = parent["event_timestamp"] if parent else None
        event["namespace"] = ctx.get("namespace")
        event["cluster_id"] = ctx.get("cluster")
        event["severity"] = ctx.get("severity")
        event["duration_ms"] = took
        event["error_code"] = fault[0] if fault else None
        event["error_message"] = fault[1] if fault else None
        event["retention_days"] = ctx.get("retention_days", RETENTION_DAYS)
        event["is_sensitive"] = event_type == "aiagent.secret.accessed"
        event["event_data"] = info.plan.build(rng, ctx, fields)
        self.events.append(event)
        return event


def error_details(component: str, code: str, message: str, *, retry: bool = True) -> dict[str, Any]:
    return {"message": message, "code": code, "component": component, "retry_possible": retry}
