"""carried reactions: a top-level reaction of an earlier version in a later one, with its
section there, its passage re-anchored and its state (written when a version is published;
reactions of versions published before this migration are not carried back)

Revision ID: 6d127876c354
Revises: 7a4f0c2e9b13
Create Date: 2026-12-01 15:54:29.222513

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d127876c354'
down_revision = '7a4f0c2e9b13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('carried_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('unchanged', 'changed', 'orphaned', 'section_removed', name='carry_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('quote_exact', sa.Text(), nullable=True),
    sa.Column('quote_start', sa.Integer(), nullable=True),
    sa.Column('quote_end', sa.Integer(), nullable=True),
    sa.Column('similarity', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_carried_reactions_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_carried_reactions_section_id_sections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_carried_reactions_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carried_reactions')),
    sa.UniqueConstraint('comment_id', 'version_id', name=op.f('uq_carried_reactions_comment_id_version_id'))
    )
    with op.batch_alter_table('carried_reactions', schema=None) as batch_op:
        batch_op.create_index('ix_carried_reactions_version_id_section_id', ['version_id', 'section_id'], unique=False)



def downgrade():
    with op.batch_alter_table('carried_reactions', schema=None) as batch_op:
        batch_op.drop_index('ix_carried_reactions_version_id_section_id')

    op.drop_table('carried_reactions')
