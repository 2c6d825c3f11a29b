"""The site's words as data (generator/texts/): English and Welsh say the same things.

A translator edits cy.yaml; these checks catch a key left out or added, and a placeholder
(`{item}`, `%{count}`) translated or lost, before a page shows the gap.
"""

from __future__ import annotations

import re

import pytest

from generator.render.text import (
    CASE_WORDS,
    CY_PLURALS,
    DASHBOARD_WORDS,
    LANGUAGE_NAMES,
    WORDS,
    read_texts,
    words,
)

PLACEHOLDER = re.compile(r"%?\{\w+\}")


def flat(value, path=()):
    """(key path, text) for every text in the words, list items numbered."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flat(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from flat(inner, (*path, index))
    else:
        yield path, value


def english_only_plurals(path):
    """GOV.UK Frontend's own English counts are used, so en.yaml's `counts` is empty."""
    return path[0] == "counts"


def test_english_and_welsh_have_the_same_keys():
    en = {path for path, _ in flat(WORDS["en"])}
    cy = {path for path, _ in flat(WORDS["cy"]) if not english_only_plurals(path)}
    assert sorted(en ^ cy, key=str) == []
    assert WORDS["en"]["counts"] == {} and set(WORDS["cy"]["counts"]) == {
        "textareaDescriptionText", "charactersUnderLimitText", "charactersAtLimitText",
        "charactersOverLimitText"}


def test_english_and_welsh_have_the_same_placeholders():
    en = dict(flat(WORDS["en"]))
    differ = {path: (PLACEHOLDER.findall(text), PLACEHOLDER.findall(cy))
              for path, cy in flat(WORDS["cy"]) if path in en
              for text in [en[path]]
              if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(cy))}
    assert differ == {}


def test_welsh_counts_have_every_plural_form_and_their_count():
    for key in ("charactersUnderLimitText", "charactersOverLimitText"):
        forms = WORDS["cy"]["counts"][key]
        assert tuple(forms) == CY_PLURALS
        assert all("%{count}" in text for text in forms.values())


@pytest.mark.parametrize("name", [*LANGUAGE_NAMES, "dashboard", "cases"])
def test_every_word_is_text(name):
    assert all(isinstance(text, str) and text.strip() for _, text in flat(read_texts(name)))


def test_yes_and_no_stay_words_in_yaml():
    """YAML 1.1 would read a bare yes or no as a boolean; the project's loader does not."""
    assert (words("en").yes, words("en").no, words("cy").yes, words("cy").no) == (
        "Yes", "No", "Ie", "Na")


def test_the_staff_pages_share_the_site_words_they_repeat():
    assert CASE_WORDS["script"]["months"] == WORDS["en"]["months"]
    assert CASE_WORDS["script"]["error"] == WORDS["en"]["error"]
    assert DASHBOARD_WORDS["script"]["date_at_time"] == "{date} at {time}"
    assert CASE_WORDS["facts"]["condition_type"] == "DIP condition"


def test_a_file_that_does_not_read_is_an_error(monkeypatch):
    from generator.render import text

    class Broken:
        def joinpath(self, *parts):
            return self

        def read_text(self, encoding):
            return "a: 1\na: 2\n"

    monkeypatch.setattr(text.resources, "files", lambda package: Broken())
    with pytest.raises(ValueError, match="duplicate key"):
        read_texts("en")
