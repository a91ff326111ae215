"""Writes deploy/k8s/base from the services' own specs, so the manifests cannot drift from the code: one Deployment
per process kind, a Service for each API and the portal, a PodDisruptionBudget for each, the migrations and the topics
as Jobs, configuration in a ConfigMap and secrets in one Secret per service (created by the operator, see README).

    uv run python deploy/k8s/generate.py           # rewrite base/
    uv run python deploy/k8s/generate.py --check   # fail if base/ is not what the code says (the test suite runs it)

Consumers run at most as many replicas as the smallest topic they read has partitions (more would sit idle); relays
run two (one publishes, the other waits on the advisory lock to take over).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from banks.bootstrap import SPEC as BANKS
from contracts import TOPICS
from firms.bootstrap import SPEC as FIRMS
from matcher.bootstrap import SPEC as MATCHER
from notifier.bootstrap import SPEC as NOTIFIER
from oversight.bootstrap import SPEC as OVERSIGHT

BASE = Path(__file__).parent / "base"
SPECS = (FIRMS, BANKS, MATCHER, OVERSIGHT, NOTIFIER)
PORTS = {"firms": 8101, "banks": 8102, "matcher": 8103, "oversight": 8104, "notifier": 8105}
PROBES_PORT = 9100
LABEL = "app.kubernetes.io"
PARTITIONS = {t.name: t.partitions for t in TOPICS}
WANTED_REPLICAS = {"api": 2, "consumer": 3, "relay": 2, "webhooks": 1, "sender": 2}
SECRETS_DIR, KEYS_DIR = "/run/lianrong", "/run/keys"


def labels(name: str, component: str) -> dict[str, str]:
    return {f"{LABEL}/name": name, f"{LABEL}/part-of": "lianrong", f"{LABEL}/component": component}


def replicas(spec: Any, role: str) -> int:
    if role == "consumer":
        return min(WANTED_REPLICAS["consumer"], *(PARTITIONS[t] for t in spec.consumes))
    return WANTED_REPLICAS[role]


def container(name: str, args: list[str], env: dict[str, str], port: int, probe_paths: bool = True) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/healthz", "port": "probes"}, "periodSeconds": 10, "failureThreshold": 3}
    ready = {"httpGet": {"path": "/readyz", "port": "probes"}, "periodSeconds": 5, "failureThreshold": 2}
    out: dict[str, Any] = {
        "name": name,
        "image": "lianrong",
        "args": args,
        "envFrom": [{"configMapRef": {"name": "lianrong-kafka"}}, {"configMapRef": {"name": "lianrong-services"}}],
        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "ports": [{"name": "probes", "containerPort": port}],
        "resources": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if probe_paths:
        out["livenessProbe"] = {**probe, "initialDelaySeconds": 10}
        out["readinessProbe"] = ready
        out["startupProbe"] = {**probe, "failureThreshold": 30, "periodSeconds": 2}
    return out


def pod(component: str, main: dict[str, Any], service: str | None, restart: str = "Always") -> dict[str, Any]:
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    if service is not None:
        keys = [f"{service.upper()}_DATABASE_URL"]
        keys += {"banks": ["jwt-private.pem"], "oversight": ["oversight-pseudonym.key"]}.get(service, [])
        volumes += [
            {
                "name": "secrets",
                "secret": {"secretName": f"{service}-secrets", "items": [{"key": k, "path": k} for k in keys]},
            },
            {
                "name": "jwt-public",
                "secret": {"secretName": "jwt-public", "items": [{"key": "jwt-public.pem", "path": "jwt-public.pem"}]},
            },
        ]
        main["volumeMounts"] += [
            {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
            {"name": "jwt-public", "mountPath": KEYS_DIR, "readOnly": True},
        ]
    return {
        "metadata": {"labels": labels(component, component)},
        "spec": {
            "restartPolicy": restart,
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "terminationGracePeriodSeconds": 30,
            "containers": [main],
            "volumes": volumes,
        },
    }


def deployment(name: str, count: int, template: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name, name)},
        "spec": {
            "replicas": count,
            "selector": {"matchLabels": {f"{LABEL}/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": template,
        },
    }


def service_env(service: str) -> dict[str, str]:
    env = {}
    if service == "banks":
        env["BANKS_JWT_PRIVATE_KEY_FILE"] = f"{SECRETS_DIR}/jwt-private.pem"
    if service == "oversight":
        env["OVERSIGHT_PSEUDONYM_KEY_FILE"] = f"{SECRETS_DIR}/oversight-pseudonym.key"
    return env


def process(spec: Any, role: str) -> list[dict[str, Any]]:
    name, s = f"{spec.name}-{role}", spec.name
    env = service_env(s)
    if role == "api":
        port = PORTS[s]
        env |= {f"{s.upper()}_HTTP_HOST": "0.0.0.0", f"{s.upper()}_HTTP_PORT": str(port)}
        args = [s, "api"]
    else:
        port, args = PROBES_PORT, [s, role, "--metrics-host", "0.0.0.0", "--metrics-port", str(PROBES_PORT)]
    count = replicas(spec, role)
    main = container(s, args, env, port)
    if s == "notifier":
        main["envFrom"].append({"configMapRef": {"name": "lianrong-notifier"}})
    out = [deployment(name, count, pod(name, main, s))]
    out.append(budget(name))
    if role == "api":
        out.append(cluster_service(name, port))
    return out


def budget(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {f"{LABEL}/name": name}}},
    }


def cluster_service(name: str, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels(name, name)},
        "spec": {
            "selector": {f"{LABEL}/name": name},
            "ports": [{"name": "http", "port": port, "targetPort": "probes"}],
        },
    }


def job(name: str, args: list[str], service: str | None, command: list[str] | None = None) -> dict[str, Any]:
    main = container(name, args, service_env(service) if service else {}, PROBES_PORT, probe_paths=False)
    del main["ports"]
    if command:
        main["command"] = command
        main["envFrom"] = main["envFrom"][:1]  # the topics job: Kafka only
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": labels(name, "job")},
        "spec": {
            "backoffLimit": 10,
            "ttlSecondsAfterFinished": 86400,
            "template": pod(name, main, service, "OnFailure"),
        },
    }


def portal() -> list[dict[str, Any]]:
    env = {
        "PORTAL_HTTP_HOST": "0.0.0.0",
        "PORTAL_HTTP_PORT": "8100",
        **{f"PORTAL_{s.upper()}_URL": f"http://{s}-api:{p}" for s, p in PORTS.items()},
    }
    main = container("portal", ["portal"], env | {"LOG_FORMAT": "json"}, 8100)
    del main["envFrom"]  # the portal talks to the APIs only
    main["readinessProbe"]["httpGet"]["path"] = "/healthz"  # the portal holds no state: alive is ready
    return [deployment("portal", 2, pod("portal", main, None)), budget("portal"), cluster_service("portal", 8100)]


def manifests() -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {
        "namespace.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lianrong"}}],
        "jobs.yaml": [job("topics", [], None, command=["lianrong-topics"])]
        + [job(f"{spec.name}-migrate", [spec.name, "migrate"], spec.name) for spec in SPECS],
        "portal.yaml": portal(),
    }
    for spec in SPECS:
        roles = ["api", "consumer", *(["relay"] if spec.publishes else []), *spec.workers]
        files[f"{spec.name}.yaml"] = [m for role in roles for m in process(spec, role)]
    return files


KUSTOMIZATION = {
    "apiVersion": "kustomize.config.k8s.io/v1beta1",
    "kind": "Kustomization",
    "namespace": "lianrong",
    "resources": ["namespace.yaml", "jobs.yaml", *(f"{s.name}.yaml" for s in SPECS), "portal.yaml"],
    # Configuration here; secrets are the installation's own (deploy/k8s/secrets.sh makes them), never in the repo.
    "configMapGenerator": [
        {
            "name": "lianrong-kafka",  # every process that talks to Kafka (services, the topics job)
            "literals": [
                "KAFKA_BOOTSTRAP_SERVERS=kafka-bootstrap:9092",
                # A cluster of three or more brokers: every topic on three of them, two in sync before an ack.
                "KAFKA_REPLICATION_FACTOR=3",
                "KAFKA_MIN_INSYNC_REPLICAS=2",
                "LOG_FORMAT=json",
            ],
        },
        {
            "name": "lianrong-services",  # the services' processes
            "literals": [
                f"JWT_PUBLIC_KEY_FILE={KEYS_DIR}/jwt-public.pem",
                f"LIANRONG_SECRETS_DIR={SECRETS_DIR}",
            ],
        },
        {
            # The notifier's e-mail and SMS: empty, it tells people in the portal's list only. Set your SMTP relay and
            # SMS provider here (their credentials go in notifier-secrets: NOTIFIER_SMTP_PASSWORD_FILE, …).
            "name": "lianrong-notifier",
            "literals": ["NOTIFIER_SMTP_HOST=", "NOTIFIER_SMS_URL="],
        },
    ],
    "images": [{"name": "lianrong", "newName": "lianrong", "newTag": "local"}],
}


def render() -> dict[str, str]:
    header = "# Generated by deploy/k8s/generate.py from the services' specs: edit that, not this.\n"
    out = {name: header + yaml.safe_dump_all(docs, sort_keys=False) for name, docs in manifests().items()}
    out["kustomization.yaml"] = header + yaml.safe_dump(KUSTOMIZATION, sort_keys=False)
    return out


def main() -> int:
    rendered = render()
    if "--check" in sys.argv:
        stale = [n for n, text in rendered.items() if not (BASE / n).exists() or (BASE / n).read_text() != text]
        if stale:
            print(f"deploy/k8s/base is stale ({', '.join(stale)}): run uv run python deploy/k8s/generate.py")
            return 1
        return 0
    BASE.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (BASE / name).write_text(text)
    print(f"wrote {len(rendered)} files to {BASE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
