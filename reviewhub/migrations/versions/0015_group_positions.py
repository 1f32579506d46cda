"""group positions: a group's position per section, composed by its coordinator from the
members' reactions (position_sources), kept "in voorbereiding" and sent in editions
(position_editions); the reaction that is a sent position names its edition

Revision ID: 7e4c08967fe9
Revises: c0557203daf4
Create Date: 2026-12-01 17:21:03.824229

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e4c08967fe9'
down_revision = 'c0557203daf4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('question', 'suggestion', 'concern', 'support', 'general', name='comment_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_group_positions_comment_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_positions_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_group_positions_section_id_sections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_group_positions_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_group_positions_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_positions')),
    sa.UniqueConstraint('group_id', 'section_id', name=op.f('uq_group_positions_group_id_section_id'))
    )
    with op.batch_alter_table('group_positions', schema=None) as batch_op:
        batch_op.create_index('ix_group_positions_version_id_group_id', ['version_id', 'group_id'], unique=False)

    op.create_table('position_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('question', 'suggestion', 'concern', 'support', 'general', name='comment_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['position_id'], ['group_positions.id'], name=op.f('fk_position_editions_position_id_group_positions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_position_editions_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_editions')),
    sa.UniqueConstraint('position_id', 'number', name=op.f('uq_position_editions_position_id_number'))
    )
    op.create_table('position_sources',
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_position_sources_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['position_id'], ['group_positions.id'], name=op.f('fk_position_sources_position_id_group_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('position_id', 'comment_id', name=op.f('pk_position_sources'))
    )
    # Plain add/drop_column, not batch mode: on SQLite a batch rebuild of comments would drop
    # the text search triggers of 0009.
    op.add_column('comments', sa.Column('position_edition', sa.Integer(), nullable=True))



def downgrade():
    op.drop_column('comments', 'position_edition')

    op.drop_table('position_sources')
    op.drop_table('position_editions')
    with op.batch_alter_table('group_positions', schema=None) as batch_op:
        batch_op.drop_index('ix_group_positions_version_id_group_id')

    op.drop_table('group_positions')
