"""Reading what the original application exported: an SQL dump or a SQLite file.

Either way the result is an in-memory SQLite connection: the file given is
never written to, and the import reads everything from memory.
"""
import re
import sqlite3
from pathlib import Path

from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"

# Statements that configure the writer of the dump, not its data. A dump from
# `wrangler d1 export` starts with `PRAGMA defer_foreign_keys=TRUE`; a dump from
# the sqlite3 shell wraps everything in BEGIN/COMMIT. Running them one statement
# at a time would only get in the way, and the import checks every reference itself.
_SKIPPED_STATEMENT = re.compile(r"^\s*(PRAGMA|BEGIN|COMMIT|END|ROLLBACK)\b", re.IGNORECASE)
_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+["`\[]?(\w+)["`\]]?\s*(?:\([^)]*\)\s*)?VALUES\s*\(\s*(-?\d+|\'[^\']*\')?',
                     re.IGNORECASE)


class LegacyImportError(Exception):
    """An expected fault of the input: shown to the operator as is, without a traceback."""


def open_export(path) -> sqlite3.Connection:
    """Load `path` (an SQL dump or a SQLite database file) into memory."""
    path = Path(path)
    if not path.is_file():
        raise LegacyImportError(_("Fichier introuvable : %(path)s") % {"path": path})
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    memory = sqlite3.connect(":memory:")
    memory.row_factory = sqlite3.Row
    if head == SQLITE_MAGIC:
        _copy_database(path, memory)
    else:
        _run_dump(path, memory)
    return memory


def _copy_database(path, memory):
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(memory)
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise LegacyImportError(
            _("Le fichier %(path)s ressemble à une base SQLite mais ne peut pas être lu : %(error)s")
            % {"path": path, "error": exc}
        ) from exc


def _run_dump(path, memory):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LegacyImportError(
            _("Le fichier %(path)s n'est ni un export SQL (texte UTF-8) ni une base SQLite.") % {"path": path}
        ) from exc
    if not re.search(r"\bCREATE\s+TABLE\b", text, re.IGNORECASE):
        raise LegacyImportError(
            _("Le fichier %(path)s n'est pas un export SQL de base de données : il ne crée aucune table.")
            % {"path": path}
        )
    for line_number, statement in _statements(text):
        if _SKIPPED_STATEMENT.match(statement):
            continue
        try:
            memory.executescript(statement)
        except sqlite3.Error as exc:
            raise LegacyImportError(_describe_broken_statement(line_number, statement, exc)) from exc


def _statements(text):
    """Yield (first line number, statement), cutting where SQLite says a statement ends."""
    buffer, start = [], None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if start is None:
            if not line.strip():
                continue
            start = number
        buffer.append(line)
        joined = "".join(buffer)
        if sqlite3.complete_statement(joined):
            yield start, joined
            buffer, start = [], None
    rest = "".join(buffer).strip()
    if rest:
        # An unfinished statement: a truncated dump. Running it gives SQLite's own error.
        yield start, rest


def _describe_broken_statement(line_number, statement, exc):
    insert = _INSERT.match(statement)
    if insert:
        table, first_value = insert.groups()
        return _(
            "Export SQL illisible, ligne %(line)d : table « %(table)s », ligne d'identifiant %(id)s : %(error)s"
        ) % {"line": line_number, "table": table, "id": (first_value or "?").strip("'"), "error": exc}
    excerpt = " ".join(statement.split())[:100]
    return _("Export SQL illisible, ligne %(line)d (« %(excerpt)s ») : %(error)s") % {
        "line": line_number, "excerpt": excerpt, "error": exc,
    }


def table_names(memory):
    return [r[0] for r in memory.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def table_columns(memory, table):
    return [r[1] for r in memory.execute(f'PRAGMA table_info("{table}")')]


def table_rows(memory, table, order_by=None):
    """Every row of `table` as a dict, in a stable order."""
    columns = table_columns(memory, table)
    if order_by is None:
        order_by = "id" if "id" in columns else "rowid"
    return [dict(r) for r in memory.execute(f'SELECT * FROM "{table}" ORDER BY {order_by}')]
