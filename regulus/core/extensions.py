"""Where a lower app shows what higher apps add, without importing them.

Dependencies point one way (core ← registry ← licensing …), yet the home page shows every
app's cards and the entity page every app's permits. The lower app names its extension points
as "module:function" strings; `providers` imports those whose app is installed, skipping the
apps not yet built, and a broken import inside an installed app still fails loudly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def providers(specs: Iterable[str]) -> list[Callable[..., Any]]:
    found: list[Callable[..., Any]] = []
    for spec in specs:
        module_name, func_name = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:  # a missing module inside it is a real error
                raise
            continue
        provider = getattr(module, func_name, None)
        if provider is not None:
            found.append(provider)
    return found
