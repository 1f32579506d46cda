"""the moderation queue's indexes: reactions waiting for approval per version, and reports
nobody has looked at yet (the queue read every reaction of the document before)

Revision ID: e3bf41bbdda7
Revises: 5c1e0a9d7b21
Create Date: 2026-12-01 15:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3bf41bbdda7'
down_revision = '5c1e0a9d7b21'
branch_labels = None
depends_on = None


# Plain create_index, not batch mode: on SQLite a batch rebuild of comments would drop the
# text search triggers of 0009.
def upgrade():
    op.create_index('ix_comment_reports_resolved_at', 'comment_reports', ['resolved_at', 'comment_id'], unique=False)
    op.create_index('ix_comments_state_version_id', 'comments', ['state', 'version_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_comments_state_version_id', table_name='comments')
    op.drop_index('ix_comment_reports_resolved_at', table_name='comment_reports')
