"""Fresh planner statistics after a bulk load.

PostgreSQL plans each query from statistics that autovacuum refreshes some time after rows
arrive. Straight after tens of thousands of rows are written in one go (the large demo, an
import), the planner still believes the tables are nearly empty and can choose a plan that
takes many seconds (a coordinator's home page took more than 30). `refresh` runs ANALYZE at
once, on PostgreSQL and on SQLite alike (SQLite's planner reads sqlite_stat1 the same way);
`analyze` does it for some tables inside the caller's own transaction (the import's batches).
"""

from __future__ import annotations

from sqlalchemy import text

from ..extensions import db


def analyze(*tables: str) -> None:
    """ANALYZE the named tables (every table if none is named), in the caller's transaction."""
    for name in tables:
        if name not in db.metadata.tables:
            raise ValueError(f"No table called {name!r}")
    db.session.execute(text("ANALYZE " + ", ".join(tables) if tables else "ANALYZE"))


def refresh() -> None:
    """ANALYZE every table of the database, then commit."""
    db.session.commit()
    analyze()
    db.session.commit()
