"""comments: the parent index holds replies only (WHERE parent_id IS NOT NULL), so that
neither planner picks it for "the top-level reactions of a version" (PostgreSQL read half a
million rows that way at a million reactions) instead of the version indexes

Revision ID: 7a4f0c2e9b13
Revises: e3bf41bbdda7
Create Date: 2026-12-01 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a4f0c2e9b13'
down_revision = 'e3bf41bbdda7'
branch_labels = None
depends_on = None

REPLIES = sa.text("parent_id IS NOT NULL")


# Plain drop/create_index, not batch mode: on SQLite a batch rebuild of comments would drop
# the text search triggers of 0009.
def upgrade():
    op.drop_index('ix_comments_parent_id', table_name='comments')
    op.create_index('ix_comments_parent_id', 'comments', ['parent_id'], unique=False,
                    sqlite_where=REPLIES, postgresql_where=REPLIES)


def downgrade():
    op.drop_index('ix_comments_parent_id', table_name='comments')
    op.create_index('ix_comments_parent_id', 'comments', ['parent_id'], unique=False)
