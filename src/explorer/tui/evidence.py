"""Asking DataStorage from inside the app: verify a correlation, reconstruct its request.

``v`` on a timeline verifies its correlation in the background (the cache is writable while
it runs, as for a sync); ``R`` shows the RemediationRequest the server rebuilds from it.
Workers only call the server and post what happened.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from explorer.client.datastorage import ClientSettings, DataStorageClient
from explorer.client.evidence import ExportFilters, Reconstruction
from explorer.errors import ExplorerError
from explorer.ingest.evidence import run_verify
from explorer.store.cache import Cache
from explorer.tui.actions import bindings
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.text import clean

Post = Callable[[Message], object]


class VerifyRequested(Message):
    def __init__(self, correlation_id: str) -> None:
        super().__init__()
        self.correlation_id = correlation_id


class VerifyFinished(Message):
    def __init__(self, summary: str, tampered: bool) -> None:
        super().__init__()
        self.summary = summary
        self.tampered = tampered


class VerifyFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ReconstructRequested(Message):
    def __init__(self, correlation_id: str) -> None:
        super().__init__()
        self.correlation_id = correlation_id


class ReconstructionLoaded(Message):
    def __init__(self, found: Reconstruction) -> None:
        super().__init__()
        self.found = found


def verify_worker(
    cache: Cache, settings: ClientSettings, source: str, correlation_id: str, post: Post
) -> None:
    """Runs in a thread: the server's verdict on one correlation, into ``cache``."""
    try:
        with DataStorageClient(settings) as client:
            result = run_verify(
                cache, client, ExportFilters(correlation_id=correlation_id), source=source
            )
    except ExplorerError as exc:
        post(VerifyFailed(str(exc)))
        return
    run = result.run
    if result.tampered:
        text = f"{len(result.tampered):,} of {run.total_verified:,} events tampered"
    else:
        text = f"all {run.total_verified:,} events valid"
    post(VerifyFinished(f"Server verdict on {correlation_id}: {text}", bool(result.tampered)))


def reconstruct_worker(settings: ClientSettings, correlation_id: str, post: Post) -> None:
    """Runs in a thread: the server's reconstruction (an error is the worker's failure)."""
    with DataStorageClient(settings) as client:
        post(ReconstructionLoaded(client.reconstruct(correlation_id)))


def reconstruction_text(found: Reconstruction) -> Text:
    """The completeness and what is missing, then the YAML, all as plain text."""
    state = "valid" if found.is_valid else "not valid"
    out = Text(end="")
    out.append(f"completeness {found.completeness}% ({state})\n", style="bold")
    for error in found.errors:
        out.append(f"error: {clean(error)}\n", style="bold")
    for warning in found.warnings:
        out.append(f"warning: {clean(warning)}\n", style="dim")
    out.append("\n")
    out.append("\n".join(clean(line) for line in found.yaml.splitlines()))
    return out


class ReconstructionScreen(ExplorerScreenMixin, Screen[None]):
    """The RemediationRequest the server rebuilt from the audit trail."""

    BINDINGS = bindings("reconstruction")

    def __init__(self, found: Reconstruction) -> None:
        super().__init__()
        self.found = found

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll():
            yield Static(reconstruction_text(self.found), id="reconstruction")
        yield Footer()
