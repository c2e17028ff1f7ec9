"""core.documents numbering: concurrent writers of one prefix queue on PostgreSQL."""

import pytest
from django.db import connection, transaction

from regulus.core.documents import number_next
from regulus.core.models import OrgUnit

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's locks")


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_number_next_starts_each_prefix_at_one():
    assert number_next(model=OrgUnit, field="name", prefix="无此前缀", width=3) == "无此前缀001"


@pg_only
@pytest.mark.django_db(transaction=True)
def test_number_next_holds_the_prefix_lock_to_the_end_of_the_transaction():
    # 32 concurrent API intakes computed the same number and ran out of number_retry's
    # attempts (a 500) before the lock: now the second writer waits for the first's commit.
    with transaction.atomic():
        before = _advisory_locks_held()
        with transaction.atomic():  # number_retry's savepoint
            number_next(model=OrgUnit, field="name", prefix="TS20260101", width=5)
        assert _advisory_locks_held() == before + 1
    assert _advisory_locks_held() == 0
