from tests.licensing.conftest import catalogue, media_root, supermarket  # noqa: F401
