"""A test database copied from a migrated one, instead of migrating it every time.

Migrating an empty database takes ~15–30 s here (Django renders the model graph again for
nearly every operation, and nearly every model refers to the contract), and a run of the
suite did it a dozen times: each parallel process, each phase of CI, the fault tests'
installation, the PostgreSQL-restart tests. The result is the same every time the
migrations are, so it is built once and kept as a *template*: an SQLite file under
``var/test-templates/`` or a PostgreSQL database ``weibao_template_<key>``. A test database
is then a copy (SQLite's backup API into the in-memory database; PostgreSQL's ``CREATE
DATABASE … TEMPLATE``), which takes well under a second.

The key is a digest of everything a migration on an empty database depends on: every
installed app's migration files (ours, Django's, the third parties'), the project modules
our migrations import and those they import in turn, the settings module, Django's
version, the database vendor and the day (monitoring's 0002 partitions the days around
the day it runs). A change to any of them builds a new template (and drops the old ones)
with the real ``migrate``. A copy that fails (another checkout's run dropped the
template meanwhile) falls back to migrating. Processes that
start together (the parallel workers) take a lock: one builds, the others copy.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import re
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_IMPORT = re.compile(r"^\s*import\s+(weibao(?:\.\w+)+)", re.MULTILINE)
_FROM_IMPORT = re.compile(r"^\s*from\s+(weibao(?:\.\w+)*)\s+import\s+\(?([\w\s,]+)", re.MULTILINE)
TEMPLATE_PREFIX = "weibao_template_"

_original_create_test_db = None


def install() -> None:
    """Make Django's test-database creation copy the template (built on first use)."""
    global _original_create_test_db
    from django.db.backends.base.creation import BaseDatabaseCreation

    if _original_create_test_db is not None:
        return
    _original_create_test_db = BaseDatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if keepdb or not _copyable(self.connection):
            return _original_create_test_db(self, verbosity, autoclobber, serialize, keepdb)
        return _create_from_template(self, verbosity, autoclobber, serialize)

    BaseDatabaseCreation.create_test_db = create_test_db


def migrations_key(vendor: str) -> str:
    """Digest of what migrating an empty ``vendor`` database depends on."""
    import django
    from django.apps import apps

    # The day too: monitoring's 0002 creates PostgreSQL partitions for the days around the
    # day it runs, so a template is what `migrate` makes on the day it was built.
    today = dt.datetime.now(dt.UTC).date()
    digest = hashlib.sha256(f"{django.get_version()}|{vendor}|{today}".encode())
    # Named by where they sit in their project, not on this disk: two checkouts of the
    # same code share a key (and a PostgreSQL template).
    files: list[tuple[str, Path]] = [("weibao/settings.py", ROOT / "weibao" / "settings.py")]
    for config in apps.get_app_configs():
        migrations = sorted(Path(config.path).glob("migrations/*.py"))
        files += [(f"{config.label}/migrations/{path.name}", path) for path in migrations]
        if config.name.startswith("weibao."):
            files += [(str(path.relative_to(ROOT)), path) for path in _imported_modules(migrations)]
    for name, path in files:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def copy_into_sqlite_file(target: Path) -> bool:
    """Put a migrated copy at ``target`` (an SQLite file a subprocess will use), if this
    run has built the template; False when it has not (the caller migrates)."""
    template = _sqlite_template(migrations_key("sqlite"))
    if not template.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(target)) as copy:
        _sqlite_copy(template, copy)
    return True


def postgres_template_name() -> str:
    """The name the PostgreSQL template has (or will have) for the current migrations: a
    subprocess's database may be created from it when it exists."""
    return TEMPLATE_PREFIX + migrations_key("postgresql")


def _imported_modules(migrations: list[Path]) -> list[Path]:
    """The project's modules the migrations import, and the modules those import, and so on
    (``from weibao.knowledge import text`` is ``knowledge/text.py``): ~15 files."""
    found: set[Path] = set()
    pending = [module for path in migrations for module in _imports_of(path)]
    while pending:
        path = pending.pop()
        if path not in found:
            found.add(path)
            pending.extend(_imports_of(path))
    return sorted(found)


def _imports_of(path: Path) -> list[Path]:
    text = path.read_text(encoding="utf-8")
    modules = _IMPORT.findall(text)
    for package, names in _FROM_IMPORT.findall(text):
        modules += [package, *(f"{package}.{name}" for name in re.split(r"[\s,]+", names.strip()) if name)]
    files = []
    for module in modules:
        base = ROOT.joinpath(*module.split("."))
        files += [candidate for candidate in (base.with_suffix(".py"), base / "__init__.py") if candidate.exists()]
    return files


