"""``sync --context`` and ``doctor`` against a fake Kubernetes API, DataStorage behind it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from explorer.cli import main
from explorer.store.cache import Cache
from tests.kube_fake import FakeCluster, fake_cluster

SA = "system:serviceaccount:kubernaut-system:audit-reader"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "config.toml"),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "cache.duckdb"),
        "AUDIT_EXPLORER_TOKEN": None,
        "AUDIT_EXPLORER_URL": None,
        "KUBECONFIG": None,
    }


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[FakeCluster]:
    with fake_cluster(tmp_path) as cluster:
        yield cluster


def run(args: list[str], env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, args, env=env)


def kube_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "audit-explorer-kube"]


def steps(result: Result) -> dict[str, tuple[str, str]]:
    """step -> (state, detail) from doctor's lines."""
    table = {}
    for line in result.stdout.splitlines():
        state, step, detail = line.split(maxsplit=2)
        table[step] = (state, detail)
    return table


def test_sync_with_a_context_end_to_end(cluster: FakeCluster, env: Any) -> None:
    args = ["sync", "--context", "fake", "--kubeconfig", str(cluster.kubeconfig)]
    result = run(args, env)
    assert result.exit_code == 0, result.stderr
    assert "sync of fake/kubernaut-system/data-storage-service: complete" in result.stdout
    with Cache.open(str(env["AUDIT_EXPLORER_CACHE"]), notify=lambda _: None) as cache:
        assert cache.count() == 30
    assert cluster.kube.forwards >= 1
    assert not kube_threads()  # the forward closed with the command
    assert "user-token" not in result.stdout + result.stderr


def test_a_config_source_with_a_context(cluster: FakeCluster, env: Any, tmp_path: Path) -> None:
    Path(env["AUDIT_EXPLORER_CONFIG"]).write_text(
        f'default_source = "prod"\n[sources.prod]\ncontext = "fake"\n'
        f'kubeconfig = "{cluster.kubeconfig}"\n'
    )
    result = run(["sync"], env)
    assert result.exit_code == 0, result.stderr
    assert "sync of prod: complete" in result.stdout


def test_url_and_context_together_is_a_usage_error(env: Any) -> None:
    result = run(["sync", "--url", "http://x", "--context", "fake"], env)
    assert result.exit_code == 2
    assert "give --url or --context, not both" in result.stderr


def test_sync_with_a_bad_context_is_one_line(cluster: FakeCluster, env: Any) -> None:
    result = run(["sync", "--context", "nope", "--kubeconfig", str(cluster.kubeconfig)], env)
    assert result.exit_code == 1
    assert result.stderr.startswith("audit-explorer: no context 'nope'")
    assert result.stderr.count("\n") == 1
    assert not kube_threads()


def test_doctor_happy_path(cluster: FakeCluster, env: Any) -> None:
    result = run(["doctor", "--context", "fake", "--kubeconfig", str(cluster.kubeconfig)], env)
    assert result.exit_code == 0, result.stdout
    table = steps(result)
    assert list(table) == [
        "kubeconfig", "context", "service", "port-forward", "token", "TokenReview", "RBAC",
        "query",
    ]  # fmt: skip
    assert {state for state, _ in table.values()} == {"ok"}
    assert table["TokenReview"][1] == "authenticated as alice"
    assert table["query"][1] == "30 events on the server"
    assert not kube_threads()


def test_doctor_with_a_service_account(tmp_path: Path, env: Any) -> None:
    with fake_cluster(tmp_path, token="sa-token") as cluster:
        args = ["doctor", "--context", "fake", "--kubeconfig", str(cluster.kubeconfig)]
        result = run([*args, "--service-account", "kubernaut-system/audit-reader"], env)
    assert result.exit_code == 0, result.stdout
    table = steps(result)
    assert table["token"][1].startswith("TokenRequest for service account kubernaut-system/")
    assert table["TokenReview"][1] == f"authenticated as {SA}"


@pytest.mark.parametrize(
    ("args", "denied", "failed", "fix"),
    [
        (["--context", "nope"], (), "context", "no context 'nope'"),
        (
            ["--context", "fake", "--namespace", "other"],
            (),
            "service",
            "no service data-storage-service in namespace other: check --namespace",
        ),
        (
            ["--context", "fake"],
            ["alice get services/data-storage-service"],
            "service",
            "403: the kubeconfig user lacks `get` on services in kubernaut-system",
        ),
        (
            ["--context", "fake"],
            ["alice create pods/portforward"],
            "port-forward",
            "`create` on pods/portforward in kubernaut-system",
        ),
        (
            ["--context", "fake", "--service-account", "kubernaut-system/audit-reader"],
            [f"{SA} get services/data-storage-service"],
            "RBAC",
            "the token lacks `get` on services/data-storage-service in kubernaut-system",
        ),
    ],
)
def test_doctor_names_the_failed_step_and_the_fix(
    tmp_path: Path, env: Any, args: list[str], denied: list[str], failed: str, fix: str
) -> None:
    with fake_cluster(tmp_path, token="sa-token", denied=denied) as cluster:
        result = run(["doctor", *args, "--kubeconfig", str(cluster.kubeconfig)], env)
    assert result.exit_code == 1
    table = steps(result)
    assert table[failed][0] == "FAIL"
    assert fix in table[failed][1]
    assert [step for step, (state, _) in table.items() if state == "FAIL"] == [failed]
    assert len(table) == 8
    assert not kube_threads()


def test_doctor_with_a_url_skips_the_kubernetes_steps(cluster: FakeCluster, env: Any) -> None:
    url = cluster.datastorage.url
    result = run(["doctor", "--url", url, "--token", "user-token"], env)
    assert result.exit_code == 0, result.stdout
    table = steps(result)
    assert table["query"] == ("ok", "30 events on the server")
    assert table["token"][0] == "ok"
    assert [s for s, (state, _) in table.items() if state == "skip"] == [
        "kubeconfig", "context", "service", "port-forward", "TokenReview", "RBAC",
    ]  # fmt: skip
    wrong = run(["doctor", "--url", url, "--token", "wrong", "--max-tries", "1"], env)
    assert wrong.exit_code == 1
    assert steps(wrong)["query"][0] == "FAIL"
    assert "401" in steps(wrong)["query"][1]


def test_sync_with_a_url_does_not_load_kr8s(cluster: FakeCluster, env: Any, tmp_path: Path) -> None:
    code = (
        "import sys; from click.testing import CliRunner; from explorer.cli import main; "
        f"r = CliRunner().invoke(main, ['sync', '--url', {cluster.datastorage.url!r}, "
        "'--token', 'user-token']); print(r.exit_code, 'kr8s' in sys.modules)"
    )
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "False"]


def test_doctor_skips_token_review_the_user_may_not_ask(tmp_path: Path, env: Any) -> None:
    with fake_cluster(tmp_path, denied={"alice create tokenreviews"}) as cluster:
        result = run(["doctor", "--context", "fake", "--kubeconfig", str(cluster.kubeconfig)], env)
    assert result.exit_code == 0, result.stdout
    state, detail = steps(result)["TokenReview"]
    assert state == "skip"
    assert "lacks `create` on tokenreviews.authentication.k8s.io" in detail
    assert steps(result)["query"][0] == "ok"
