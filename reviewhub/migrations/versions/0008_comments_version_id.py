"""comments: the version of the reaction's section, kept on the reaction, so that a version's
reactions are one index range (the workspace at 50,000 reactions) instead of a join over its
sections

Existing reactions take the version of their section.

Revision ID: ddfdaf589060
Revises: b9a2a6011434
Create Date: 2026-12-01 14:31:22.636415

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ddfdaf589060'
down_revision = 'b9a2a6011434'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE comments SET version_id = "
        "(SELECT sections.version_id FROM sections WHERE sections.id = comments.section_id)"
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_comments_section_id_disposition'))
        batch_op.create_index('ix_comments_version_id_parent_id_id', ['version_id', 'parent_id', 'id'], unique=False)
        batch_op.create_index('ix_comments_version_id_parent_id_disposition', ['version_id', 'parent_id', 'disposition', 'id'], unique=False)
        batch_op.create_index('ix_comments_version_id_parent_id_group_id', ['version_id', 'parent_id', 'group_id', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comments_version_id_versions'), 'versions', ['version_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_version_id_versions'), type_='foreignkey')
        batch_op.drop_index('ix_comments_version_id_parent_id_id')
        batch_op.drop_index('ix_comments_version_id_parent_id_disposition')
        batch_op.drop_index('ix_comments_version_id_parent_id_group_id')
        batch_op.create_index(batch_op.f('ix_comments_section_id_disposition'), ['section_id', 'disposition'], unique=False)
        batch_op.drop_column('version_id')
