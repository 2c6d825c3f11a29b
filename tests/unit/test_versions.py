"""A published version's schema is kept; changing what it accepts needs a new version,
and check says whether the change is compatible or breaking."""

from __future__ import annotations

from tests.yaml_cases import build_yaml, fields_form

V1 = fields_form("""
    - {id: surname, type: text, label: Surname, required: true}
    - {id: offence_class, type: choice, label: Class, codelist: offence_class}
""")


def published() -> dict[str, dict[str, str]]:
    result = build_yaml(V1)
    assert result.ok
    return {"t": {"1.0": result.schemas["t/1.0.schema.json"]}}


def problems(form: str) -> list:
    return build_yaml(form, committed=published()).diagnostics


def test_unchanged_published_version_is_fine():
    assert problems(V1) == []


def test_wording_changes_need_no_new_version():
    assert problems(V1.replace("label: Surname", "label: Family name")) == []


def test_new_optional_field_without_bump_is_a_compatible_change():
    form = V1 + "      - {id: pnc_id, type: text, label: PNC ID}\n"
    [problem] = problems(form)
    assert problem.code == "V001"
    assert "compatible change" in problem.message
    assert "new optional field /pnc_id" in problem.message
    assert problem.hint == 'set version: "1.1" to publish it as a new version'


def test_removed_field_without_bump_is_breaking():
    line = "    - {id: offence_class, type: choice, label: Class, codelist: offence_class}\n"
    form = V1.replace(line, "")
    [problem] = problems(form)
    assert problem.code == "V001" and "breaking change" in problem.message
    assert "field /offence_class removed or renamed" in problem.message
    assert '"2.0"' in problem.hint


def test_newly_required_and_retyped_fields_are_breaking():
    form = V1.replace("codelist: offence_class}", "codelist: offence_class, required: true}")
    [problem] = problems(form)
    assert "field /offence_class is newly required" in problem.message
    retyped = V1.replace("{id: surname, type: text", "{id: surname, type: longtext")
    [problem] = problems(retyped)
    assert "changed type from text to longtext" in problem.message


def test_bumped_minor_version_with_compatible_change_is_published_beside_the_old():
    form = V1.replace('"1.0"', '"1.1"') + "      - {id: pnc_id, type: text, label: PNC ID}\n"
    result = build_yaml(form, committed=published())
    assert result.ok
    assert {"t/1.0.schema.json", "t/1.1.schema.json"} <= set(result.schemas)
    assert result.schemas["t/1.0.schema.json"] == published()["t"]["1.0"]


def test_breaking_change_needs_a_major_bump():
    form = V1.replace('"1.0"', '"1.1"').replace("type: text, label: Surname",
                                                "type: number, label: Surname")
    [problem] = problems(form)
    assert problem.code == "V001" and "needs a new MAJOR version" in problem.message
    assert build_yaml(form.replace('"1.1"', '"2.0"'), committed=published()).ok


def test_version_going_backwards():
    committed = {"t": {"2.0": published()["t"]["1.0"]}}
    assert [d.code for d in build_yaml(V1, committed=committed).diagnostics] == ["V002"]
