"""A Message (opgave.message) is its English text everywhere text goes (==, JSON, a copy, a
pickle) and keeps its code and values inside the process."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

from opgave.message import Message, code_of

TEMPLATES = {"dropped": "the plan was dropped on {date}", "holds": "holds {value!r}"}


def test_a_message_is_its_english_text_with_its_code_and_values() -> None:
    said = Message.of(TEMPLATES, "dropped", date=dt.date(2024, 1, 1))
    assert said == "the plan was dropped on 2024-01-01" and isinstance(said, str)
    assert said.code == "dropped" and said.values == {"date": dt.date(2024, 1, 1)}
    assert Message.of(TEMPLATES, "holds", value="2A") == "holds '2A'"
    assert json.dumps({"note": said}) == '{"note": "the plan was dropped on 2024-01-01"}'
    assert code_of(said) == "dropped" and code_of("plain") is None and code_of(None) is None


def test_copies_and_pickles_keep_the_code() -> None:
    said = Message.of(TEMPLATES, "dropped", date=dt.date(2024, 1, 1))
    for again in (copy.deepcopy(said), pickle.loads(pickle.dumps(said))):
        assert again == said and code_of(again) == "dropped"
        assert again.values == said.values
