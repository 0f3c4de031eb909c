"""source titles: positions and duties name their source document by title

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 08:50:00

The catalogue used to cite each source document by the name of the file it was read from
(a number, an underscore, a hash, `.txt`), which tells a reader nothing and points outside
the repository. It now cites the document's title (docs/domain.md lists the five). Stores
loaded before keep their rows (the loader adds only missing codes and keeps HR's edits), so
the old file names are rewritten here — matched by their number and shape, never by a value
HR could have typed as a title. Earlier versions in `position_versions` stay as they were:
they are history.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: Source document number → title (as data/catalogue/positions.yaml now cites them).
TITLES = {
    "000": "银行支行客户经理职责",
    "001": "银行客户经理工作制度",
    "002": "信贷客户经理岗位职责",
    "003": "商业中心各个岗位职责表",
    "004": "信贷客户部岗位职责(精选多篇)",
}


def _old_names(number: str) -> sa.ColumnElement[bool]:
    """`000_<16 hex digits>.txt` and nothing else (LIKE's `_` matches any one character)."""
    return sa.and_(sa.column("source").like(f"{number}_%.txt"),
                   sa.func.length(sa.column("source")) == len(number) + 1 + 16 + 4)


def upgrade() -> None:
    for table_name in ("positions", "duties"):
        table = sa.table(table_name, sa.column("source", sa.String))
        for number, title in TITLES.items():
            op.execute(table.update().where(_old_names(number)).values(source=title))


def downgrade() -> None:
    """Titles stay: the old file names are not worth restoring."""
