"""The indicator catalog is area-neutral: no label, definition or comparability note names a
district (the area is each observation's ``geography``), and every indicator declares the
scope of area its figures are about (``scope``), which every curated figure fits.

The district names are read from the data (the manifest's vocabulary, which the curated
geographies use), never listed here.
"""

from __future__ import annotations

import re
import shutil
import unicodedata

import pytest
import yaml

from lib.curation import observations
from lib.curation.catalog import CATALOG_DIR, SCOPES, load_catalog, scope_fits, scope_of
from lib.errors import DataError


@pytest.fixture(scope="module")
def districts(c, obs) -> tuple[str, ...]:
    """The districts of the manifest's vocabulary that the curated figures are about."""
    named = tuple(d for d in c.vocabulary.districts if (obs.geography == d).any())
    assert len(named) >= 2, named  # the check below reads real district names
    return named


def test_no_label_or_definition_names_a_district(catalog, districts) -> None:
    pattern = re.compile(rf"\b(?:{'|'.join(map(re.escape, districts))})\b")
    named = [
        (i.id, field, text)
        for i in catalog.values()
        for field, text in (
            ("label", i.label),
            ("definition", i.definition),
            ("comparability", i.comparability or ""),
        )
        if pattern.search(text)
    ]
    assert named == []


def _folded(name: str) -> str:
    """A name as ids write it: lower case, no diacritics (Sydväst -> sydvast)."""
    plain = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def test_no_indicator_id_names_a_district(catalog, districts) -> None:
    folded = {_folded(d) for d in districts}
    assert [i for i in catalog if folded & set(i.split("_"))] == []


def test_every_figure_fits_its_indicators_scope(c, catalog, obs) -> None:
    assert {i.scope for i in catalog.values()} == set(SCOPES)
    v = c.vocabulary
    misfits = [
        (r.indicator, r.geography, catalog[r.indicator].scope)
        for r in obs.itertuples()
        if not scope_fits(catalog[r.indicator].scope, r.geography, v.city, v.districts)
    ]
    assert not obs.empty and misfits == []


def test_district_totals_and_units_are_distinct_indicators(c, catalog, obs) -> None:
    v = c.vocabulary
    assert catalog["fs_hushall_stadsomrade"].scope == "stadsområde"
    assert catalog["fs_hushall_etablering"].scope == "enhet"
    assert catalog["hem_forfragningar_socialt_boende"].scope == "stad"
    # Socialjouren's events are given per district and for the whole city: either area
    assert set(obs[obs.indicator == "hem_socialjouren_handelser_boende"].geography) >= {v.city}
    assert catalog["hem_socialjouren_handelser_boende"].scope == "område"
    # no indicator holds both a unit's figures and an area's
    for ident, rows in obs.groupby("indicator"):
        assert scope_of(list(rows.geography), v.city, v.districts) is not None, ident


def _catalog_copy(tmp_path, old: str, new: str):
    target = tmp_path / "indicators"
    shutil.copytree(CATALOG_DIR, target)
    path = target / "forsorjningsstod.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize("new", ["", "  scope: distrikt\n"])
def test_a_missing_or_unknown_scope_is_refused(tmp_path, new: str) -> None:
    # fixture: the real catalog with the first indicator's scope removed or misspelt
    target = _catalog_copy(tmp_path, "  scope: stadsområde\n", new)
    with pytest.raises(DataError, match=r"forsorjningsstod.yml indicator 1 .*scope .*stadsområde"):
        load_catalog(target)


def test_a_figure_outside_its_indicators_scope_is_refused(tmp_path, catalog) -> None:
    # fixture: the real curation with one Etableringsenheten figure moved to a district
    target = tmp_path / "curated"
    shutil.copytree(observations.CURATED_DIR, target)
    path = target / "observations_forsorjningsstod.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [r for r in data["observations"] if r["indicator"] == "fs_hushall_etablering"]
    assert rows and rows[0]["geography"] == "Etableringsenheten"
    rows[0]["geography"] = "Centrum"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    expected = (
        "geography 'Centrum' .* does not fit fs_hushall_etablering, an indicator of scope enhet"
    )
    with pytest.raises(DataError, match=expected):
        observations.curated_observations(target, catalog)
