"""status index unique: no two awards hold one status-list index

Revision ID: 0033_status_index_unique
Revises: 0032_change_marks
Create Date: 2026-12-04 03:10:00

Until now only the allocator's lock (`service.status.allocate_many`) kept an index to one award;
the database now refuses a second holder too. Awards without an index (NULL) are not
constrained. A database where two awards already share an index is not changed: the upgrade
stops and names them, because dropping or renumbering either would silently change what a
signed credential's status entry points at.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credstack.errors import Conflict

revision = "0033_status_index_unique"
down_revision = "0032_change_marks"
branch_labels = None
depends_on = None

INDEX = "uq_awards_status_list_index"
_SHOWN = 5

_SHARED = sa.text(
    "SELECT a.status_list_id, a.status_list_index, a.public_id FROM awards a "
    "JOIN (SELECT status_list_id, status_list_index FROM awards "
    "      WHERE status_list_id IS NOT NULL AND status_list_index IS NOT NULL "
    "      GROUP BY status_list_id, status_list_index HAVING COUNT(*) > 1) d "
    "ON d.status_list_id = a.status_list_id AND d.status_list_index = a.status_list_index "
    "ORDER BY a.status_list_id, a.status_list_index, a.id"
)


def _refuse_shared_indexes() -> None:
    """Stop, naming the awards of the first few shared indexes (rows come in index order)."""
    shown: dict[tuple[int, int], list[str]] = {}
    count = 0
    last: tuple[int, int] | None = None
    for list_id, index, public_id in op.get_bind().execute(_SHARED):
        key = (list_id, index)
        if key != last:
            count, last = count + 1, key
        if count <= _SHOWN:
            shown.setdefault(key, []).append(public_id)
    if not count:
        return
    named = "; ".join(
        f"status list {list_id} index {index}: awards {', '.join(awards)}"
        for (list_id, index), awards in shown.items()
    )
    more = f" (and {count - _SHOWN} more)" if count > _SHOWN else ""
    raise Conflict(
        f"cannot make status-list indexes unique: awards share {count} of them "
        f"({named}{more}); nothing was changed. Their credentials share one "
        "revocation bit, so revoking one would revoke the others: give all but one award of "
        "each index a new index and sign its credential again, then run `credstack db "
        "upgrade` again"
    )


def upgrade() -> None:
    _refuse_shared_indexes()
    op.create_index(INDEX, "awards", ["status_list_id", "status_list_index"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="awards")
