"""export files: exports too large for a page request, made by a job for the person who asked
(export_files; the files lie in the instance folder), and the message that one is ready

Revision ID: 7b3e16a00025
Revises: 7b3e16a00024
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e16a00025'
down_revision = '7b3e16a00024'
branch_labels = None
depends_on = None

BEFORE = ('new_version', 'reply', 'decision', 'passage_changed', 'round_closing')
AFTER = (*BEFORE, 'export_ready')


def _kind(values):
    return sa.Enum(*values, name='notification_kind', native_enum=False, create_constraint=True,
                   length=20)


def _kinds(old, new):
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('kind', type_=_kind(new), existing_type=_kind(old),
                              existing_nullable=False)


def upgrade():
    op.create_table('export_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('fmt', sa.String(length=20), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ready_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_export_files_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_files_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_export_files_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_export_files_stored_name'))
    )
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_files_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_export_files_user_id_created_at', ['user_id', 'created_at'], unique=False)

    _kinds(BEFORE, AFTER)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'export_ready'")
    _kinds(AFTER, BEFORE)
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.drop_index('ix_export_files_user_id_created_at')
        batch_op.drop_index(batch_op.f('ix_export_files_created_at'))

    op.drop_table('export_files')
