"""The object factory of district A (tests/test_authorization_everywhere.py) as a fixture here."""

from tests.test_authorization_everywhere import district_a_objects  # noqa: F401