def _copyable(connection) -> bool:
    if connection.settings_dict["TEST"].get("MIGRATE") is False:
        return False
    if connection.vendor == "sqlite":
        # An in-memory test database (the suite's): a file one is Django's own business.
        return connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
    return connection.vendor == "postgresql"


def _sqlite_template(key: str) -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "test-templates" / f"{key}.sqlite3"


@contextmanager
def _building(key: str):
    """Held while a template is checked, built or copied: one process builds at a time."""
    from django.conf import settings

    directory = Path(settings.VAR_DIR) / "test-templates"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _create_from_template(creation, verbosity, autoclobber, serialize):
    """Django's ``create_test_db`` with the migration replaced by a copy of the template
    (and the template built by that migration the first time)."""
    from django.conf import settings
    from django.core.management import call_command

    connection = creation.connection
    vendor = connection.vendor
    key = migrations_key(vendor)
    with _building(key):
        if not _template_exists(creation, key):
            name = _original_create_test_db(creation, verbosity, autoclobber, False, False)
            _save_template(creation, key)
        else:
            name = creation._get_test_db_name()
            if verbosity >= 1:
                creation.log(f"Copying the migrated test database {key} for alias {connection.alias}...")
            if vendor == "postgresql" and not _clone_pg(creation, key):
                return _original_create_test_db(creation, verbosity, autoclobber, serialize, False)
            connection.close()
            settings.DATABASES[connection.alias]["NAME"] = name
            connection.settings_dict["NAME"] = name
            if vendor == "sqlite":
                connection.ensure_connection()
                _sqlite_copy(_sqlite_template(key), connection.connection)
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return name


def _template_exists(creation, key: str) -> bool:
    if creation.connection.vendor == "sqlite":
        return _sqlite_template(key).exists()
    with creation._nodb_cursor() as cursor:
        return _pg_database_exists(cursor, TEMPLATE_PREFIX + key)


def _pg_database_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def _save_template(creation, key: str) -> None:
    """Keep the just-migrated test database as the template; drop older templates."""
    if creation.connection.vendor == "sqlite":
        _save_sqlite_template(creation.connection, key)
    else:
        _save_pg_template(creation, key)


def _sqlite_copy(source: Path, target: sqlite3.Connection) -> None:
    with closing(sqlite3.connect(source)) as opened:
        opened.backup(target)


def _save_sqlite_template(connection, key: str) -> None:
    template = _sqlite_template(key)
    building = template.with_suffix(".building")  # renamed when whole: never read half-written
    building.unlink(missing_ok=True)
    connection.ensure_connection()
    with closing(sqlite3.connect(building)) as copy:
        connection.connection.backup(copy)
    building.replace(template)
    for old in [*template.parent.glob("*.sqlite3"), *template.parent.glob("*.lock")]:
        if old.stem != key:
            old.unlink(missing_ok=True)


def _save_pg_template(creation, key: str) -> None:
    from django.db.utils import DatabaseError

    connection = creation.connection
    name = TEMPLATE_PREFIX + key
    test_name = connection.settings_dict["NAME"]
    _close_sessions(connection)  # CREATE DATABASE … TEMPLATE needs the source without sessions
    quote = connection.ops.quote_name
    with creation._nodb_cursor() as cursor:
        try:
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(test_name)}")
        except DatabaseError as error:
            if not _pg_database_exists(cursor, name):  # else another checkout built it meanwhile
                creation.log(f"No migrated template kept ({error}); the next run migrates again.")
                return
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                       [TEMPLATE_PREFIX + "%", name])
        for (old,) in cursor.fetchall():
            try:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
            except DatabaseError:
                pass  # being copied by another checkout's run: it goes next time


def _clone_pg(creation, key: str) -> bool:
    """The test database as a copy of the template; False if that failed (another
    checkout's run dropped the template meanwhile: the caller migrates instead)."""
    from django.db.utils import DatabaseError

    connection = creation.connection
    quote = connection.ops.quote_name
    test_name = creation._get_test_db_name()
    _close_sessions(connection)
    with creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")  # left by a run that was killed
        try:
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(TEMPLATE_PREFIX + key)}")
        except DatabaseError:
            return False
    return True


def _close_sessions(connection) -> None:
    connection.close()
    if hasattr(connection, "close_pool"):  # a pooled session would keep the database busy
        connection.close_pool()
