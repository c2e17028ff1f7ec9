"""Password hashing at the cost a test can afford.

Production hashes with argon2id at its full cost (settings.PASSWORD_HASHERS): about half a
second of this machine's two cores a password, paid again at every login. The suite makes
and logs in thousands of staff, so it hashes with the same algorithm at its smallest cost:
the hashes are still argon2id (tests/core/test_security.py checks that), verified by the same
code, and only the work factors differ."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB: argon2's least, 8 a lane
    parallelism = 1


QUICK = {
    "django.contrib.auth.hashers.Argon2PasswordHasher": "tests.hashers.QuickArgon2PasswordHasher",
}


def quick(hashers: list[str]) -> list[str]:
    """The production list with each costly hasher swapped for its quick twin, in its place:
    were production to prefer another algorithm, the tests would hash with that one."""
    return [QUICK.get(path, path) for path in hashers]
