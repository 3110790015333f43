"""Fixtures: a small content folder in tmp_path, stores beside it, and an app built on them."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings, sqlite_url
from app.main import create_app
from app.site import Site, open_site
from tests.support.postgres import new_postgres_database, postgres_url  # noqa: F401 - fixtures

SAMPLE = {
    "clustering/k-means.md": """\
        ---
        title: K-means clustering
        tags: [clustering, unsupervised]
        aliases: [k means, kmeans, KMC]
        summary: Splits points into k groups around their means.
        ---
        K-means assigns every point to the nearest of $k$ centroids. Its quality is measured
        by [[Inertia]], and it contrasts with [[hierarchical clustering|agglomerative methods]].

        ## Algorithm
        Assign points, move each centroid to the mean, repeat until nothing changes.

        ## Choosing k
        Plot inertia against k and look for the elbow.

        ## Pitfalls
        Scale features first; see [[Feature scaling]].
        """,
    "clustering/inertia.md": """\
        ---
        title: Inertia
        aliases: [WCSS, within-cluster sum of squares]
        tags: [clustering, metric]
        ---
        Inertia is the sum of squared distances from each point to its centroid in
        [[k-means]]. See [[K-Means Clustering#Choosing k|how to choose k]].
        """,
    "clustering/hierarchical-clustering.md": """\
        ---
        title: Hierarchical clustering
        tags: [clustering]
        ---
        Builds a tree of clusters by merging the closest pairs, unlike [[KMC]].
        """,
    "deep-learning/recurrent-neural-network.md": """\
        ---
        title: Recurrent neural network
        category: Deep learning
        aliases: [RNN]
        tags: [sequences]
        ---
        A recurrent network reads a sequence step by step and keeps a hidden state of tensors.
        It is trained with [[Backpropagation]] through time.
        """,
    "deep-learning/backpropagation.md": """\
        ---
        title: Backpropagation
        aliases: [backprop]
        ---
        Backpropagation computes gradients of the loss layer by layer with the chain rule,
        for example in an [[RNN]].
        """,
    "data/feature-scaling.md": """\
        ---
        title: Feature scaling
        tags: [preprocessing]
        ---
        Rescaling features so that distances in [[k-means]] are not dominated by one column.
        Tensors of pixel values are often divided by 255.
        """,
}


SAMPLE_SLUGS = {rel.rsplit("/", 1)[-1].removesuffix(".md") for rel in SAMPLE}


def write_content(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session", autouse=True)
def no_state_outside_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A Settings made without a state folder (or a server a test starts) must never write
    learners' data into the working tree."""
    before = os.environ.get("GLOSSA_STATE_DIR")
    os.environ["GLOSSA_STATE_DIR"] = str(tmp_path_factory.mktemp("default-state"))
    yield
    if before is None:
        os.environ.pop("GLOSSA_STATE_DIR", None)
    else:
        os.environ["GLOSSA_STATE_DIR"] = before


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content", SAMPLE)


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path) -> Settings:
    # Cheap password hashes: the tests sign in hundreds of times.
    return Settings(
        content_dir=content_dir,
        data_dir=tmp_path / "data",
        state_dir=tmp_path / "state",
        password_memory_kib=1024,
        password_time_cost=1,
    )


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    """Content store, index and builder on the sample content, nothing built yet."""
    opened = open_site(settings, serve=False)
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A state store URL: a SQLite file, then a fresh PostgreSQL database (skipped without one)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "state" / "state.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
