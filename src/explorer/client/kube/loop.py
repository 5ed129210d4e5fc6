"""One asyncio loop in a daemon thread: kr8s is async, the client and the CLI are not."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on its own loop; ``errors`` keeps what the loop's tasks raised.

    A port-forward serves each local connection in a task of its own; a failure there
    (the API server refused the websocket, the pod went away) has no caller to raise to,
    so it is kept here for ``doctor`` instead of being printed by asyncio.
    """

    def __init__(self, name: str = "audit-explorer-kube") -> None:
        self.errors: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._keep)
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """The coroutine's result, waiting at most ``timeout`` seconds (TimeoutError)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def stop(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    def _keep(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        self.errors.append(error if error is not None else RuntimeError(context.get("message")))
