"""guiding questions: the consultation questions authors ask about a version or one of its
sections (questions), and the question a reaction answers (comments.question_id, with an index
of the answers)

Revision ID: 7b3e16a00024
Revises: 7b3e16a00023
Create Date: 2026-12-02 02:43:39.081769

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e16a00024'
down_revision = '7b3e16a00023'
branch_labels = None
depends_on = None

ANSWERS = sa.text('question_id IS NOT NULL')


def upgrade():
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_questions_section_id_sections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_questions_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    op.create_index(op.f('ix_questions_section_id'), 'questions', ['section_id'], unique=False)
    op.create_index('ix_questions_version_id_position', 'questions', ['version_id', 'position'], unique=False)
    # Not in batch mode: comments must never be rebuilt on SQLite (its FTS triggers). SQLite
    # takes a foreign key written inline in ADD COLUMN (not one added later), with its name.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments ADD COLUMN question_id INTEGER CONSTRAINT '
                   'fk_comments_question_id_questions REFERENCES questions (id) '
                   'ON DELETE SET NULL')
    else:
        op.add_column('comments', sa.Column('question_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_comments_question_id_questions'), 'comments',
                              'questions', ['question_id'], ['id'], ondelete='SET NULL')
    op.create_index('ix_comments_question_id', 'comments', ['question_id'], unique=False,
                    sqlite_where=ANSWERS, postgresql_where=ANSWERS)


def downgrade():
    op.drop_index('ix_comments_question_id', table_name='comments',
                  sqlite_where=ANSWERS, postgresql_where=ANSWERS)
    op.drop_column('comments', 'question_id')  # PostgreSQL drops its foreign key with it
    op.drop_index('ix_questions_version_id_position', table_name='questions')
    op.drop_index(op.f('ix_questions_section_id'), table_name='questions')
    op.drop_table('questions')
