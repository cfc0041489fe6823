"""deploy/k8s: rendered by kustomize, valid against the Kubernetes and KEDA schemas, and in
step with the code (services, consumer groups, topics, partitions, probes, ports, secrets).

kustomize and KEDA's CRD come from `make k8s-tools` (deploy/k8s/tools.sh, run by `make test`);
without them the tests that need them skip, saying so. The Kubernetes schemas come with the
dev dependency kubernetes-validate.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from services.flow import SERVICES, stage, stages_of
from shared.kafka.topics import TopicMap
from shared.settings import SERVICES as SETTINGS_SERVICES
from shared.settings import Settings, load_settings
from tests.integration.deploy._support import DEPLOY

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
OVERLAY = K8S / "overlays" / "example"
TOOLS = K8S / "tools.sh"
KUSTOMIZE = K8S / ".cache" / "bin" / "kustomize"
INSTALL_HINT = "run `make k8s-tools` (deploy/k8s/tools.sh install; `make test` does)"
# The oldest Kubernetes minor the manifests claim, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30", "latest")
# The settings whose values are secrets (SECURITY.md, "What each secret protects").
SECRET_SETTINGS = frozenset(
    {
        "FRONTWIRE_API_TOKEN",
        "FRONTWIRE_PUSH_TOKEN",
        "FRONTWIRE_WEBSUB_SECRET",
        "FRONTWIRE_WEBHOOK_SECRET",
        "FRONTWIRE_WEBHOOK_URL",
        "FRONTWIRE_SLACK_WEBHOOK_URL",
        "FRONTWIRE_SLACK_TOKEN",
    }
)
Manifest = list[dict[str, Any]]


# --- rendering -----------------------------------------------------------------------------


def _kustomize(directory: Path) -> Manifest:
    if not KUSTOMIZE.is_file():
        pytest.skip(f"kustomize is absent at {KUSTOMIZE}: {INSTALL_HINT}")
    result = subprocess.run(
        [str(KUSTOMIZE), "build", str(directory)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def base() -> Manifest:
    return _kustomize(BASE)


@pytest.fixture(scope="module")
def overlay() -> Manifest:
    return _kustomize(OVERLAY)


@pytest.fixture(scope="module", params=["base", "overlay"])
def rendered(request: pytest.FixtureRequest) -> Manifest:
    manifest: Manifest = request.getfixturevalue(request.param)
    return manifest


def _objects(manifest: Manifest, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifest if o["kind"] == kind}


def _deployment(manifest: Manifest, service: str) -> dict[str, Any]:
    return _objects(manifest, "Deployment")[f"frontwire-{service}"]


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def _config(manifest: Manifest) -> dict[str, str]:
    (config,) = (
        o for o in manifest
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("frontwire-config")
    )
    data: dict[str, str] = config["data"]
    return data


# --- schemas -------------------------------------------------------------------------------


def _kubernetes_errors(obj: dict[str, Any], version: str) -> list[str]:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate (a dev dependency) is not installed"
    )
    if version == "latest":
        version = kubernetes_validate.latest_version()
    try:
        # strict: an unknown field is an error, as with `kubectl apply --validate=strict`
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'/'.join(map(str, exc.path))}: {exc.message}"]
    return []


def _keda_dir() -> Path:
    version = re.search(r"^KEDA_VERSION=(\S+)$", TOOLS.read_text(encoding="utf-8"), re.M)
    assert version, "deploy/k8s/tools.sh pins KEDA_VERSION"
    directory = K8S / ".cache" / f"keda-{version.group(1)}"
    if not (directory / "zip.sha256").is_file():
        pytest.skip(f"KEDA's CRD is absent from {directory}: {INSTALL_HINT}")
    return directory


def _strict(schema: Any) -> Any:
    """The CRD's schema with unknown fields refused where it lists the fields: what the API
    server does with `kubectl apply --validate=strict` (by default it drops them silently,
    so a misspelt `maxReplicaCont` would just be ignored)."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@pytest.fixture(scope="module")
