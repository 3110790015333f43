"""The image and compose.yaml. What can be checked without a Docker engine is checked
everywhere (the compose file's structure, the balancer's configuration, the Dockerfile's
stages and user, the lock of the node drivers); building and starting the image needs an
engine and is skipped, with the reason, where none answers."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from deploy.cluster import render
from tests.conftest import SAMPLE, write_content

ROOT = Path(__file__).resolve().parents[2]
NODES = ("node1", "node2", "node3")


def compose() -> dict:
    loaded: dict = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_runs_three_nodes_behind_haproxy_on_one_state_store_and_one_redis():
    services, volumes = compose()["services"], compose()["volumes"]
    assert set(services) == {*NODES, "haproxy", "postgres", "redis"}
    nodes = [services[name] for name in NODES]
    for node in nodes:
        assert node["image"] == "glossa:latest" and node["build"] == "."
        assert "/healthz" in " ".join(node["healthcheck"]["test"])
        assert node["depends_on"]["postgres"]["condition"] == "service_healthy"
    # One state URL and one Redis for all; on the postgres service's own database.
    state = {node["environment"]["GLOSSA_STATE_DATABASE_URL"] for node in nodes}
    assert len(state) == 1 and state.pop().startswith("postgresql+psycopg://glossa:")
    assert {node["environment"]["GLOSSA_REDIS_URL"] for node in nodes} == {"redis://redis:6379/0"}
    # One content folder, mounted read-only at the image's content folder, in every node; a
    # data volume of each node's own.
    content = {m for n in nodes for m in n["volumes"] if ":/srv/glossa/content" in m}
    assert len(content) == 1 and content.pop().endswith(":/srv/glossa/content:ro")
    data = [m.split(":")[0] for n in nodes for m in n["volumes"] if m.endswith(":/var/lib/glossa/data")]
    assert sorted(data) == ["node1-data", "node2-data", "node3-data"] and set(data) <= set(volumes)
    # The stores' volumes and health checks.
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "postgres-data" in volumes
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    # The balancer: the rendered configuration, published on 8080, trusted by the nodes.
    haproxy = services["haproxy"]
    assert "./deploy/haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert haproxy["ports"] == ["8080:8080"]
    address = haproxy["networks"]["glossa"]["ipv4_address"]
    assert {node["environment"]["GLOSSA_TRUSTED_PROXIES"] for node in nodes} == {address}


def test_the_compose_balancer_configuration_is_the_template_rendered_for_its_nodes():
    rendered = render(":8080", [f"{n}:8000" for n in NODES], stats=":8404", resolvers="127.0.0.11:53")
    shipped = (ROOT / "deploy/haproxy-compose.cfg").read_text()
    assert shipped == rendered, (
        "deploy/haproxy-compose.cfg is stale: python deploy/cluster.py render --bind :8080 --node node1:8000 "
        "--node node2:8000 --node node3:8000 --stats :8404 --resolvers 127.0.0.11:53 > deploy/haproxy-compose.cfg"
    )
    assert "option httpchk GET /readyz" in shipped and "option redispatch" in shipped
    assert re.search(r"retry-on conn-failure empty-response", shipped)
    assert "disable-l7-retry unless METH_GET" in shipped  # a POST is never sent twice by the balancer
    if shutil.which("haproxy"):
        check = subprocess.run(
            ["haproxy", "-c", "-f", str(ROOT / "deploy/haproxy-compose.cfg")], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_dockerfile_builds_in_stages_and_runs_unprivileged_with_state_in_a_volume():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)", text, re.MULTILINE)
    assert [name for _, name in stages] == ["build", "runtime"]
    build, runtime = text.split("FROM python:3.11-slim AS runtime")
    assert "--require-hashes" in build and "requirements.lock" in build
    assert "COPY --from=build /opt/glossa /opt/glossa" in runtime
    user = re.findall(r"^USER (\S+)", runtime, re.MULTILINE)
    assert user == ["glossa"]
    assert 'VOLUME ["/var/lib/glossa/state"]' in runtime
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", runtime, re.MULTILINE)
    assert "GLOSSA_CONTENT_DIR=/srv/glossa/content" in runtime
    # Nothing durable is copied in: no state folder, no database.
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", runtime, re.MULTILINE)
    assert all("state" not in c and ".db" not in c for c in copied), copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"state", "data", ".venv", ".git"} <= set(ignored)


def pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (version and markers, hashes)} of a lock file written by uv."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for block in re.split(r"\n(?=[a-z0-9])", lock):
        head = re.match(r"([a-z0-9_.-]+)==([^\\\n]+)", block)
        if head:
            found[head.group(1)] = (head.group(2).strip(), frozenset(re.findall(r"sha256:(\w+)", block)))
    return found


def test_the_node_drivers_are_pinned_as_in_the_dev_lock():
    nodes = pins((ROOT / "deploy/requirements-nodes.lock").read_text())
    dev = pins((ROOT / "requirements-dev.lock").read_text())
    assert {"psycopg", "psycopg-binary", "redis"} <= set(nodes)
    for name, pin in nodes.items():
        assert dev.get(name) == pin, f"deploy/requirements-nodes.lock: {name} differs from requirements-dev.lock"


# -- with a Docker engine --------------------------------------------------------------------
def docker_engine() -> str | None:
    """Why the image cannot be built here, or None when an engine answers."""
    if shutil.which("docker") is None:
        return "no docker client installed"
    try:
        found = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return "the Docker engine did not answer within 20 s"
    if found.returncode != 0:
        why = (found.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"no Docker engine answers ({why})"
    return None


def docker(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"docker {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    why = docker_engine()
    if why:
        pytest.skip(f"the image is built and started only where a Docker engine runs: {why}")
    tag = f"glossa-test:{uuid.uuid4().hex[:8]}"
    docker("build", "--tag", tag, str(ROOT), timeout=1800)
    try:
        yield tag
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, timeout=120)


def poll(check, what: str, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if found := check():
                return found
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"not within {timeout:.0f} s: {what}")


def test_the_image_holds_no_state_and_runs_as_a_user(image):
    assert docker("run", "--rm", "--entrypoint", "ls", image, "-A", "/var/lib/glossa/state") == ""
    assert docker("run", "--rm", "--entrypoint", "id", image, "-u") != "0"


def test_the_image_serves_mounted_content_and_reports_healthy(image):
    content = Path(tempfile.mkdtemp(prefix="glossa-image-content-"))
    content.chmod(0o755)  # readable by the image's user
    write_content(content, SAMPLE)
    for folder in content.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    name = f"glossa-test-{uuid.uuid4().hex[:8]}"
    try:
        docker("run", "--detach", "--name", name, "--publish", "127.0.0.1::8000",
               "--volume", f"{content}:/srv/glossa/content:ro", image)  # fmt: skip
        port = docker("port", name, "8000/tcp").splitlines()[0].rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{port}"
        poll(lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200, "the node is ready", 180)
        assert httpx.get(base + "/api/entries", timeout=10).json()["total"] == len(SAMPLE)
        edited = content / "clustering/inertia.md"
        edited.write_text(edited.read_text() + "\nSeen from inside the container.\n")
        poll(lambda: "inside the container" in httpx.get(base + "/api/entries/inertia", timeout=5).text,
             "an edit of the mounted folder is served", 30)  # fmt: skip
        status = "{{.State.Health.Status}}"
        poll(lambda: docker("inspect", "--format", status, name) == "healthy", "Docker reports it healthy", 120)
    finally:
        subprocess.run(["docker", "rm", "--force", name], capture_output=True, timeout=60)
        shutil.rmtree(content, ignore_errors=True)
