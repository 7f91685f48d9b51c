"""deploy/: the Kubernetes manifests against the Kubernetes schema, the Compose file and the HAProxy configuration
(read, and checked by haproxy itself where it is installed). The live path through the balancer is
tests/test_replicas.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.conftest import skip_or_fail
from tests.replicas import HAPROXY, HAPROXY_CFG, haproxy_missing, loopback_config

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
MANIFESTS = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.33"  # a version every maintained cluster runs or has passed
HEALTH = "/_stcore/health"


def manifest(kind: str) -> dict:
    (found,) = [d for path in MANIFESTS for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] == kind]
    return found


def test_every_manifest_matches_the_kubernetes_schema() -> None:
    assert {manifest(k)["kind"] for k in ("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler")}
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text()):
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)  # raises on any error


def test_the_schema_check_rejects_a_misspelt_field() -> None:
    deployment = manifest("Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": HEALTH}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_pods_are_probed_on_the_health_endpoint_and_share_one_cookie_secret() -> None:
    pod = manifest("Deployment")["spec"]["template"]
    (app,) = pod["spec"]["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"]["path"] == HEALTH
    assert app["resources"]["requests"]["cpu"] and app["resources"]["requests"]["memory"]
    (secret,) = [e for e in app["env"] if e["name"] == "STREAMLIT_SERVER_COOKIE_SECRET"]
    assert "secretKeyRef" in secret["valueFrom"]  # from one Secret, so every replica has the same
    service = manifest("Service")
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()


def test_the_ingress_keeps_a_session_on_its_pod_by_cookie_and_holds_websockets_open() -> None:
    ingress = manifest("Ingress")
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == manifest("Service")["metadata"]["name"]
    target = manifest("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", manifest("Deployment")["metadata"]["name"])


def test_compose_runs_the_balancers_replicas_with_one_cookie_secret() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    servers = [line.split()[2].split(":")[0] for line in HAPROXY_CFG.read_text().splitlines()
               if line.strip().startswith("server ")]
    assert servers and all(s in services for s in servers)
    secrets = {services[s]["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"] for s in servers}
    assert len(secrets) == 1 and "VAE_COOKIE_SECRET" in secrets.pop()
    (mount,) = services["balancer"]["volumes"]
    assert mount.startswith("./haproxy.cfg:")


def test_the_balancer_sticks_by_cookie_checks_health_and_holds_websockets() -> None:
    text = HAPROXY_CFG.read_text()
    assert "cookie vae_replica insert" in text and "balance source" not in text  # not by client address
    assert f"option httpchk GET {HEALTH}" in text
    assert "option redispatch" in text and "timeout tunnel 2h" in text


def test_the_loopback_configuration_keeps_the_deployed_servers_options() -> None:
    config = loopback_config([9001, 9002], 9000, Path("/tmp/stats.sock"))
    servers = [line.split() for line in config.splitlines() if line.strip().startswith("server ")]
    assert servers == [["server", "r0", "127.0.0.1:9001", "check", "cookie", "r0"],
                       ["server", "r1", "127.0.0.1:9002", "check", "cookie", "r1"]]
    assert "bind 127.0.0.1:9000" in config and "cookie vae_replica insert" in config


@pytest.mark.parametrize("which", ["deployed", "loopback"])
def test_haproxy_accepts_the_configuration(which: str, tmp_path: Path) -> None:
    if reason := haproxy_missing():
        skip_or_fail(reason)
    path = HAPROXY_CFG
    if which == "loopback":
        path = tmp_path / "haproxy.cfg"
        path.write_text(loopback_config([9001, 9002], 9000, tmp_path / "stats.sock"))
    check = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
