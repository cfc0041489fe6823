"""docker-compose.yml: valid against the Compose Specification, and the promises it makes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.integration.deploy._support import (
    COMPOSE_FILE,
    COMPOSE_SCHEMA,
    REPO_ROOT,
    STAGES,
    WEB_PORT,
    load_yaml,
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = load_yaml(COMPOSE_FILE)
    assert isinstance(data, dict)
    return data


def test_compose_file_matches_the_compose_specification_schema(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    assert schema.get("title") == "Compose Specification"
    Draft202012Validator.check_schema(schema)
    errors = sorted(
        Draft202012Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path)
    )
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
    )


def test_the_schema_rejects_a_broken_compose_file(compose: dict[str, Any]) -> None:
    """The validation above can fail: a misspelt key is caught."""
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(compose))
    broken["services"]["fetcher"]["comand"] = ["worker", "fetcher"]
    assert list(Draft202012Validator(schema).iter_errors(broken))


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    assert {*STAGES, "kafka", "prometheus", "grafana"} <= services


@pytest.mark.parametrize("stage", STAGES)
def test_stage_services_are_scalable_workers(compose: dict[str, Any], stage: str) -> None:
    service = compose["services"][stage]
    # Scaling (`docker compose up --scale enricher=3`) needs no fixed name and no fixed host
    # port (a published port lets Docker pick the host side: "127.0.0.1::8080").
    assert "container_name" not in service
    for mapping in service.get("ports", []):
        parts = str(mapping).split(":")
        assert len(parts) == 3 and parts[0] == "127.0.0.1" and parts[1] == "", mapping
    assert service["command"] == ["worker", stage]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (REPO_ROOT / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    env = service["environment"]
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert str(env["FRONTWIRE_WEB_PORT"]) == str(WEB_PORT)
    # Inside a container the web server must listen beyond loopback to be scraped.
    assert env["FRONTWIRE_WEB_HOST"] == "0.0.0.0"
    assert env["FRONTWIRE_STATE_DIR"] == "/var/lib/frontwire"
    assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert str(WEB_PORT) in json.dumps(service["healthcheck"]["test"])


def test_alerting_keeps_its_state_in_a_volume(compose: dict[str, Any]) -> None:
    volumes = compose["services"]["alerting"]["volumes"]
    targets = {v.split(":")[1] for v in volumes if isinstance(v, str)}
    assert "/var/lib/frontwire" in targets
    named = {v.split(":")[0] for v in volumes if isinstance(v, str) and not v.startswith(".")}
    assert named and named <= set(compose["volumes"])


def test_kafka_runs_in_kraft_mode_without_zookeeper(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == "apache/kafka:3.9.1"
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "CONTROLLER" in env["KAFKA_LISTENERS"]
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"])
    assert "healthcheck" in kafka
    assert "zookeeper" not in json.dumps(compose).lower()


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service.get("image")
        if image is None or "build" in service:
            continue
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image), f"{name}: {image} has no tag"
        assert not image.endswith(":latest"), f"{name}: {image} is not pinned"


def test_bind_mounts_point_at_files_in_the_repo(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO_ROOT / source).exists(), f"{name}: {source} is missing"


def test_monitoring_is_wired(compose: dict[str, Any]) -> None:
    services = compose["services"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["prometheus"]["volumes"]}
    assert mounts["/etc/prometheus/prometheus.yml"] == "./deploy/prometheus/prometheus.yml"
    assert mounts["/etc/prometheus/alerts.yml"] == "./deploy/prometheus/alerts.yml"
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert "kafka-exporter" in services


# Every setting that is a token or secret (shared/settings.py: SecretStr fields).
SECRET_SETTINGS = {
    "fetcher": ("FRONTWIRE_PUSH_TOKEN", "FRONTWIRE_WEBSUB_SECRET"),
    "alerting": ("FRONTWIRE_API_TOKEN", "FRONTWIRE_WEBHOOK_SECRET", "FRONTWIRE_SLACK_WEBHOOK_URL",
                 "FRONTWIRE_SLACK_TOKEN"),
}


def test_every_secret_setting_is_covered() -> None:
    from pydantic import SecretStr

    from shared.settings import Settings

    secret = {
        f"FRONTWIRE_{name.upper()}"
        for name, info in Settings.model_fields.items()
        if SecretStr in getattr(info.annotation, "__args__", (info.annotation,))
    }
    assert secret == {name for names in SECRET_SETTINGS.values() for name in names}


@pytest.mark.parametrize("service", sorted(SECRET_SETTINGS))
def test_tokens_pass_from_the_environment_or_a_secrets_file(
    compose: dict[str, Any], service: str
) -> None:
    """Never a value in the file: passed through from the operator's environment (a key with
    no value), or read from the mounted secrets directory."""
    settings = compose["services"][service]
    env = settings["environment"]
    for name in SECRET_SETTINGS[service]:
        assert name in env and env[name] is None, name
    assert env["FRONTWIRE_SECRETS_DIR"] == "/run/frontwire-secrets"
    mounts = [v for v in settings["volumes"] if v.endswith(":/run/frontwire-secrets:ro")]
    assert mounts == ["./deploy/secrets:/run/frontwire-secrets:ro"]
    ignored = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "deploy/secrets/*" in ignored


@pytest.mark.parametrize("name", (*STAGES, "kafka"))
def test_workers_and_the_broker_are_restarted_when_they_die(
    compose: dict[str, Any], name: str
) -> None:
    """Supervision (docs/deploy.md): Docker starts them again after a crash, but not after a
    deliberate `docker compose stop`."""
    assert compose["services"][name]["restart"] == "unless-stopped"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_healthchecks_probe_readiness_not_liveness(
    compose: dict[str, Any], stage: str
) -> None:
    """`service_healthy` must mean ready to take messages: /health (= /ready), not /live,
    which is 200 as soon as the worker answers at all."""
    probe = json.dumps(compose["services"][stage]["healthcheck"]["test"])
    assert f"127.0.0.1:{WEB_PORT}/health" in probe or f"127.0.0.1:{WEB_PORT}/ready" in probe
    assert "/live" not in probe
