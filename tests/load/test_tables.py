"""An application's own tables: refused before anything is created, or kept apart by a prefix or a
schema (issue 13, point 24)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.errors import DatabaseError, UsageError
from synth.generation.assemble import batch_json
from synth.load.backend import redacted
from synth.load.importer import import_paths
from synth.load.search import search
from synth.load.tables import Tables
from tests.load.common import digest, execute, options, query, tables_of, write_lines

runner = CliRunner()
APP_POSTS = "CREATE TABLE posts (id integer PRIMARY KEY, body text NOT NULL)"


def test_an_application_s_posts_table_is_refused_before_anything_is_created(db_url: str, tmp_path: Path) -> None:
    execute(db_url, APP_POSTS, "INSERT INTO posts (id, body) VALUES (1, 'mine')")
    before = tables_of(db_url)
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 3))
    with pytest.raises(DatabaseError) as caught:
        import_paths([str(source)], db_url, options=options())
    where = redacted(db_url)
    assert str(caught.value) == (
        f"{where}: the database already has tables that synth did not create (posts); nothing was changed. To "
        "resolve this error, put synth's tables beside them with --table-prefix (or --schema in PostgreSQL), or "
        "use another database"
    )
    assert tables_of(db_url) == before
    assert query(db_url, "SELECT id, body FROM posts") == [(1, "mine")]


def test_a_prefix_puts_synth_s_tables_beside_them(db_url: str, tmp_path: Path) -> None:
    execute(db_url, APP_POSTS, "INSERT INTO posts (id, body) VALUES (1, 'mine')")
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 40, seed=5))
    tables = Tables("synth_")
    summary = import_paths([str(source)], db_url, options=options(tables=tables))
    assert summary.counts.inserted == 40
    assert query(db_url, "SELECT id, body FROM posts") == [(1, "mine")]
    assert {"synth_posts", "synth_post_tools", "synth_synth_meta", "synth_synth_rejects"} <= tables_of(db_url)
    reference = str(tmp_path / "ref.db")
    import_paths([str(source)], reference, options=options())
    assert digest(db_url, prefix="synth_") == digest(reference)
    title = query(reference, "SELECT title FROM posts WHERE id = 'alphanode-000007'")[0][0]
    assert "alphanode-000007" in {pid for pid, _, _ in search(db_url, title, limit=5, tables=tables)}
    found = runner.invoke(app, ["search", title, "--db", db_url, "--table-prefix", "synth_", "-n", "1"])
    assert found.exit_code == 0 and found.stdout.startswith("alphanode-000007  ")


def test_a_schema_puts_synth_s_tables_in_it(postgres_url: str, tmp_path: Path) -> None:
    execute(postgres_url, APP_POSTS)
    schema = f"synth_{uuid.uuid4().hex[:10]}"
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 5))
    try:
        result = runner.invoke(
            app, ["import", str(source), "--db", postgres_url, "--schema", schema, "--as-of", "2030-01-01"]
        )
        assert result.exit_code == 0, result.output
        tables = query(postgres_url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
        assert {"posts", "synth_meta", "synth_rejects"} <= {t for (t,) in tables}
        assert query(postgres_url, f"SELECT count(*) FROM {schema}.posts") == [(5,)]
        assert query(postgres_url, "SELECT count(*) FROM posts") == [(0,)]  # the application's, untouched
        found = runner.invoke(app, ["search", "the", "--db", postgres_url, "--schema", schema, "-n", "2"])
        assert found.exit_code == 0 and len(found.stdout.splitlines()) == 2
    finally:
        execute(postgres_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--table-prefix", 'x"; DROP TABLE posts; --'],
            "synth: error: --table-prefix 'x\"; DROP TABLE posts; --' is not a plain name. To resolve this error, "
            "use 1 to 32 lower-case letters, digits and _, starting with a letter or _ (e.g. synth_)\n",
        ),
        (
            ["--table-prefix", "App_"],
            "synth: error: --table-prefix 'App_' is not a plain name. To resolve this error, use 1 to 32 lower-case "
            "letters, digits and _, starting with a letter or _ (e.g. synth_)\n",
        ),
        (
            ["--schema", "pg_catalog"],
            "synth: error: --schema 'pg_catalog' is not a plain name. To resolve this error, use up to 63 lower-case "
            "letters, digits and _, starting with a letter or _ (not pg_)\n",
        ),
        (
            ["--schema", "s"],
            "synth: error: --schema is for PostgreSQL databases. To resolve this error, use --table-prefix to keep "
            "synth's tables apart in SQLite\n",
        ),
    ],
)
def test_names_from_the_user_are_checked(tmp_path: Path, args: list[str], message: str) -> None:
    source = write_lines(tmp_path / "p.jsonl", batch_json(0, 1))
    db = tmp_path / "x.db"
    result = runner.invoke(app, ["import", str(source), "--db", str(db), *args])
    assert (result.exit_code, result.stderr) == (2, message)
    assert not db.exists()


def test_tables_quote_every_name() -> None:
    assert Tables("p_", "s").ref("posts") == '"s"."p_posts"'
    assert Tables().ref("posts") == '"posts"'
    with pytest.raises(UsageError):
        Tables("a" * 33)
