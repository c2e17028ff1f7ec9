"""Types the API's input schemas share, so that every operation checks alike.

- `Text`, `MultilineText`, `Name`: core.text's rules (NFC, trimmed; control, bidi and
  zero-width characters refused; a name holds a CJK or Latin letter). The field's name is the
  key of the error ({"fields": {"name": "含有不允许的…"}}), so the message does not repeat it.
- `Id`: a database key, 1 to 2**63 - 1: a bigger number than any column holds is refused
  before it reaches SQL (SQLite raises OverflowError on it, PostgreSQL an error).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from regulus.core.text import NAME_RULE, has_name_letter, nfc, text_problem, trim

MAX_ID = 2**63 - 1


def _text(*, multiline: bool, name: bool) -> Any:
    def check(value: str) -> str:
        value = trim(value, multiline=multiline)
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise PydanticCustomError("text_refused", problem)
        value = nfc(value)
        if name and value and not has_name_letter(value):
            raise PydanticCustomError("name_letter", NAME_RULE)
        return value

    return AfterValidator(check)


Text = Annotated[str, _text(multiline=False, name=False)]
MultilineText = Annotated[str, _text(multiline=True, name=False)]
Name = Annotated[str, _text(multiline=False, name=True)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
