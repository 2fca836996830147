"""The names of synth's tables in a database: an optional prefix (both databases) and schema (PostgreSQL).

``--table-prefix app_`` names the tables ``app_posts``, ``app_post_tools``, ... ``app_synth_meta``;
``--schema synth`` (PostgreSQL) puts them in that schema, created when missing. Both come from
the user, so they must match :data:`PREFIX_PATTERN` / :data:`SCHEMA_PATTERN` (lower-case
letters, digits and ``_``) and are always double-quoted in SQL; every value stays a parameter.

Before creating anything, a backend checks that each table that already has one of synth's
names has at least the columns synth gives it (:data:`REQUIRED`): a ``posts`` table of an
application is an error that says to use a prefix or a schema, not a failure halfway through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from synth.errors import DatabaseError, UsageError
from synth.load.rows import COLUMNS

__all__ = [
    "BASES",
    "COMMON_INDEXES",
    "DEFERRED",
    "PREFIX_PATTERN",
    "REQUIRED",
    "SCHEMA_PATTERN",
    "UNDEFERRED",
    "Tables",
    "check_foreign",
]

PREFIX_PATTERN: Final = re.compile(r"[a-z_][a-z0-9_]{0,31}")
SCHEMA_PATTERN: Final = re.compile(r"(?!pg_)[a-z_][a-z0-9_]{0,62}")

# The columns a table of synth's has in every layout (what tells synth's table from another's).
REQUIRED: Final[dict[str, frozenset[str]]] = {
    "synth_meta": frozenset({"key", "value"}),
    "posts": frozenset(COLUMNS),
    "post_tools": frozenset({"post_id", "position", "tool"}),
    "post_entities": frozenset({"post_id", "position", "name", "type"}),
    "post_links": frozenset({"post_id", "position", "target_id"}),
    "posts_fts": frozenset({"title", "intro", "body"}),
    "synth_checkpoints": frozenset({"source", "line", "inserted", "updated", "unchanged", "rejected"}),
    "synth_rejects": frozenset({"source", "line", "offset", "raw", "findings"}),
}
BASES: Final = tuple(REQUIRED)

# The indexes besides the primary keys that both databases build alike (each adds its own on posts).
COMMON_INDEXES: Final = (
    ("posts_stack", "CREATE INDEX IF NOT EXISTS {i_posts_stack} ON {posts} (stack)"),
    ("post_tools_tool", "CREATE INDEX IF NOT EXISTS {i_post_tools_tool} ON {post_tools} (tool)"),
    ("post_entities_name", "CREATE INDEX IF NOT EXISTS {i_post_entities_name} ON {post_entities} (type, name)"),
    ("post_links_target", "CREATE INDEX IF NOT EXISTS {i_post_links_target} ON {post_links} (target_id)"),
)
# A fresh load builds its indexes at the end; until then this row of synth_meta says they are deferred.
DEFERRED: Final = "SELECT 1 FROM {synth_meta} WHERE key = 'deferred_indexes'"
UNDEFERRED: Final = "DELETE FROM {synth_meta} WHERE key = 'deferred_indexes'"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class Tables:
    """Names of synth's tables: ``prefix`` before each, in ``schema`` (PostgreSQL; ``None``: the search path)."""

    prefix: str = ""
    schema: str | None = None

    def __post_init__(self) -> None:
        if self.prefix and not PREFIX_PATTERN.fullmatch(self.prefix):
            raise UsageError(
                f"table_prefix {self.prefix!r} is not a plain name",
                hint="use 1 to 32 lower-case letters, digits and _, starting with a letter or _ (e.g. synth_)",
                parameter="table_prefix",
            )
        if self.schema is not None and not SCHEMA_PATTERN.fullmatch(self.schema):
            raise UsageError(
                f"schema {self.schema!r} is not a plain name",
                hint="use up to 63 lower-case letters, digits and _, starting with a letter or _ (not pg_)",
                parameter="schema",
            )

    def name(self, base: str) -> str:
        """The unquoted name of a table or index (``prefix`` + ``base``)."""
        return self.prefix + base

    def ref(self, base: str) -> str:
        """The quoted, schema-qualified reference to a table, for SQL."""
        table = _quote(self.name(base))
        return f"{_quote(self.schema)}.{table}" if self.schema else table

    def index(self, base: str) -> str:
        """The quoted name of an index (an index lives in its table's schema, so it is not qualified)."""
        return _quote(self.name(base))

    def sql(self, template: str) -> str:
        """``template`` with ``{posts}``, ``{posts_fts}``... as table references and ``{i_NAME}`` as index names."""
        names = {base: self.ref(base) for base in BASES}
        names |= {f"n_{base}": self.name(base) for base in BASES}
        return template.format_map(_Indexes(names, self))


class _Indexes(dict[str, str]):
    def __init__(self, names: dict[str, str], tables: Tables) -> None:
        super().__init__(names)
        self._tables = tables

    def __missing__(self, key: str) -> str:
        if key.startswith("i_"):
            return self._tables.index(key[2:])
        raise KeyError(key)


def check_foreign(where: str, columns: dict[str, set[str]], tables: Tables) -> None:
    """Refuse a database whose tables of synth's names lack synth's columns (``columns``: name -> columns)."""
    foreign = [
        tables.name(base)
        for base, required in REQUIRED.items()
        if tables.name(base) in columns and not required <= columns[tables.name(base)]
    ]
    if foreign:
        listed = ", ".join(foreign)
        raise DatabaseError(
            f"{where}: the database already has tables that synth did not create ({listed}); nothing was changed",
            hint="put synth's tables beside them with --table-prefix (or --schema in PostgreSQL), or use another "
            "database",
        )
