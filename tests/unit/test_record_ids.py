"""A record's id names its form (contract/ids.py): the API makes ids that way, and an old
/records/<id> link is sent to that form's record page by reading it back."""

from chalicelib.contract.ids import form_of_record, record_prefix

FORMS = ("mg14", "dir_initial_contact", "dip_session1_triage", "dip_session2",
         "consent_to_share_information")


def test_the_prefix_is_the_form_id_in_capitals_cut_to_twelve():
    assert record_prefix("mg14") == "MG14"
    assert record_prefix("dir_initial_contact") == "DIR-INITIAL-"
    assert record_prefix("consent_to_share_information") == "CONSENT-TO-S"


def test_every_form_is_found_again_from_an_id_it_made():
    for form in FORMS:
        assert form_of_record(f"{record_prefix(form)}-0A1B2C3D4E", FORMS) == form


def test_no_form_or_two_forms_with_the_prefix_find_none():
    assert form_of_record("NOFORM-0A1B2C3D4E", FORMS) is None
    assert form_of_record("MG14", FORMS) is None and form_of_record("MG14-", FORMS) is None
    twins = ("consent_to_share_information", "consent_to_share_infox")
    assert form_of_record("CONSENT-TO-S-0A1B2C3D4E", twins) is None
