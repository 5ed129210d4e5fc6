"""explorer.client.kube against a fake Kubernetes API on loopback, DataStorage behind it.

The real code path: kr8s reads the kubeconfig (a token user, an exec-plugin user), calls
the fake API server over HTTP, and port-forwards over the pod portforward websocket to
the stand-in DataStorage.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, Secret
from explorer.client.kube import KubeError, KubeTarget, ServiceAccount, connect
from explorer.config import load_config
from explorer.errors import ClientError
from tests.kube_fake import FakeCluster, fake_cluster

READER = ServiceAccount("kubernaut-system", "audit-reader")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[FakeCluster]:
    with fake_cluster(tmp_path) as cluster:
        yield cluster


def query(url: str, token: Secret) -> int:
    with DataStorageClient(ClientSettings(url=url, token=token, max_tries=1)) as client:
        return client.query_events(limit=10).total


def test_a_token_user_reaches_datastorage_through_the_forward(cluster: FakeCluster) -> None:
    connection = connect(KubeTarget("fake", kubeconfig=cluster.kubeconfig))
    try:
        assert connection.token == Secret("user-token")
        assert connection.url.startswith("http://127.0.0.1:")
        assert query(connection.url, connection.token) == 30
        assert query(connection.url, connection.token) == 30
    finally:
        connection.close()
    assert cluster.kube.forwards >= 1  # the bytes went through the websocket
    assert connection.label == "fake/kubernaut-system/data-storage-service"


def test_closing_ends_the_forward_and_its_thread(cluster: FakeCluster) -> None:
    connection = connect(KubeTarget("fake", kubeconfig=cluster.kubeconfig))
    port = int(connection.url.rsplit(":", 1)[1])
    connection.close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    assert not [t for t in threading.enumerate() if t.name == "audit-explorer-kube"]


def test_an_exec_plugin_gives_the_token(tmp_path: Path) -> None:
    with fake_cluster(tmp_path, token="exec-token") as cluster:
        connection = connect(KubeTarget("fake-exec", kubeconfig=cluster.kubeconfig))
        try:
            assert connection.token == Secret("exec-token")
            assert query(connection.url, connection.token) == 30
        finally:
            connection.close()


def test_an_oidc_user_sends_its_id_token(tmp_path: Path) -> None:
    with fake_cluster(tmp_path, token="oidc-token") as cluster:
        connection = connect(KubeTarget("fake-oidc", kubeconfig=cluster.kubeconfig))
        try:
            assert connection.token == Secret("oidc-token")
            assert query(connection.url, connection.token) == 30
        finally:
            connection.close()


def test_kubeconfig_comes_from_the_environment(
    cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
    connection = connect(KubeTarget("fake"))
    connection.close()
    assert connection.token == Secret("user-token")


def test_service_account_asks_the_token_request_api(tmp_path: Path) -> None:
    with fake_cluster(tmp_path, token="sa-token") as cluster:
        target = KubeTarget("fake", kubeconfig=cluster.kubeconfig, service_account=READER)
        connection = connect(target)
        try:
            assert connection.token == Secret("sa-token")
            assert query(connection.url, connection.token) == 30
        finally:
            connection.close()
        path = "/api/v1/namespaces/kubernaut-system/serviceaccounts/audit-reader/token"
        assert f"POST {path}" in cluster.kube.calls


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (KubeTarget("fak"), "no context 'fak' in .* \\(did you mean fake\\?\\); contexts: fake"),
        (
            KubeTarget("fake", namespace="other"),
            "no service data-storage-service in namespace other: check --namespace",
        ),
        (KubeTarget("fake", port=9090), "has no port 9090 \\(its ports: 8080\\)"),
        (
            KubeTarget("fake", service_account=ServiceAccount("kubernaut-system", "nobody")),
            "no service account kubernaut-system/nobody",
        ),
        (KubeTarget("fake-stale"), "401 from the API server .* context 'fake-stale' were refused"),
    ],
)
def test_each_failure_says_what_to_fix(
    cluster: FakeCluster, target: KubeTarget, message: str
) -> None:
    target = KubeTarget(
        target.context, cluster.kubeconfig, target.namespace, target.service, target.port,
        target.service_account,
    )  # fmt: skip
    with pytest.raises(KubeError, match=message) as caught:
        connect(target)
    assert "\n" not in str(caught.value)


def test_a_403_from_the_api_names_the_verb_and_resource(tmp_path: Path) -> None:
    denied = {"alice get services/data-storage-service"}
    with fake_cluster(tmp_path, denied=denied) as cluster, pytest.raises(KubeError) as caught:
        connect(KubeTarget("fake", kubeconfig=cluster.kubeconfig))
    assert str(caught.value) == (
        "403: the kubeconfig user lacks `get` on services in kubernaut-system"
    )


def test_no_kubeconfig(tmp_path: Path) -> None:
    with pytest.raises(KubeError, match=r"no kubeconfig at .*: give --kubeconfig FILE"):
        connect(KubeTarget("fake", kubeconfig=tmp_path / "missing"))


def test_a_kubeconfig_that_is_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("contexts: [\x1b[31m")
    with pytest.raises(KubeError, match="is not valid YAML") as caught:
        connect(KubeTarget("fake", kubeconfig=bad))
    assert "\x1b" not in str(caught.value)


def test_a_403_from_datastorage_names_the_grant_it_checks() -> None:
    access = KubeTarget("fake", namespace="audit").access
    settings = ClientSettings(url="http://ds.test", access=access, max_tries=1)
    forbidden = httpx.MockTransport(lambda _: httpx.Response(403, json={"title": "Forbidden"}))
    client = DataStorageClient(settings, transport=forbidden)
    with client, pytest.raises(ClientError) as caught:
        client.query_events()
    assert "lacks `get` on services/data-storage-service in audit" in str(caught.value)


def test_service_account_takes_namespace_slash_name() -> None:
    assert ServiceAccount.parse("kubernaut-system/audit-reader") == READER
    for bad in ("audit-reader", "a/b/c", "/x", "A/b", "a/\x1b[2J"):
        with pytest.raises(KubeError, match="NAMESPACE/NAME"):
            ServiceAccount.parse(bad)


def test_a_config_source_can_name_a_context_instead_of_a_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[sources.prod]\ncontext = "prod"\nnamespace = "audit"\nport = 9090\n'
        'service_account = "audit/reader"\nkubeconfig = "~/kc"\n'
    )
    source = load_config(path).sources["prod"]
    assert (source.url, source.context, source.namespace, source.port) == (
        "",
        "prod",
        "audit",
        9090,
    )
    assert source.service == "data-storage-service"
    assert source.service_account == "audit/reader"
    assert source.kubeconfig == Path("~/kc").expanduser()


def test_a_refused_port_forward_is_one_error_after_a_few_tries(tmp_path: Path) -> None:
    with fake_cluster(tmp_path, denied={"alice create pods/portforward"}) as cluster:
        with pytest.raises(KubeError) as caught:
            connect(KubeTarget("fake", kubeconfig=cluster.kubeconfig))
        tries = [call for call in cluster.kube.calls if call.endswith("/portforward")]
    assert "refused the port-forward: 403 Forbidden" in str(caught.value)
    assert "`create` on pods/portforward in kubernaut-system" in str(caught.value)
    assert 1 <= len(tries) <= 4  # kr8s alone asks again in a busy loop, forever
