"""The Docker and Kubernetes paths, checked without Docker or Kubernetes: docker-compose.yml through compose-go (the
loader docker compose uses), deploy/k8s/base through kustomize and then against the Kubernetes API schemas, and every
process's environment against the settings its code reads — a misspelt variable, a missing secret or another
service's secret in a container fails here, not on the night of the install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from banks.bootstrap import SPEC as BANKS
from banks.settings import BanksSettings
from contracts import TOPICS
from firms.bootstrap import SPEC as FIRMS
from lianrong_platform.installation import generate
from lianrong_platform.kafka.connection import KafkaConnection
from lianrong_platform.settings import ServiceSettings
from matcher.bootstrap import SPEC as MATCHER
from matcher.settings import MatcherSettings
from notifier.bootstrap import SPEC as NOTIFIER
from notifier.settings import NotifierSettings
from oversight.bootstrap import SPEC as OVERSIGHT
from oversight.settings import OversightSettings
from portal.app import PortalSettings

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / ".state" / "bin" / "deploycheck"
KUBERNETES = "1.33.0"
SPECS = {s.name: s for s in (FIRMS, BANKS, MATCHER, OVERSIGHT, NOTIFIER)}
OWN_SETTINGS: dict[str, type[BaseSettings]] = {
    "banks": BanksSettings,
    "matcher": MatcherSettings,
    "oversight": OversightSettings,
    "notifier": NotifierSettings,
}
EVERY_PROCESS = {"LIANRONG_SECRETS_DIR", "LOG_FORMAT", "LOG_LEVEL"}
TOPICS_JOB = {"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS"}


def names(settings: type[BaseSettings], prefix: str | None = None) -> set[str]:
    """The environment variables a settings class reads."""
    prefix = prefix if prefix is not None else str(settings.model_config.get("env_prefix", ""))
    found: set[str] = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            found |= {c for c in alias.choices if isinstance(c, str)}
        else:
            found.add(f"{prefix}{name}".upper())
    return found


def read_by(process: str) -> set[str]:
    """Every variable the process's code reads (a process: `<service> <role>`, `portal`, a job)."""
    kafka = names(KafkaConnection) | {"KAFKA_BOOTSTRAP_SERVERS"}
    if process == "portal":
        return names(PortalSettings) | EVERY_PROCESS
    if process == "topics":
        return kafka | TOPICS_JOB | EVERY_PROCESS
    if process == "demo":
        return {"LIANRONG_STATE", "DEMO_FIRMS_URL", "DEMO_BANKS_URL", "DEMO_NOTIFIER_URL"} | EVERY_PROCESS
    service = process.split()[0]
    # A consumer makes sure of its dead-letter topic at start (lianrong_platform.kafka.topics), with its settings.
    found = names(ServiceSettings, f"{service.upper()}_") | kafka | TOPICS_JOB | EVERY_PROCESS
    if service in OWN_SETTINGS:
        found |= names(OWN_SETTINGS[service])
    return found


def process_of(args: list[str], entrypoint: list[str] | None = None) -> str:
    if entrypoint and entrypoint[0] == "lianrong-topics":
        return "topics"
    if entrypoint and entrypoint[0] == "lianrong-secrets":
        return "secrets"
    return args[0] if args[0] in ("portal", "demo") else f"{args[0]} {args[1]}"


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `lianrong-secrets` makes for an installation: the files each holder's mount will show."""
    directory = tmp_path_factory.mktemp("secrets")
    generate(directory, db_host="postgres", db_port=5432, owners=False)
    return directory


def check_process(process: str, env: dict[str, str], files: dict[str, set[str]]) -> list[str]:
    """What is wrong with one process's environment: unknown variables, a required secret it cannot read, a file
    setting that points at nothing mounted, another service's secrets. `files`: mount path → file names."""
    problems = [f"{process}: {name} is read by no code" for name in sorted(set(env) - read_by(process))]

    def readable(path: str) -> bool:
        directory, _, name = path.rpartition("/")
        return name in files.get(directory, set())

    if process in ("topics", "demo", "portal", "secrets"):
        return problems
    service = process.split()[0]
    secrets_dir = env.get("LIANRONG_SECRETS_DIR", "")
    if f"{service.upper()}_DATABASE_URL" not in env and not readable(f"{secrets_dir}/{service.upper()}_DATABASE_URL"):
        problems.append(f"{process}: no {service.upper()}_DATABASE_URL")
    for name, value in env.items():
        if name.endswith("_FILE") and not readable(value):
            problems.append(f"{process}: {name}={value} is not a mounted file")
    if not env.get("JWT_PUBLIC_KEY_FILE"):
        problems.append(f"{process}: no JWT_PUBLIC_KEY_FILE")
    for other in set(SPECS) - {service}:
        held = {f for names_ in files.values() for f in names_}
        if f"{other.upper()}_DATABASE_URL" in held or any(other.upper() in k for k in env if "DATABASE" in k):
            problems.append(f"{process}: holds {other}'s database secret")
    if service != "banks" and "jwt-private.pem" in {f for names_ in files.values() for f in names_}:
        problems.append(f"{process}: holds the token signing key")
    return problems


