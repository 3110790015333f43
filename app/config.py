"""The one place that reads the environment: every other module receives a Settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


class Settings(BaseSettings):
    """Every setting, with the GLOSSA_ variable that sets it (flags of the CLI win)."""

    model_config = SettingsConfigDict(env_prefix="GLOSSA_", extra="ignore")

    content_dir: Path = Field(Path("content"), description="Folder of Markdown entries.")
    data_dir: Path = Field(
        Path("data"),
        description="Derived data: the content store and the search index. Safe to delete; "
        "rebuilt from the content folder.",
    )
    content_database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("content_database_url", "GLOSSA_CONTENT_DATABASE_URL", "GLOSSA_DATABASE_URL"),
        description="SQLAlchemy URL of the content store (derived); default: content.db in the "
        "data folder. GLOSSA_DATABASE_URL is its older name.",
    )
    state_dir: Path = Field(
        Path("state"),
        description="Durable data: learners and their study. Never inside the data folder; "
        "back it up with `glossa backup`.",
    )
    state_database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the state store (durable); default: state.db in the "
        "state folder. PostgreSQL for several nodes.",
    )
    signup: Literal["open", "closed", "invite"] = Field(
        "open", description="Who may make an account: anyone, nobody, or holders of an invite code."
    )
    guests: bool = Field(True, description="Whether a visitor can study as a guest, without an account.")
    session_idle_days: int = Field(30, ge=1, description="A session unused this long ends.")
    session_max_days: int = Field(180, ge=1, description="A session ends this long after sign-in.")
    secure_cookies: bool | None = Field(
        None, description="Mark cookies Secure; by default, when the request came over HTTPS."
    )
    trusted_proxies: str = Field(
        "", description="Addresses of reverse proxies whose X-Forwarded-For/-Proto to believe (comma-separated)."
    )
    redis_url: str | None = Field(None, description="Redis for rate limits shared by every worker and node.")
    password_memory_kib: int = Field(65536, ge=1024, description="Argon2id memory cost per password hash.")
    password_time_cost: int = Field(3, ge=1, description="Argon2id passes per password hash.")
    site_name: str = Field("Glossa", description="Name shown in the page header.")
    semantic: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Re-rank questions by meaning with the optional semantic extra: `auto` when it is "
        "installed, `on` requires it (start fails without it), `off` never.",
    )
    watch: bool = Field(False, description="Rebuild when content files change.")
    build_on_start: bool = Field(True, description="Bring store and index up to date at start-up.")
    log_format: Literal["json", "text"] = Field(
        "json", description="How `glossa serve` logs: JSON lines (one per request and event), or plain text."
    )
    metrics_dir: Path | None = Field(
        None,
        description="A folder where the worker processes of one server keep their metrics, so that "
        "/metrics counts them all; `glossa serve --workers N` sets it (metrics/ in the data folder). "
        "Set PROMETHEUS_MULTIPROC_DIR to the same folder when starting workers another way.",
    )

    @model_validator(mode="after")
    def _stores_apart(self) -> Settings:
        if self.state_database_url is None:
            state, data = self.state_dir.resolve(), self.data_dir.resolve()
            if state == data or data in state.parents:
                raise ValueError(
                    f"the state folder {self.state_dir} is inside the data folder {self.data_dir}: "
                    "the data folder holds only what can be rebuilt and may be deleted. "
                    "Set GLOSSA_STATE_DIR to a folder outside it."
                )
        if self.content_db_url == self.state_db_url:
            raise ValueError(
                "the content store and the state store must be different databases: the content "
                "store is rebuilt at will, the state store holds what exists nowhere else"
            )
        return self

    @property
    def content_db_url(self) -> str:
        return self.content_database_url or sqlite_url(self.data_dir / "content.db")

    @property
    def state_db_url(self) -> str:
        return self.state_database_url or sqlite_url(self.state_dir / "state.db")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
