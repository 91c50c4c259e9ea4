"""Notifications out: Apprise targets from ``[[notify]]``, delivery records, the relay.

``warroom serve`` runs a ``Notifier`` over its own log when the config has targets;
``warroom relay --store DIR`` runs one over a shared folder. Both keep their delivery
records in SQLite beside the log: ``<server db>.notify.db``, or
``DIR/.warroom-notify.db``; a PostgreSQL-backed server keeps them in its database,
shared by every server on it (``pgrecords``).
"""

from __future__ import annotations

from pathlib import Path

FOLDER_RECORDS = ".warroom-notify.db"


def records_for_folder(folder: Path) -> Path:
    return Path(folder) / FOLDER_RECORDS


def records_for_server(db: Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".notify.db")


def server_records(db: object, *, readonly: bool = False):  # -> Deliveries | PgDeliveries
    """A server database's delivery records: beside an SQLite file, or in PostgreSQL itself."""
    from warroom.db.backend import is_postgres

    if is_postgres(db):
        from .pgrecords import PgDeliveries

        return PgDeliveries(str(db), readonly=readonly)
    from .records import Deliveries

    return Deliveries(records_for_server(Path(str(db))), readonly=readonly)
