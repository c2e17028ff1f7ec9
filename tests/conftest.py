"""Shared fixtures: a small bureau and the three personas every test can ask about.

- `handler`: a handler of district A (芙蓉区), scope "unit and below";
- `colleague`: another handler in district A;
- `outsider`: a handler of district B (天心区), who must see nothing of A.
Plus `city_handler` (a city department's handler, whole city), the three duties of 等保 2.0
(`city_admin` system administrator, `security_admin`, `auditor`) and `station_a` (a 所 under A).

Every test that uses the database runs under the audit watcher (tests/audit_watch.py): a
service transaction that writes a domain table without an audit row fails the test.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm
from django.db import connection
from hypothesis import settings as hypothesis_settings

from regulus.core.demo import DEMO_PASSWORD, roles_ensure
from regulus.core.models import OrgUnit, Role, User
from tests.audit_watch import TransactionWatcher
from tests.hashers import quick

# Playwright's sync API runs an event loop in the test thread; the ORM calls in e2e fixtures
# are still synchronous, so Django's async-safety guard must be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# CI replays the same examples every run, so a landing is never decided by a lucky draw;
# developers' runs keep exploring new examples (and a failure found there becomes a test).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Staff made and logged in by the tests get argon2id hashes at the algorithm's least cost,
# not production's half a second each (tests/hashers.py).
django_settings.PASSWORD_HASHERS = quick(django_settings.PASSWORD_HASHERS)
get_hashers.cache_clear()
get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def throttle_counts_start_at_zero(settings):
    """Every test counts the portal's rate limits from zero: its counters get their own key
    prefix in the cache, so the applications and lookups of earlier tests (the browser tests
    commit theirs) never block it. Needs no database, so it suits every test."""
    settings.THROTTLE_KEY_PREFIX = f"throttle-test-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def audit_by_construction(request):
    """Fail the test if a service transaction it ran wrote a domain table without an audit row
    (tests/audit_watch.py). Watches the tests that run inside a transaction of their own, and
    only their bodies (pytest_runtest_call below): what fixtures set up is the test's data, as
    a seeder's is (a fixture may load the calendar or the catalogue, say)."""
    uses_db = "_django_db_helper" in request.fixturenames or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    if not connection.in_atomic_block:
        yield
        return
    watcher = TransactionWatcher()
    request.node.audit_watcher = watcher
    yield watcher
    if watcher.violations:
        pytest.fail(
            "audit by construction: "
            + "; ".join(str(v) for v in dict.fromkeys(map(str, watcher.violations)))
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The migrations' rows, serialized when the test database is made, for every connection
    object: Playwright runs an event loop in the test thread, where Django hands out connection
    objects of their own, which would not have them to restore (see below)."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that commits for real (transaction=True: the browser tests) ends by emptying the
    database, the rows the migrations load (calendar, catalogue, roles, rules) included: each
    such test starts from those rows again (serialized_rollback), and `make test` hands a worker
    its tests in collection order (`--dist load`), where pytest-django puts these last, so no
    test that expects the rows runs after one that emptied them. Tests that migrate the
    database back and forth (marked `migrations`) leave tables rebuilt: they come last of all."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            rolled_back = pytest.mark.django_db(**marker.kwargs, serialized_rollback=True)
            item.add_marker(rolled_back, append=False)
    items.sort(key=lambda item: item.get_closest_marker("migrations") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    watcher = getattr(item, "audit_watcher", None)
    if watcher is None:
        return (yield)
    with connection.execute_wrapper(watcher):
        return (yield)


@pytest.fixture(autouse=True)
def audit_anchors_in_a_file_of_the_test(settings, tmp_path):
    """The audit chain's anchor file of each test is its own (tick's sweep writes it)."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.txt"


@pytest.fixture(autouse=True)
def operation_log_reads_in_chinese(request):
    """Every audit row a test's services write is read back as the operation log shows it
    (tests/operation_log.py): an English field name, a stored code, True/False, an id or an
    ISO date where a name or a Chinese date belongs fails the test that wrote the row. Only
    for tests that use the database; checked before the test's data is rolled back."""
    marker = request.node.get_closest_marker("django_db")
    if not marker and not {"db", "transactional_db"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    yield
    from django.db import connection

    from regulus.core.models import AuditLog
    from tests.operation_log import problems

    if connection.needs_rollback or not connection.is_usable():
        return  # the test left its transaction broken on purpose: nothing can be read
    found = problems(AuditLog.objects.order_by("id"))
    if found:
        pytest.fail("操作日志中出现了不应给办事人员看到的内容：\n" + "\n".join(found[:20]))


@pytest.fixture
def bureau(db):
    roles = roles_ensure()
    city = OrgUnit.objects.create(
        name="长沙市市场监督管理局", kind=OrgUnit.Kind.CITY_BUREAU, division_code="430100"
    )
    dept = OrgUnit.objects.create(
        name="登记注册科", kind=OrgUnit.Kind.DEPARTMENT, parent=city, division_code="430100"
    )
    district_a = OrgUnit.objects.create(
        name="芙蓉区市场监督管理局",
        short_name="芙蓉区",
        kind=OrgUnit.Kind.DISTRICT_BUREAU,
        parent=city,
        division_code="430102",
    )
    station_a = OrgUnit.objects.create(
        name="芙蓉区东湖市场监管所",
        kind=OrgUnit.Kind.STATION,
        parent=district_a,
        division_code="430102",
    )
    district_b = OrgUnit.objects.create(
        name="天心区市场监督管理局",
        short_name="天心区",
        kind=OrgUnit.Kind.DISTRICT_BUREAU,
        parent=city,
        division_code="430103",
    )
    station_b = OrgUnit.objects.create(
        name="天心区南门市场监管所",
        kind=OrgUnit.Kind.STATION,
        parent=district_b,
        division_code="430103",
    )
    return {
        "city": city,
        "dept": dept,
        "district_a": district_a,
        "station_a": station_a,
        "district_b": district_b,
        "station_b": station_b,
        "roles": roles,
    }


def make_staff(username: str, unit: OrgUnit, *role_names: str, full_name: str = "") -> User:
    user = User.objects.create_user(
        username=username, password=DEMO_PASSWORD, unit=unit, full_name=full_name or username
    )
    user.roles.set(Role.objects.filter(name__in=role_names))
    return user


@pytest.fixture
def handler(bureau):
    return make_staff("handler_a", bureau["district_a"], "县区局业务承办人", full_name="刘思远")


@pytest.fixture
def colleague(bureau):
    return make_staff("colleague_a", bureau["district_a"], "县区局业务承办人", full_name="王晓琳")


@pytest.fixture
def outsider(bureau):
    return make_staff("outsider_b", bureau["district_b"], "县区局业务承办人", full_name="李婷")


@pytest.fixture
def city_handler(bureau):
    """A handler of a city department: the business, city-wide."""
    return make_staff("city_handler", bureau["dept"], "市局业务科室", full_name="杨立芳")


@pytest.fixture
def city_admin(bureau):
    return make_staff("city_admin", bureau["city"], "系统管理员", full_name="系统管理员")


@pytest.fixture
def security_admin(bureau):
    return make_staff("security_admin", bureau["city"], "安全管理员", full_name="安全管理员")


@pytest.fixture
def auditor(bureau):
    return make_staff("auditor", bureau["city"], "安全审计员", full_name="审计员")


@pytest.fixture
def window_clerk(bureau):
    return make_staff("window_a", bureau["district_a"], "窗口受理人员", full_name="窗口小张")


@pytest.fixture
def station_a(bureau):
    return bureau["station_a"]


@pytest.fixture
def plugin_probe(settings):
    """tests/plugin_probe installed as the last app: it adds rows to the entity pages, a card
    and a login-page module, as an app does through its extensions.py."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.plugin_probe"]