def scaledobject_validator() -> Draft202012Validator:
    crd = yaml.safe_load((_keda_dir() / "keda.sh_scaledobjects.yaml").read_text(encoding="utf-8"))
    assert crd["spec"]["names"]["kind"] == "ScaledObject"
    (version,) = (v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    schema = _strict(version["schema"]["openAPIV3Schema"])
    # metadata is the API server's (`type: object` in the CRD): the Kubernetes ObjectMeta rules
    # for it are not repeated here; name and namespace are checked by the tests below.
    schema["properties"]["metadata"] = {"type": "object"}
    schema["properties"]["apiVersion"]["enum"] = [f"{crd['spec']['group']}/v1alpha1"]
    schema["properties"]["kind"]["enum"] = ["ScaledObject"]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _keda_errors(validator: Draft202012Validator, obj: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
    ]


@pytest.fixture(scope="module")
def kafka_scaler_keys() -> frozenset[str]:
    """The trigger metadata keys KEDA's Kafka scaler reads, from its source in the module."""
    source = (_keda_dir() / "kafka_scaler.go").read_text(encoding="utf-8")
    keys = set(re.findall(r'TriggerMetadata\["(\w+)"\]', source))
    keys |= set(re.findall(r'^\s*\w+MetricName\s*=\s*"(\w+)"', source, re.M))  # lagThreshold
    assert {"bootstrapServers", "consumerGroup", "topic", "lagThreshold"} <= keys
    return frozenset(keys)


def test_every_object_matches_the_kubernetes_schemas(rendered: Manifest) -> None:
    errors = [
        f"{o['kind']}/{o['metadata']['name']} ({version}): {error}"
        for o in rendered
        if o["kind"] != "ScaledObject"
        for version in KUBERNETES_VERSIONS
        for error in _kubernetes_errors(o, version)
    ]
    assert not errors, "\n".join(errors)
    assert {o["kind"] for o in rendered} == {
        "Namespace", "ConfigMap", "Deployment", "Service", "ScaledObject"
    }
    (namespace,) = _objects(rendered, "Namespace")
    assert {o["metadata"].get("namespace") for o in rendered if o["kind"] != "Namespace"} == {
        namespace
    }


def test_scaled_objects_match_the_keda_crd(
    rendered: Manifest, scaledobject_validator: Draft202012Validator,
    kafka_scaler_keys: frozenset[str],
) -> None:
    scaled = _objects(rendered, "ScaledObject")
    assert scaled
    for name, obj in scaled.items():
        assert not _keda_errors(scaledobject_validator, obj), (name, _keda_errors(
            scaledobject_validator, obj))
        for trigger in obj["spec"]["triggers"]:
            assert trigger["type"] == "kafka"
            unknown = set(trigger["metadata"]) - kafka_scaler_keys
            assert not unknown, f"{name}: KEDA's Kafka scaler reads no {sorted(unknown)}"


def _mutated(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    *parents, last = path.split("/")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec/replicas", "two"),  # a wrong type
        ("spec/template/spec/containers/0/livenessProbe/httpGet/paht", "/live"),  # misspelt
        ("spec/template/spec/securityContext/runAsNonRoot", "yes"),
    ],
)
def test_a_broken_deployment_fails_validation(base: Manifest, path: str, value: Any) -> None:
    broken = _mutated(_deployment(base, "cleaner"), path, value)
    assert _kubernetes_errors(broken, "latest")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("spec/maxReplicaCont", 12),  # misspelt: the API server would drop it silently
        ("spec/triggers/0/metadata/lagThreshold", 50),  # trigger metadata are strings
        ("spec/minReplicaCount", "1"),
        ("spec/scaleTargetRef", {}),  # the target's name is required
    ],
)
def test_a_broken_scaled_object_fails_validation(
    base: Manifest, scaledobject_validator: Draft202012Validator, path: str, value: Any
) -> None:
    obj = _objects(base, "ScaledObject")["frontwire-enricher"]
    assert not _keda_errors(scaledobject_validator, obj)
    assert _keda_errors(scaledobject_validator, _mutated(obj, path, value))


def test_a_misspelt_kafka_trigger_key_is_caught(kafka_scaler_keys: frozenset[str]) -> None:
    assert "consumerGroup" in kafka_scaler_keys
    assert "consumergroup" not in kafka_scaler_keys
    assert "maxReplicaCount" not in kafka_scaler_keys


