"""TLS against the stand-in behind a throwaway self-signed certificate (made with openssl)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient
from explorer.demo.server import DemoServer
from explorer.errors import ClientError
from tests.unit.test_demo_server import make_events


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def server(certificate: tuple[Path, Path]) -> Iterator[DemoServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with DemoServer(make_events(5), tls=context) as server:
        yield server


def query(server: DemoServer, **settings: object) -> int:
    client = DataStorageClient(ClientSettings(server.url, **settings), sleep=lambda _: None)  # type: ignore[arg-type]
    with client:
        return len(client.query_events().events)


def test_ca_bundle_makes_it_trusted(server: DemoServer, certificate: tuple[Path, Path]) -> None:
    assert server.url.startswith("https://")
    assert query(server, ca_bundle=certificate[0]) == 5


def test_untrusted_certificate_says_what_to_do(server: DemoServer) -> None:
    with pytest.raises(ClientError, match="TLS failed, use --ca-bundle FILE") as info:
        query(server)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


def test_insecure_skips_verification(server: DemoServer) -> None:
    assert query(server, insecure=True) == 5
