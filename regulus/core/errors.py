"""One conversion of a Django ValidationError into field errors, for forms, pages and the API.

Services raise `ValidationError({field: 中文})` (or a bare message for the whole input);
`field_errors(exc)` gives `{field: [messages]}` ("__all__" for what names no field),
`field_messages(exc)` the same joined into one string a field (the API's `fields` and the
licensing forms' error dicts), `add_to_form(form, exc, aliases=...)` puts each message
beside the form's matching field (or at the top when the form has no such field), and
`flash_errors(request, exc, labels=..., join=...)` shows each (or each field's, joined) on
the next page of a page action.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

WHOLE = NON_FIELD_ERRORS  # "__all__": the key of the messages that name no field


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Each field's messages, in order; the messages that name no field under "__all__"."""
    if hasattr(exc, "error_dict"):
        result: dict[str, list[str]] = {}
        for key, errors in exc.error_dict.items():
            messages = [m for error in errors for m in error.messages]
            if messages:
                result.setdefault(key or WHOLE, []).extend(messages)
        return result
    messages = list(exc.messages)
    return {WHOLE: messages} if messages else {}


def field_messages(exc: ValidationError, separator: str = "；") -> dict[str, str]:
    """Each field's messages joined into one string."""
    return {key: separator.join(messages) for key, messages in field_errors(exc).items()}


def form_errors(exc: ValidationError) -> dict[str, list[str]]:
    """field_errors for a form's template: the messages that name no field under "general"
    (a template cannot read "__all__")."""
    errors = field_errors(exc)
    if WHOLE in errors:
        errors["general"] = errors.pop(WHOLE)
    return errors


def form_messages(exc: ValidationError, separator: str = "；") -> dict[str, str]:
    """form_errors with each field's messages joined into one string."""
    return {key: separator.join(texts) for key, texts in form_errors(exc).items()}


def add_to_form(form: Any, exc: ValidationError, *, aliases: Mapping[str, str] = {}) -> None:
    """Put a service's refusal beside the form's fields (a key the form has no field for, after
    `aliases` maps a service's name to the form's, goes to the top of the form)."""
    for key, messages in field_errors(exc).items():
        name = aliases.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def flash_errors(
    request: Any,
    exc: ValidationError,
    labels: Mapping[str, str] = {},
    *,
    join: bool = False,
    prefix: str = "",
) -> None:
    """Each message of a page action's refusal on the next page (django.contrib.messages),
    after the Chinese name of its field (`labels`) unless the message names it itself.
    With `join`, a field's messages make one flash, joined by "；" (as `field_messages`);
    `prefix` names what was refused when a page lists several things (a receipt number)."""
    from django.contrib import messages

    if join:
        grouped = {key: [text] for key, text in field_messages(exc).items()}
    else:
        grouped = field_errors(exc)
    for key, texts in grouped.items():
        label = labels.get(key, "")
        for text in texts:
            named = not label or text.startswith(label)
            messages.error(request, prefix + (text if named else f"{label}：{text}"))
