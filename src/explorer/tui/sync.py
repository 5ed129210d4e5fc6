"""Sync from DataStorage inside the app: a background worker with progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.tui.app import ExplorerApp


def start_sync(app: ExplorerApp) -> None:
    if app.sync_url is None:
        app.notify(
            "No DataStorage URL configured: set AUDIT_EXPLORER_URL "
            "or add a source to the config file.",
            title="Sync",
            severity="warning",
            markup=False,
        )
