"""The load bench's server (bench/load_bench.py): the production settings, and the URL conf
with the two reference views (bench/load_urls.py)."""

from regulus.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"
