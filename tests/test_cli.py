import subprocess
import sys

import pytest

from app.cli import main


def test_build_prints_summary(settings, capsys):
    code = main(["build", "--content", str(settings.content_dir), "--data", str(settings.data_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "6 entries, 3 categories" in out and "0 unresolved links" in out


def test_check_is_clean_on_good_content(content_dir, capsys):
    assert main(["check", "--content", str(content_dir)]) == 0


def test_check_reports_path_line_problem_and_fails(content_dir, capsys):
    (content_dir / "clustering/broken.md").write_text("---\ntitle: ok\ntags: [x\n---\n")
    (content_dir / "clustering/dangling.md").write_text("---\ntitle: Dangling\n---\n\nSee [[Nowhere]].\n")
    (content_dir / "misc").mkdir()
    (content_dir / "misc/twin.md").write_text("---\ntitle: Twin\naliases: [RNN]\n---\n")
    code = main(["check", "--content", str(content_dir)])
    out = capsys.readouterr().out
    assert code == 1
    assert "clustering/broken.md:3: malformed front matter" in out
    assert "clustering/dangling.md:5: unresolved link [[Nowhere]]" in out
    assert "misc/twin.md:2: alias 'RNN' is already used by deep-learning/" in out
    # check writes nothing
    assert not (content_dir.parent / "data").exists()


def test_check_reports_files_that_no_build_reads(content_dir, capsys):
    (content_dir / "notes.txt").write_text("scratch")
    (content_dir / "clustering" / "diagram.png").write_bytes(b"\x89PNG")
    (content_dir / "clustering" / "_draft.md").write_text("---\ntitle: Draft\n---\n")
    (content_dir / ".obsidian").mkdir()
    (content_dir / ".obsidian" / "workspace.json").write_text("{}")  # hidden: an editor's business
    (content_dir / "_paths").mkdir()
    (content_dir / "_paths" / "p.yml").write_text("title: P\nsections:\n  - title: S\n    entries: [k-means]\n")
    assert main(["check", "--content", str(content_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["clustering/_draft.md", "clustering/diagram.png", "notes.txt"]
    assert all(": ignored: not an entry" in line for line in out)


def test_python_dash_m_app_runs():
    r = subprocess.run([sys.executable, "-m", "app", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "build" in r.stdout and "serve" in r.stdout and "check" in r.stdout


def test_environment_variables_and_flags(monkeypatch, tmp_path, content_dir, capsys):
    monkeypatch.setenv("GLOSSA_CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("GLOSSA_DATA_DIR", str(tmp_path / "from-env"))
    assert main(["build"]) == 0
    assert (tmp_path / "from-env" / "content.db").exists()
    assert main(["build", "--data", str(tmp_path / "from-flag")]) == 0
    assert (tmp_path / "from-flag" / "content.db").exists()


@pytest.mark.parametrize("variable", ["GLOSSA_CONTENT_DATABASE_URL", "GLOSSA_DATABASE_URL"])
def test_content_database_url_is_honoured(monkeypatch, tmp_path, content_dir, capsys, variable):
    elsewhere = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv(variable, f"sqlite:///{elsewhere}")
    assert main(["build", "--content", str(content_dir), "--data", str(tmp_path / "data")]) == 0
    assert elsewhere.exists() and not (tmp_path / "data" / "content.db").exists()
    assert "6 entries" in capsys.readouterr().out


def test_a_build_never_touches_the_state_store(tmp_path, content_dir, capsys):
    state = tmp_path / "state"
    assert main(["build", "--content", str(content_dir), "--data", str(tmp_path / "data")]) == 0
    assert not state.exists()


def test_state_folder_inside_the_data_folder_is_refused(tmp_path, content_dir, capsys):
    code = main(
        [
            "serve",
            "--content",
            str(content_dir),
            "--data",
            str(tmp_path / "data"),
            "--state",
            str(tmp_path / "data" / "state"),
        ]
    )
    assert code == 2
    assert "inside the data folder" in capsys.readouterr().err


def test_check_reports_a_table_link_the_renderer_cannot_place(content_dir, capsys):
    (content_dir / "clustering/scores.md").write_text(
        "---\ntitle: Scores\n---\n\nIntro.\n\n| metric | value |\n|---|---|\n"
        "| [[inertia|within-cluster | 7.2 |\n| [[k-means\\|K-means]] | 3 |\n"
    )
    assert main(["check", "--content", str(content_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    # the unclosed link on line 9 is reported; the escaped one on line 10 renders in its cell
    assert out == ["clustering/scores.md:9: link '[[inertia' cannot be placed here and shows as text"]
