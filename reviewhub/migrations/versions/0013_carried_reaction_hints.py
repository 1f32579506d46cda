"""carried reaction hints: why a carried reaction may have been taken in by the version
(its proposed wording appears, or its passage changed); the workspace asks to confirm it.
Reactions carried before this migration get none.

Revision ID: 56c880687d57
Revises: 6d127876c354
Create Date: 2026-12-01 17:11:44.580661

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56c880687d57'
down_revision = '6d127876c354'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('carried_reactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hint', sa.Enum('wording', 'passage', name='hint_reason', native_enum=False, create_constraint=True, length=20), nullable=True))



def downgrade():
    with op.batch_alter_table('carried_reactions', schema=None) as batch_op:
        # Its CHECK constraint first: SQLite's copy of the table would name the column.
        batch_op.drop_constraint(batch_op.f('ck_carried_reactions_hint_reason'), type_='check')
        batch_op.drop_column('hint')

