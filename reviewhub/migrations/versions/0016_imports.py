"""imports: a file of feedback taken in at once (a spreadsheet from a meeting, a Word file
with comments), by whom and onto which version; each reaction names its import and the
author the file gave

Revision ID: 5c1edf3522e7
Revises: 7e4c08967fe9
Create Date: 2026-12-01 18:06:48.776644

"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1edf3522e7'
down_revision = '7e4c08967fe9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('spreadsheet', 'word', name='import_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('reactions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_imports_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_imports_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    # Plain add_column, not batch mode: on SQLite a batch rebuild of comments would drop the
    # text search triggers of 0009.
    op.add_column('comments', sa.Column('import_id', sa.Integer(), nullable=True))
    op.add_column('comments', sa.Column('imported_author', sa.String(length=200), nullable=True))



def downgrade():
    op.drop_column('comments', 'imported_author')
    op.drop_column('comments', 'import_id')
    op.drop_table('imports')
