"""comments: an index of the reactions a version took in, by version and section key, for
the feedback trail on a section's history page (partial: only reactions taken in)

Revision ID: c0557203daf4
Revises: 56c880687d57
Create Date: 2026-12-01 17:15:26.590119

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0557203daf4'
down_revision = '56c880687d57'
branch_labels = None
depends_on = None

TAKEN_IN = sa.text("taken_in_version_id IS NOT NULL")


# Plain create_index, not batch mode: on SQLite a batch rebuild of comments would drop the
# text search triggers of 0009.
def upgrade():
    op.create_index('ix_comments_taken_in_version_id', 'comments',
                    ['taken_in_version_id', 'taken_in_section_key'], unique=False,
                    sqlite_where=TAKEN_IN, postgresql_where=TAKEN_IN)


def downgrade():
    op.drop_index('ix_comments_taken_in_version_id', table_name='comments')
