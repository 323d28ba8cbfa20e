"""Tests of opgave.forecast.assumptions: defaults, overrides, validation, shocks, provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from opgave.forecast.assumptions import (
    PLANSTATUSES,
    ForecastInputError,
    assumption_documents,
    assumptions_from,
    load_assumptions,
)


def test_default_assumptions_cover_every_status_and_anchor_on_30_percent() -> None:
    a = load_assumptions()
    assert set(a.dropout_prob) == set(PLANSTATUSES) == set(a.delay_prob) == set(a.source_note)
    for s in PLANSTATUSES:
        assert 0 <= a.dropout_prob[s] <= 1
        assert abs(sum(a.delay_prob[s]) - 1) < 1e-9
        assert "ssumption" in a.source_note[s]
    soft = np.mean([a.dropout_prob[s] for s in ("3", "4A", "4B")])
    hard = max(a.dropout_prob[s] for s in PLANSTATUSES[:6])
    assert 0.25 <= soft <= 0.35  # ABF 2018: ~30% of soft plans fall away
    assert hard < soft


def test_assumptions_file_overrides_key_by_key(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('[dropout]\n"3" = 0.5\n[delay]\n"4B" = [0.5, 0.5]\n[source]\n"3" = "my note"\n')
    base, mine = load_assumptions(), load_assumptions(f)
    assert mine.dropout_prob["3"] == 0.5 and mine.source_note["3"] == "my note"
    assert mine.delay_prob["4B"] == (0.5, 0.5)
    assert mine.dropout_prob["1A"] == base.dropout_prob["1A"]
    assert mine.delay_prob["3"] == base.delay_prob["3"]
    assert mine.source_file[-1] == str(f)


def test_invalid_assumptions_file_names_every_bad_key(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[dropout]\n"1A" = 1.3\n"2B" = "high"\n"5" = 0.1\n'
        '[delay]\n"3" = [0.5, 0.4]\n"4A" = 0.3\n[extra]\nx = 1\n'
    )
    with pytest.raises(ForecastInputError) as err:
        load_assumptions(f)
    text = str(err.value)
    assert len(err.value.problems) == 6
    for needle in (
        "[dropout].'1A'",
        "got 1.3",
        "[dropout].'2B'",
        "[dropout].'5'",
        "unknown planstatus",
        "[delay].'3'",
        "add up to 0.9",
        "[delay].'4A'",
        "[extra]",
        str(f),
    ):
        assert needle in text


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ForecastInputError, match="cannot read"):
        load_assumptions(tmp_path / "missing.toml")
    f = tmp_path / "broken.toml"
    f.write_text("[dropout\n")
    with pytest.raises(ForecastInputError, match="not valid TOML"):
        load_assumptions(f)


def test_shocks_and_capacity_are_read_and_checked(tmp_path: Path) -> None:
    f = tmp_path / "shocks.toml"
    f.write_text(
        "[shocks]\ndropout_correlation = 0.1\npersistence = 0.4\nsource = 'mine'\n"
        "[capacity]\nnational_max_homes_per_year = 90000\n"
    )
    a = load_assumptions(f)
    assert a.shocks.dropout_correlation == 0.1 and a.shocks.persistence == 0.4
    assert a.shocks.source == "mine" and a.capacity.national_max_homes_per_year == 90_000
    base = load_assumptions()
    assert a.shocks.delay_correlation == base.shocks.delay_correlation  # key by key
    off = tmp_path / "off.toml"
    off.write_text("[capacity]\nnational_max_homes_per_year = 0\n")
    assert load_assumptions([f, off]).capacity.national_max_homes_per_year is None
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[shocks]\ndropout_correlation = 1.5\npersistence = 'high'\nspeed = 1\n"
        "[capacity]\nnational_max_homes_per_year = -1\nyears = 3\n"
    )
    with pytest.raises(ForecastInputError) as err:
        load_assumptions(bad)
    assert len(err.value.problems) == 5
    for needle in ("dropout_correlation", "persistence", "speed", "-1", "years", str(bad)):
        assert needle in str(err.value)


def test_every_forecast_can_state_its_assumptions(tmp_path: Path) -> None:
    assert load_assumptions().stated == ("defaults",)
    f = tmp_path / "mine.toml"
    f.write_text('[dropout]\n"3" = 0.5\n')
    stated = load_assumptions(f).stated
    assert stated[0] == "defaults" and stated[1].startswith(f"{f} (sha256 ")
    f.write_text('[dropout]\n"3" = 0.6\n')  # another file content: another checksum
    assert load_assumptions(f).stated[1] != stated[1]
    documents = [*assumption_documents(), ("scenario x", {"dropout": {"3": 0.4}})]
    scenario = assumptions_from(documents).stated[1]
    assert scenario.startswith("scenario x (sha256 ") and len(scenario.split()[-1]) == 13


def test_default_shocks_are_documented_and_moderate() -> None:
    a = load_assumptions()
    assert 0 < a.shocks.dropout_correlation <= 0.2 and 0 < a.shocks.delay_correlation <= 0.2
    assert 0 < a.shocks.persistence < 1 and "CBS" in a.shocks.source
    assert a.capacity.national_max_homes_per_year is None  # the ceiling is optional
    assert np.isclose(sum(a.delay_prob["3"]), 1.0)
