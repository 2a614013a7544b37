"""course paths separate provider and course: slug "<provider>/<code>", old slug kept as legacy_slug

Issue #9 §5 (course-URL squatting): "<provider>-<code>" let provider "emob" + course "academy-HV-9"
take the URL of provider "emob-academy" + course "HV-9". Courses are now served at
/achievements/<provider>/<code>; the path each course had before is kept in ``legacy_slug`` so
that the achievement ids inside credentials issued until now still resolve (by redirect).

Revision ID: 0002_harden_course_paths
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_harden_course_paths"
down_revision = "0001"
branch_labels = None
depends_on = None

_PROVIDER_SLUG = "(SELECT provider.slug FROM provider WHERE provider.id = course.provider_id)"


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("legacy_slug", sa.String(length=140), nullable=True))
        batch.create_unique_constraint("uq_course_legacy_slug", ["legacy_slug"])
    op.execute("UPDATE course SET legacy_slug = slug")
    op.execute(f"UPDATE course SET slug = {_PROVIDER_SLUG} || '/' || lower(code)")


def downgrade() -> None:
    op.execute(f"UPDATE course SET slug = COALESCE(legacy_slug, {_PROVIDER_SLUG} || '-' || lower(code))")
    with op.batch_alter_table("course") as batch:
        batch.drop_constraint("uq_course_legacy_slug", type_="unique")
        batch.drop_column("legacy_slug")