# --- in step with the code -----------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(base: Manifest) -> dict[str, Settings]:
    """Each service's settings as its pod would load them: the ConfigMap and the literal env
    of its container, read by frontwire's own settings loader (so every value must be valid)."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for service in SERVICES:
            env = dict(_config(base))
            env |= {e["name"]: e["value"] for e in _container(_deployment(base, service))
                    .get("env", []) if "value" in e}
            # The Secret's mount point is checked below; it does not exist here.
            env.pop("FRONTWIRE_SECRETS_DIR", None)
            with mp.context() as service_env:
                for name, value in env.items():
                    service_env.setenv(name, value)
                out[service] = load_settings()
    return out


def test_every_service_has_a_deployment_that_runs_it(base: Manifest) -> None:
    assert set(SERVICES) == set(SETTINGS_SERVICES)
    assert set(_objects(base, "Deployment")) == {f"frontwire-{s}" for s in SERVICES}
    for service in SERVICES:
        container = _container(_deployment(base, service))
        assert container["args"] == ["worker", service]
        assert container["image"].startswith("frontwire:")


def _consumed_topics(service: str, settings: Settings) -> set[str]:
    topics = TopicMap.from_settings(settings)
    return {getattr(topics, s.consumes) for s in stages_of(service) if s.consumes}


def test_scaled_objects_watch_the_groups_and_topics_the_code_consumes(
    base: Manifest, settings: dict[str, Settings]
) -> None:
    from shared.kafka.app import make_app  # faust: imported only by the tests that need it

    scaled = _objects(base, "ScaledObject")
    # The fetcher polls on the group leader alone (flow.py): more replicas would not poll
    # faster, so it is not scaled on lag.
    assert stage("fetch").tick_scope == "leader"
    assert set(scaled) == {f"frontwire-{s}" for s in SERVICES if s != "fetcher"}
    for name, obj in scaled.items():
        service = name.removeprefix("frontwire-")
        assert obj["spec"]["scaleTargetRef"] == {"name": f"frontwire-{service}"}
        group = make_app(service, settings[service].model_copy(
            update={"state_dir": Path("/nonexistent")})).conf.id
        triggers = [t["metadata"] for t in obj["spec"]["triggers"]]
        assert {t["consumerGroup"] for t in triggers} == {group}
        topics = [t["topic"] for t in triggers]
        assert len(topics) == len(set(topics))
        assert set(topics) == _consumed_topics(service, settings[service])
        container = _container(_deployment(base, service))
        for t in triggers:
            # bootstrapServersFromEnv is resolved in the scale target's container environment
            assert t["bootstrapServersFromEnv"] == "KAFKA_BOOTSTRAP_SERVERS"
            assert container["envFrom"][0]["configMapRef"]["name"].startswith("frontwire-config")
            assert int(t["lagThreshold"]) > 0
            assert t["offsetResetPolicy"] == "earliest"  # faust's consumer_auto_offset_reset


def test_no_stage_scales_beyond_its_partitions(rendered: Manifest) -> None:
    partitions = int(_config(rendered)["FRONTWIRE_PARTITIONS"])
    for name, obj in _objects(rendered, "ScaledObject").items():
        spec = obj["spec"]
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= partitions, name
        for trigger in spec["triggers"]:
            # KEDA itself caps at the partition count unless told otherwise
            assert trigger["metadata"]["allowIdleConsumers"] == "false"
    for name, obj in _objects(rendered, "Deployment").items():
        assert obj["spec"].get("replicas", 1) <= partitions, name


def test_kedas_count_is_not_fought_over(base: Manifest) -> None:
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in _objects(base, "ScaledObject").values()}
    for name, deployment in _objects(base, "Deployment").items():
        strategy = deployment["spec"]["strategy"]["rollingUpdate"]
        if name in scaled:
            # `kubectl apply` of a replicas field would reset what the HPA set
            assert "replicas" not in deployment["spec"], name
            # a surge pod at the ceiling would hold no partition and never be ready
            assert strategy == {"maxSurge": 0, "maxUnavailable": 1}, name
        else:
            assert strategy == {"maxSurge": 1, "maxUnavailable": 0}, name


@pytest.mark.parametrize("service", SERVICES)
def test_probes_ask_what_the_worker_serves(
    base: Manifest, settings: dict[str, Settings], service: str
) -> None:
    from shared.kafka.app import make_app

    app = make_app(service, settings[service].model_copy(
        update={"state_dir": Path("/nonexistent")}))
    served = set(app.web.views)
    container = _container(_deployment(base, service))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["web"] == settings[service].web_port
    probes = {k: container[k]["httpGet"] for k in
              ("startupProbe", "livenessProbe", "readinessProbe")}
    assert {p["port"] for p in probes.values()} == {"web"}
    # Liveness must not be readiness: a worker waiting for the broker is alive
    # (docs/deploy.md, "Supervision and probes").
    assert probes["livenessProbe"]["path"] == probes["startupProbe"]["path"] == "/live"
    assert probes["readinessProbe"]["path"] in {"/ready", "/health"}
    assert {p["path"] for p in probes.values()} <= served
    annotations = _deployment(base, service)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(settings[service].web_port)
    assert annotations["prometheus.io/path"] in served
    if service == "alerting":
        assert ports["api"] == settings[service].api_port
        assert settings[service].api_host == "0.0.0.0"


def test_services_reach_named_container_ports(base: Manifest) -> None:
    deployments = _objects(base, "Deployment").values()
    for name, svc in _objects(base, "Service").items():
        (target,) = (d for d in deployments if svc["spec"]["selector"].items()
                     <= d["spec"]["template"]["metadata"]["labels"].items())
        assert target["metadata"]["name"] == name
        names = {p["name"] for p in _container(target)["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= names, name
        assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"  # nothing exposed


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_locked_down(base: Manifest, service: str) -> None:
    pod = _deployment(base, service)["spec"]["template"]["spec"]
    container = _container(_deployment(base, service))
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's user (deploy/Dockerfile)
    assert pod["automountServiceAccountToken"] is False
    # Service links would inject FRONTWIRE_<NAME>_PORT=tcp://… into a frontwire process.
    assert pod["enableServiceLinks"] is False
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # What a worker writes: its state dir and temporary files, on volumes of the pod's own.
    mounts = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert mounts == {_config(base)["FRONTWIRE_STATE_DIR"], "/tmp"}
    assert container["resources"]["requests"].keys() >= {"cpu", "memory"}
    assert "memory" in container["resources"]["limits"]


def test_secrets_come_from_kubernetes_secrets_and_nowhere_else(rendered: Manifest) -> None:
    assert not _objects(rendered, "Secret")  # no value is committed
    assert not SECRET_SETTINGS & set(_config(rendered))
    mounted = {}
    for name, deployment in _objects(rendered, "Deployment").items():
        container = _container(deployment)
        env = {e["name"]: e for e in container.get("env", [])}
        assert not SECRET_SETTINGS & set(env), name
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        for mount in container["volumeMounts"]:
            secret = volumes[mount["name"]].get("secret")
            if secret:
                assert mount["readOnly"] is True
                assert env["FRONTWIRE_SECRETS_DIR"]["value"] == mount["mountPath"]
                assert secret["defaultMode"] == 0o440  # the user's group (fsGroup) reads it
                mounted[name] = secret["secretName"]
    # Only the services with tokens get a Secret, each its own.
    assert mounted == {
        "frontwire-fetcher": "frontwire-fetcher",
        "frontwire-alerting": "frontwire-alerting",
    }


def test_the_overlay_changes_what_it_says(base: Manifest, overlay: Manifest) -> None:
    assert _config(overlay)["KAFKA_BOOTSTRAP_SERVERS"] != _config(base)["KAFKA_BOOTSTRAP_SERVERS"]
    assert _config(overlay)["FRONTWIRE_PARTITIONS"] == _config(base)["FRONTWIRE_PARTITIONS"]
    assert _deployment(overlay, "fetcher")["spec"]["replicas"] == 2
    for service in SERVICES:
        image = _container(_deployment(overlay, service))["image"]
        assert image == "registry.example.org/frontwire:0.1.0"
        # the generated ConfigMap's new name reaches every Deployment
        ref = _container(_deployment(overlay, service))["envFrom"][0]["configMapRef"]["name"]
        assert ref == next(o["metadata"]["name"] for o in overlay if o["kind"] == "ConfigMap")


def test_the_tools_script_is_clean_bash_that_explains_itself() -> None:
    assert os.access(TOOLS, os.X_OK)
    assert TOOLS.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    assert subprocess.run(["bash", "-n", str(TOOLS)], timeout=30).returncode == 0
    shellcheck = shutil.which("shellcheck")
    if shellcheck:  # installed by .ci/run
        result = subprocess.run([shellcheck, str(TOOLS)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stdout
    usage = subprocess.run([str(TOOLS), "--help"], capture_output=True, text=True, timeout=30)
    assert usage.returncode == 0 and "install" in usage.stdout
    assert subprocess.run([str(TOOLS), "bogus"], capture_output=True, timeout=30).returncode == 2
