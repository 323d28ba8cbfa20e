"""A sentence an analysis or service module writes for people: its English text, and the code
and values it was made from, so that a door can say it in another language.

A :class:`Message` *is* its English text (a ``str``): JSON, the API, the CSV ledgers, the
English command line and every ``==`` against the old sentence see exactly what they saw
before. A door that speaks Dutch reads :attr:`Message.code` and :attr:`Message.values` and
looks the code up in its own catalogue, instead of matching the English with a pattern (which
silently fell back to English whenever a sentence changed). The code travels only inside
the process: a message stored in the database, or sent as JSON, is plain text again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Message(str):
    """An English sentence made from a template of its module, with its code and values."""

    code: str
    """The template's key in its module's table of sentences, e.g. ``other_source``."""
    values: Mapping[str, Any]
    """The values filled in, as they were given (numbers, dates, ids; not yet formatted)."""

    @classmethod
    def of(cls, templates: Mapping[str, str], code: str, **values: Any) -> Message:
        """The sentence ``templates[code]`` with ``values`` filled in (``str.format``)."""
        said = cls(templates[code].format(**values))
        said.code = code
        said.values = dict(values)
        return said


def code_of(text: object) -> str | None:
    """The code of a :class:`Message`; None for plain text (or nothing)."""
    return text.code if isinstance(text, Message) else None
