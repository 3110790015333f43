"""Settings: every one is documented, and the two stores can never be confused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    readme = README.read_text()
    missing = [f"GLOSSA_{name.upper()}" for name in Settings.model_fields if f"GLOSSA_{name.upper()}" not in readme]
    assert missing == []


def test_the_state_folder_may_not_lie_inside_the_data_folder(tmp_path):
    for state in (tmp_path / "data", tmp_path / "data" / "state", tmp_path / "data" / "a" / "b"):
        with pytest.raises(ValidationError, match="inside the data folder"):
            Settings(data_dir=tmp_path / "data", state_dir=state)
    assert Settings(data_dir=tmp_path / "data", state_dir=tmp_path / "state").state_db_url.endswith("state/state.db")


def test_content_and_state_may_not_share_a_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'one.db'}"
    with pytest.raises(ValidationError, match="different databases"):
        Settings(content_database_url=url, state_database_url=url)


def test_the_older_database_variable_still_names_the_content_store(monkeypatch, tmp_path):
    monkeypatch.setenv("GLOSSA_DATABASE_URL", "sqlite:///old-name.db")
    assert Settings().content_db_url == "sqlite:///old-name.db"
    monkeypatch.setenv("GLOSSA_CONTENT_DATABASE_URL", "sqlite:///new-name.db")
    assert Settings().content_db_url == "sqlite:///new-name.db"