# --- docker compose --------------------------------------------------------------------------------------------
def compose(*profiles: str) -> dict[str, Any]:
    out = subprocess.run(
        [str(CHECK), "compose", str(ROOT / "docker-compose.yml"), *profiles],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_compose_loads_as_docker_compose_would_and_the_demo_profile_adds_the_seeder() -> None:
    plain, demo = compose(), compose("demo")
    assert "demo" not in plain["services"]
    assert demo["services"]["demo"]["depends_on"]["firms-api"]["condition"] == "service_healthy"
    processes = {process_of(s.get("command") or [""] * 2, s.get("entrypoint")) for s in plain["services"].values()}
    for spec in SPECS.values():
        for role in ("api", "consumer", *(("relay",) if spec.publishes else ()), *spec.workers):
            assert f"{spec.name} {role}" in processes
    assert {"portal", "topics", "secrets"} <= processes
    for name in ("postgres-data", "kafka-data", "firms-secrets", "demo"):
        assert name in plain["volumes"]


def test_compose_refuses_a_misspelt_key(tmp_path: Path) -> None:
    broken = (ROOT / "docker-compose.yml").read_text().replace('    command: ["portal"]', '    commnd: ["portal"]')
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    out = subprocess.run([str(CHECK), "compose", str(tmp_path / "docker-compose.yml")], capture_output=True, text=True)
    assert out.returncode == 1
    assert "commnd" in out.stderr


def test_every_compose_process_reads_what_it_is_given_and_holds_only_its_own_secrets(secrets: Path) -> None:
    project = compose("demo")
    holders = {
        v["source"]: Path(v["target"]).name for v in project["services"]["secrets"]["volumes"] if v["type"] == "volume"
    }
    problems: list[str] = []
    for name, service in project["services"].items():
        if name in ("kafka", "postgres", "secrets"):
            continue
        files: dict[str, set[str]] = {}
        for volume in service.get("volumes", []):
            if volume["source"] in holders:
                files[volume["target"]] = {p.name for p in (secrets / holders[volume["source"]]).iterdir()}
        process = process_of(service["command"] or [], service.get("entrypoint"))
        problems += check_process(process, dict(service.get("environment") or {}), files)
        if process not in ("topics", "demo", "portal") and name.split("-")[1] != "api":
            health = " ".join(service["healthcheck"]["test"])
            assert "9100/readyz" in health, name
            assert "--metrics-host" in service["command"], name
    assert problems == []


def test_compose_database_waits_for_tcp_and_the_image_runs_unprivileged() -> None:
    project = compose()
    assert "-h 127.0.0.1" in " ".join(project["services"]["postgres"]["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM ghcr.io/astral-sh/uv:" in dockerfile
    assert ":latest" not in dockerfile
    assert dockerfile.count("FROM ") >= 3  # uv, build, runtime
    assert "\nUSER 10001" in dockerfile
    assert "--no-install-workspace" in dockerfile  # the dependency layer is cached apart from the code


# --- Kubernetes --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(CHECK), "kustomize", str(ROOT / "deploy/k8s/base")], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def test_the_manifests_are_what_the_code_generates() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "deploy/k8s/generate.py"), "--check"], capture_output=True)
    assert out.returncode == 0, out.stdout


def test_every_manifest_validates_against_the_kubernetes_schemas(manifests: list[dict[str, Any]]) -> None:
    for document in manifests:
        kubernetes_validate.validate(document, KUBERNETES, strict=True)
    broken = json.loads(json.dumps(next(d for d in manifests if d["kind"] == "Deployment")))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_one_deployment_per_process_kind_with_probes_budgets_resources_and_bounded_consumers(
    manifests: list[dict[str, Any]],
) -> None:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for d in manifests:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = by_kind["Deployment"]
    for spec in SPECS.values():
        for role in ("api", "consumer", *(("relay",) if spec.publishes else ()), *spec.workers):
            deployment = deployments[f"{spec.name}-{role}"]
            pod = deployment["spec"]["template"]["spec"]
            (main,) = pod["containers"]
            assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert main["resources"]["requests"]["cpu"]
            assert main["resources"]["requests"]["memory"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert f"{spec.name}-{role}" in by_kind["PodDisruptionBudget"]
            if role == "consumer":
                partitions = min(t.partitions for t in TOPICS if t.name in spec.consumes)
                assert 1 <= deployment["spec"]["replicas"] <= partitions
        assert by_kind["Job"][f"{spec.name}-migrate"]["spec"]["template"]["spec"]["containers"][0]["args"] == [
            spec.name,
            "migrate",
        ]
    assert "portal" in deployments
    assert "portal" in by_kind["Service"]
    (kafka,) = (c for name, c in by_kind["ConfigMap"].items() if name.startswith("lianrong-kafka-"))  # hashed name
    assert "KAFKA_BOOTSTRAP_SERVERS" in kafka["data"]


def test_every_pod_reads_what_it_is_given_and_holds_only_its_own_secrets(
    manifests: list[dict[str, Any]], secrets: Path
) -> None:
    configs = {d["metadata"]["name"]: d["data"] for d in manifests if d["kind"] == "ConfigMap"}
    problems: list[str] = []
    for d in manifests:
        if d["kind"] not in ("Deployment", "Job"):
            continue
        pod = d["spec"]["template"]["spec"]
        (main,) = pod["containers"]
        env = {e["name"]: e["value"] for e in main.get("env", [])}
        for source in main.get("envFrom", []):
            env |= configs[source["configMapRef"]["name"]]
        volumes = {v["name"]: v for v in pod["volumes"]}
        files: dict[str, set[str]] = {}
        for mount in main["volumeMounts"]:
            secret = volumes[mount["name"]].get("secret")
            if secret:
                name = secret["secretName"]  # deploy/k8s/secrets.sh: <holder>-secrets, and jwt-public
                holder = "jwt" if name == "jwt-public" else name.removesuffix("-secrets")
                made = {p.name for p in (secrets / holder).iterdir()}
                keys = {item["key"] for item in secret["items"]}
                assert keys <= made, f"{d['metadata']['name']}: {secret['secretName']} has no {keys - made}"
                files[mount["mountPath"]] = {item["path"] for item in secret["items"]}
        process = process_of(main.get("args") or [], main.get("command"))
        problems += check_process(process, env, files)
    assert problems == []
