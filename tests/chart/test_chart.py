"""The Helm chart: lint, render with default and with every value, validate each manifest against Kubernetes'
schemas (kubernetes-validate, strict), and check what the chart promises: non-root, read-only, probes, PDB."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from vcdtpm.config import load_config

pytestmark = pytest.mark.timeout(1800)  # the first test may build Helm

ROOT = Path(__file__).parents[2]
CHART = ROOT / "charts" / "vcdtpm"
FULL = Path(__file__).parent / "values-full.yaml"
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and a current one, both shipped with
# kubernetes-validate's schemas.
KUBERNETES_VERSIONS = ("1.27.0", "1.34.0")
DEFAULT_KINDS = ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"]
REAL_CLOUD = ["--set", "cloudDirector.url=https://vcd.example.com,cloudDirector.user=svc,cloudDirector.password=pw"]


def helm_run(helm: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([helm, *args], capture_output=True, text=True, timeout=120)


def render(helm: str, *args: str) -> list[dict]:
    done = helm_run(helm, "template", "rel", str(CHART), "--namespace", "ns", *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def refusal(helm: str, *args: str) -> str:
    done = helm_run(helm, "template", "rel", str(CHART), *args)
    assert done.returncode != 0, "the chart rendered what it must refuse"
    return done.stderr


def one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


def pod_specs(docs: list[dict]) -> list[dict]:
    return [d["spec"]["template"]["spec"] for d in docs if d["kind"] in ("Deployment", "Job")]


@pytest.fixture(scope="module")
def default(helm):
    return render(helm)


@pytest.fixture(scope="module")
def full(helm):
    return render(helm, "-f", str(FULL))


# -- lint and schemas ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[], ["-f", str(FULL)]], ids=["default", "full"])
def test_helm_lint_is_clean(helm, values):
    done = helm_run(helm, "lint", "--strict", str(CHART), *values)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 chart(s) failed" in done.stdout


def test_default_values_render_the_service_alone(default):
    assert sorted(d["kind"] for d in default) == DEFAULT_KINDS


def test_full_values_render_every_optional_object(full):
    kinds = sorted(d["kind"] for d in full)
    assert kinds == sorted(DEFAULT_KINDS + ["Secret", "HorizontalPodAutoscaler", "ServiceMonitor", "Job", "Job"])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("which", ["default", "full"])
def test_every_manifest_is_valid_kubernetes(request, which, version):
    docs = request.getfixturevalue(which)
    checked = 0
    for doc in docs:
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD: checked by test_the_service_monitor_scrapes_metrics_of_the_service
        kubernetes_validate.validate(doc, version, strict=True)
        checked += 1
    assert checked == len(docs) - (1 if which == "full" else 0)


def test_the_values_schema_refuses_a_mistyped_key_and_a_bad_url(helm):
    assert "additional properties 'replicaCoutn' not allowed" in refusal(helm, "--set", "replicaCoutn=2")
    assert "journal" in refusal(helm, "--set", "journal.url=mysql://db/x")
    assert "endpointUrl" in refusal(helm, "--set", "register.endpointUrl=http://plain")


# -- security -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["default", "full"])
def test_every_pod_is_non_root_read_only_without_capabilities_under_runtime_default(request, which):
    specs = pod_specs(request.getfixturevalue(which))
    assert len(specs) == (1 if which == "default" else 3)
    for spec in specs:
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True and context["runAsUser"] == 1001
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False and context["privileged"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
            assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}
            assert container["resources"]["limits"] and container["resources"]["requests"]


def test_only_tmp_and_the_data_dir_are_writable_and_both_are_empty_dirs(default):
    spec = one(default, "Deployment")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
    writable = {path: m["name"] for path, m in mounts.items() if not m.get("readOnly")}
    assert writable == {"/tmp": "tmp", "/var/lib/vcdtpm": "data"}
    assert "emptyDir" in volumes["tmp"] and "emptyDir" in volumes["data"]
    env = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}
    assert env["VCDTPM_DATA_DIR"] == "/var/lib/vcdtpm" and env["VCDTPM_CONFIG"] == "/etc/vcdtpm/config/vcdtpm.yaml"


def test_passwords_live_in_the_secret_never_in_the_config_map(helm):
    docs = render(helm, "-f", str(FULL))
    config = one(docs, "ConfigMap")["data"]["vcdtpm.yaml"]
    for secret in ("vcd-secret", "a-secret", "b-secret", "postgresql://", "scrape-secret"):
        assert secret not in config
        assert secret not in yaml.safe_dump(one(docs, "Deployment"))
    data = {k: base64.b64decode(v).decode() for k, v in one(docs, "Secret")["data"].items()}
    assert data == {
        "cloud-director-password": "vcd-secret",
        "vcenter-vc-a-password": "a-secret",
        "vcenter-vc-b-password": "b-secret",
        "journal-url": "postgresql://vcdtpm:pw@db.example.com/vcdtpm",
        "metrics-token": "scrape-secret",
    }


def test_an_existing_secret_is_used_by_name_and_none_is_created(helm):
    docs = render(helm, *REAL_CLOUD, "--set", "existingSecret=ops-vcdtpm,cloudDirector.password=")
    assert not [d for d in docs if d["kind"] == "Secret"]
    spec = one(docs, "Deployment")["spec"]["template"]["spec"]
    assert {"name": "secrets", "secret": {"secretName": "ops-vcdtpm", "defaultMode": 0o440}} in spec["volumes"]


# -- probes, ports, PDB, service ------------------------------------------------------------------------------


def test_startup_and_liveness_probe_livez_and_readiness_probes_readyz(default):
    container = one(default, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:3] == ["serve", "--host=0.0.0.0", "--port=8080"]
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    paths = {p: container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert paths == {"startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == "http" and container[probe]["httpGet"]["scheme"] == "HTTP"
    assert container["startupProbe"]["failureThreshold"] * container["startupProbe"]["periodSeconds"] >= 60


def test_with_tls_the_probes_speak_https_and_the_service_gets_the_certificate(full):
    container = one(full, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert "--certfile=/etc/vcdtpm/tls/tls.crt" in container["args"] and "--timeout=90" in container["args"]


def test_the_pdb_and_the_service_select_exactly_the_service_pods(default, full):
    for docs in (default, full):
        deployment = one(docs, "Deployment")
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == selector
        assert one(docs, "Service")["spec"]["selector"] == selector
        assert one(docs, "NetworkPolicy")["spec"]["podSelector"]["matchLabels"] == selector
        assert selector.items() <= pod_labels.items()
        for job in (d for d in docs if d["kind"] == "Job"):
            assert not selector.items() <= job["spec"]["template"]["metadata"]["labels"].items()
    assert one(default, "PodDisruptionBudget")["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": one(default, "Deployment")["spec"]["selector"]["matchLabels"]},
    }
    assert one(full, "PodDisruptionBudget")["spec"]["minAvailable"] == 2


def test_the_service_monitor_scrapes_metrics_of_the_service(full):
    monitor = one(full, "ServiceMonitor")
    assert monitor["metadata"]["namespace"] == "monitoring" and monitor["metadata"]["labels"]["release"] == "prometheus"
    endpoint = monitor["spec"]["endpoints"][0]
    assert (endpoint["path"], endpoint["port"], endpoint["scheme"]) == ("/metrics", "https", "https")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= one(full, "Service")["metadata"]["labels"].items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["ns"]}
    # /metrics answers only the metrics token (or a provider): the scraper presents the token the service reads
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "rel-vcdtpm", "key": "metrics-token"},
    }
    config = yaml.safe_load(one(full, "ConfigMap")["data"]["vcdtpm.yaml"])
    assert config["metrics_token_file"] == "/etc/vcdtpm/metrics/token"
    spec = one(full, "Deployment")["spec"]["template"]["spec"]
    volume = next(v for v in spec["volumes"] if v["name"] == "metrics-token")
    assert volume["secret"]["items"] == [{"key": "metrics-token", "path": "token"}]
    assert {"name": "metrics-token", "mountPath": "/etc/vcdtpm/metrics", "readOnly": True} in spec["containers"][0][
        "volumeMounts"
    ]


def test_a_service_monitor_without_a_metrics_token_fails_the_template(helm):
    assert "metrics.token" in refusal(helm, "--set", "metrics.serviceMonitor.enabled=true")


def test_the_autoscaler_drives_the_deployment_which_then_has_no_replica_count(full):
    hpa = one(full, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == one(full, "Deployment")["metadata"]["name"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert "replicas" not in one(full, "Deployment")["spec"]


# -- replicas need PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--set", "replicaCount=2"],
        ["--set", "autoscaling.hpa.enabled=true,autoscaling.hpa.maxReplicas=3"],
    ],
    ids=["replicaCount", "autoscaler"],
)
def test_more_than_one_replica_without_a_postgresql_journal_fails_the_template(helm, args):
    message = refusal(helm, *REAL_CLOUD, *args)
    assert "need a shared PostgreSQL journal" in message and "journal.url" in message


def test_more_than_one_replica_with_a_journal_reads_it_from_the_secret(helm):
    docs = render(helm, *REAL_CLOUD, "--set", "replicaCount=2,journal.url=postgresql://u:p@db/vcdtpm")
    env = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    journal = next(e for e in env if e["name"] == "VCDTPM_JOURNAL_URL")
    assert journal["valueFrom"]["secretKeyRef"] == {"name": "rel-vcdtpm", "key": "journal-url"}
    assert one(docs, "Deployment")["spec"]["replicas"] == 2


def test_a_journal_in_an_existing_secret_is_read_from_it(helm):
    args = "replicaCount=2,journal.existingSecret=pg,journal.existingSecretKey=url"
    env = one(render(helm, *REAL_CLOUD, "--set", args), "Deployment")["spec"]["template"]["spec"]["containers"][0][
        "env"
    ]
    assert {"name": "VCDTPM_JOURNAL_URL", "valueFrom": {"secretKeyRef": {"name": "pg", "key": "url"}}} in env


def test_the_simulated_cloud_refuses_a_second_replica(helm):
    message = refusal(helm, "--set", "replicaCount=2,journal.url=postgresql://db/x")
    assert "simulated cloud" in message


# -- registration Job ------------------------------------------------------------------------------------------


def test_the_register_job_is_a_hook_running_vcdtpm_register(full):
    job = one(full, "Job", "rel-vcdtpm-register")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    args = job["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args == [
        "register",
        "--config=/etc/vcdtpm/config/vcdtpm.yaml",
        "--endpoint-url=https://vcdtpm.example.com",
        "--certificate=/etc/vcdtpm/tls/tls.crt",
    ]
    unregister = one(full, "Job", "rel-vcdtpm-unregister")
    assert unregister["metadata"]["annotations"]["helm.sh/hook"] == "pre-delete"
    assert unregister["spec"]["template"]["spec"]["containers"][0]["args"][0] == "unregister"


def test_the_grace_period_must_outlast_the_servers_graceful_timeout(helm):
    assert "gracefulTimeout" in refusal(helm, "--set", "terminationGracePeriodSeconds=30")
    assert "tls.existingSecret" in refusal(helm, "--set", "tls.enabled=true")


def test_register_needs_a_cloud_director_and_an_https_endpoint(helm):
    assert "cloudDirector.url" in refusal(helm, "--set", "register.enabled=true,register.endpointUrl=https://x")
    assert "register.endpointUrl" in refusal(helm, *REAL_CLOUD, "--set", "register.enabled=true")


# -- the configuration file is one the service reads -----------------------------------------------------------


def test_the_rendered_configuration_loads_in_vcdtpm(full, tmp_path, monkeypatch):
    config_map = one(full, "ConfigMap")["data"]
    secrets = {k: base64.b64decode(v).decode() for k, v in one(full, "Secret")["data"].items()}
    for name, text in {**config_map, **secrets}.items():
        (tmp_path / name).write_text(text)
    text = re.sub(r"/etc/vcdtpm/(config|secrets)/", f"{tmp_path}/", config_map["vcdtpm.yaml"])
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "token").write_text(secrets["metrics-token"])
    text = text.replace("/etc/vcdtpm/metrics/", f"{tmp_path}/metrics/")
    (tmp_path / "vcdtpm.yaml").write_text(text)
    monkeypatch.delenv("VCDTPM_JOURNAL_URL", raising=False)
    config = load_config(str(tmp_path / "vcdtpm.yaml"))
    assert config.cloud_director is not None and config.cloud_director.password == "vcd-secret"
    assert [(v.name, v.password, v.verify_tls) for v in config.vcenters] == [
        ("vc-a", "a-secret", True),
        ("vc-b", "b-secret", False),
    ]
    assert config.fast_cross_vcenter_instantiation is True and config.api_version == "38.1"


# -- the image -------------------------------------------------------------------------------------------------


def test_the_default_image_is_the_dockerfiles_at_the_packages_version(default):
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version and chart["appVersion"] == version.group(1)
    assert (
        one(default, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"] == f"vcdtpm:{version.group(1)}"
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER 1001:1001$", dockerfile, re.M)  # the chart's runAsUser
    assert re.search(r'^ENTRYPOINT \["vcdtpm"\]$', dockerfile, re.M)
    assert "/livez" in re.search(r"^HEALTHCHECK .*(?:\n .*)*", dockerfile, re.M).group(0)


def test_the_readme_lists_every_value(default):
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    params = re.findall(r"^\s*## @param (\S+) ", (CHART / "values.yaml").read_text(), re.M)
    readme = (CHART / "README.md").read_text()
    assert params and all(f"| `{p}` |" in readme for p in params)

    def leaves(node, path=""):
        if isinstance(node, dict) and node:
            for key, value in node.items():
                yield from leaves(value, f"{path}.{key}" if path else key)
        else:
            yield path

    for leaf in leaves(values):
        assert any(leaf == p or leaf.startswith(p + ".") or p.startswith(leaf + ".") for p in params) or any(
            leaf.startswith(probe + ".") for probe in ("startupProbe", "livenessProbe", "readinessProbe")
        ), f"{leaf} is not documented"
