"""Database chores shared by every bulk write.

After a bulk load the planner knows nothing about the new rows: on PostgreSQL `report funder
--unit … --from` at 10,000 people took 6 s until ANALYZE, 0.29 s after. Every bulk write
(imports, proposals, the gap rebuild, the bench's seeding) therefore ends with
:func:`analyse` of the tables it changed.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Model

# On SQLite, ANALYZE reads at most this many rows per index (PRAGMA analysis_limit), so that it
# takes milliseconds on a table of millions of rows; the statistics are approximate, which is
# all the planner needs.
SQLITE_ANALYSIS_LIMIT = 1000


def analyse_now(*models: type[Model]) -> None:
    """Refresh the planner's statistics of these models' tables, now."""
    tables = sorted({model._meta.db_table for model in models})
    if not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(quote(table) for table in tables)}")


def analyse(*models: type[Model]) -> None:
    """Analyse the tables once the surrounding transaction commits (at once outside one); a
    write that rolls back (a dry run, a refused file) analyses nothing."""
    transaction.on_commit(lambda: analyse_now(*models), robust=True)
