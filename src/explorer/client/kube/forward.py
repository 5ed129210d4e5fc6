"""A kr8s port-forward served in a task of its own, listening before ``start`` returns.

kr8s's own ``start()`` returns as soon as it has picked a port, before the listening
socket exists, and a bind that fails is lost in its background task; here the first
connection never races the listener and a failed bind is an error the caller sees.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx_ws
from kr8s import ConnectionClosedError
from kr8s.asyncio.portforward import PortForward

WEBSOCKET_TRIES = 4


class BoundedPortForward(PortForward):
    """kr8s 0.20's ``PortForward`` with a bounded retry of the websocket.

    Its own retry never counts its attempts: a refused websocket (403 without
    ``create`` on pods/portforward, a pod gone) is asked again in a busy loop forever.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures: list[BaseException] = []

    async def _sync_sockets(self, reader: Any, writer: Any) -> None:
        """kr8s's, keeping what failed (before the local socket closes) for the caller."""
        try:
            await super()._sync_sockets(reader, writer)
        except Exception as exc:
            self.failures.append(exc)

    @contextlib.asynccontextmanager
    async def _connect_websocket(self) -> AsyncIterator[Any]:
        refused: BaseException | None = None
        for attempt in range(WEBSOCKET_TRIES):
            pod = await self._select_pod()  # again after a refusal: the pod may have moved
            assert pod.api is not None
            opened = False
            try:
                async with pod.api.open_websocket(
                    version=pod.version,
                    url=f"{pod.endpoint}/{pod.name}/portforward",
                    namespace=pod.namespace,
                    params={"name": pod.name, "namespace": pod.namespace,
                            "ports": f"{self.remote_port}"},
                ) as websocket:  # fmt: skip
                    opened = True
                    yield websocket
                    return
            except httpx_ws.HTTPXWSException as exc:
                if opened:
                    raise
                refused = exc
                await anyio.sleep(0.1 * attempt)
        raise ConnectionClosedError(f"the API server refused the port-forward: {_why(refused)}")


def _why(exc: BaseException | None) -> str:
    response = getattr(exc, "response", None)
    if response is not None:
        return f"{response.status_code} {response.reason_phrase}".strip()
    return exc.__class__.__name__ if exc is not None else "unknown"


class Forward:
    def __init__(self, forward: BoundedPortForward) -> None:
        self._forward = forward
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Listen; the local port (the bind's error when it fails)."""
        started: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._serve(started))
        return await started

    async def _serve(self, started: asyncio.Future[int]) -> None:
        try:
            async with self._forward as port:
                started.set_result(port)
                await self._stop.wait()
        except Exception as exc:
            if started.done():
                raise
            started.set_exception(exc)

    @property
    def failures(self) -> list[BaseException]:
        """What failed in the connections served so far (a refused websocket, ...)."""
        return list(self._forward.failures)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
