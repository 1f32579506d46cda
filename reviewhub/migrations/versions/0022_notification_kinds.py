"""notifications: two more kinds, a changed passage and a round that closes in three days

Revision ID: 7b3e16a00022
Revises: 90dd5bd903cf
Create Date: 2026-12-02 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e16a00022'
down_revision = '90dd5bd903cf'
branch_labels = None
depends_on = None

BEFORE = ('new_version', 'reply', 'decision')
AFTER = (*BEFORE, 'passage_changed', 'round_closing')


def _kind(values):
    return sa.Enum(*values, name='notification_kind', native_enum=False, create_constraint=True,
                   length=20)


def _change(old, new):
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('kind', type_=_kind(new), existing_type=_kind(old),
                              existing_nullable=False)


def upgrade():
    _change(BEFORE, AFTER)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN ('passage_changed', 'round_closing')")
    _change(AFTER, BEFORE)
