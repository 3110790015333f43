"""The one place that reads the environment: every other module receives a Settings."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GLOSSA_", extra="ignore")

    content_dir: Path = Field(Path("content"), description="Folder of Markdown entries.")
    data_dir: Path = Field(Path("data"), description="Folder for the database and search index.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; defaults to a SQLite file in the data folder."
    )
    site_name: str = Field("Glossa", description="Name shown in the page header.")
    watch: bool = Field(False, description="Rebuild when content files change.")
    build_on_start: bool = Field(True, description="Bring store and index up to date at start-up.")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'glossa.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
