"""Reads of pages from the replica, everything else from the primary, and read-your-writes
(regulus.core.replica). On PostgreSQL a second database stands in for the replica: a copy of
the test database in which one entity's name differs, so each answer shows where it read."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from regulus.core import replica
from regulus.core.replica import REPLICA, STICKY_COOKIE, ReplicaRouter
from regulus.registry.models import Entity
from tests.registry.conftest import make_entity


@pytest.mark.django_db(transaction=True)  # outside a test's own transaction
def test_the_router_reads_from_the_replica_only_where_the_request_allows_it():
    router = ReplicaRouter()
    assert router.db_for_read(Entity) == DEFAULT_DB_ALIAS
    token = replica._reads_from_replica.set(True)
    try:
        assert router.db_for_read(Entity) == REPLICA
        with transaction.atomic():  # a service's reads: current and lockable
            assert router.db_for_read(Entity) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Entity, instance=Entity(pk=1)) == DEFAULT_DB_ALIAS
    finally:
        replica._reads_from_replica.reset(token)
    assert not router.allow_migrate(REPLICA, "registry")


def _libpq(conf: dict, name: str) -> list[str]:
    return ["-h", str(conf["HOST"] or "127.0.0.1"), "-p", str(conf["PORT"] or 5432),
            "-U", str(conf["USER"] or "postgres"), name]  # fmt: skip


@contextlib.contextmanager
def stand_in_replica() -> Iterator[str]:
    """A copy of the test database as it is now, mounted as the `replica` connection."""
    conf = connection.settings_dict
    name = f"regulus_replica_{uuid.uuid4().hex[:10]}"
    admin = _libpq(conf, "postgres")
    subprocess.run(["psql", "-qc", f"CREATE DATABASE {name}", *admin], check=True)
    try:
        dump = subprocess.run(
            ["pg_dump", *_libpq(conf, conf["NAME"])], check=True, capture_output=True
        )
        subprocess.run(["psql", "-q", *_libpq(conf, name)], input=dump.stdout, check=True,
                       capture_output=True)  # fmt: skip
        connections.settings[REPLICA] = {**connections["default"].settings_dict, "NAME": name}
        # Connected here: the test case's guard refuses to open a connection to an alias it
        # was not told of, and this one did not exist when it was set up.
        connections[REPLICA].connect()
        yield name
    finally:
        if REPLICA in connections.settings:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        subprocess.run(["psql", "-qc", f"DROP DATABASE {name} WITH (FORCE)", *admin], check=True)


@pytest.mark.django_db(transaction=True)
def test_pages_read_the_replica_and_a_writer_reads_its_own_writes(client, handler, settings):
    if connection.vendor != "postgresql":
        pytest.skip("a replica is a PostgreSQL set-up")
    entity = make_entity(handler, "主库中的名称有限公司")
    client.force_login(handler)
    with stand_in_replica() as name:
        conf = connection.settings_dict
        with psycopg.connect(
            host=conf["HOST"] or "127.0.0.1", port=conf["PORT"] or 5432,
            user=conf["USER"] or "postgres", dbname=name, autocommit=True,
        ) as replica_db:  # fmt: skip
            replica_db.execute(
                "UPDATE registry_entity SET name = %s WHERE id = %s",
                ["副本中的名称有限公司", entity.pk],
            )
        page = f"/registry/entities/{entity.uscc}/"
        assert "副本中的名称有限公司" in client.get(page).content.decode()
        api = client.get(f"/api/v1/entities/{entity.uscc}")
        assert api.json()["name"] == "副本中的名称有限公司"

        # A write (a token issued): the sticky cookie.
        written = client.post("/tokens/", {"issue": "1", "name": "对接"})
        assert written.cookies[STICKY_COOKIE]["max-age"] == settings.REPLICA_STICKY_SECONDS
        assert "主库中的名称有限公司" in client.get(page).content.decode()

        del client.cookies[STICKY_COOKIE]  # the lag's allowance has passed
        assert "副本中的名称有限公司" in client.get(page).content.decode()
