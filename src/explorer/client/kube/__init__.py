"""Reach DataStorage in a cluster the way ``kubectl`` does: kubeconfig, port-forward, tokens.

``connect(target)`` reads the kubeconfig (exec plugins and OIDC id-tokens included, through
kr8s), finds a ready pod behind the service, forwards a loopback port to it over the API
server's websocket ``portforward`` subresource, and picks the bearer token DataStorage gets:
the kubeconfig user's, or a short-lived one from the TokenRequest API for
``--service-account NS/NAME`` (what ``kubectl create token`` does). ``Cluster`` holds the
steps one by one for ``audit-explorer doctor``.
"""

from __future__ import annotations

from explorer.client.kube.cluster import (
    Cluster,
    Connection,
    KubeError,
    KubeTarget,
    ServiceAccount,
    connect,
)
from explorer.client.kube.kubeconfig import kubeconfig_paths, read_kubeconfig

__all__ = [
    "Cluster",
    "Connection",
    "KubeError",
    "KubeTarget",
    "ServiceAccount",
    "connect",
    "kubeconfig_paths",
    "read_kubeconfig",
]
