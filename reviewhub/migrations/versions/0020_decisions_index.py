"""comments: an index of a version's decisions by their time, for the feed of the latest decisions (read in order, not sorted)

Revision ID: 61f5f3bdf0b6
Revises: 85c15785ef1f
Create Date: 2026-12-01 23:50:29.261663

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61f5f3bdf0b6'
down_revision = '85c15785ef1f'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: comments must never be rebuilt on SQLite (its FTS triggers).
    op.create_index('ix_comments_version_id_decided_at', 'comments', ['version_id', 'decided_at'])


def downgrade():
    op.drop_index('ix_comments_version_id_decided_at', table_name='comments')
