"""`users add` refuses an agency the protocol does not have, and a role the agency's type
does not hold (finding 1, finding 14's users part), saying why with a did-you-mean."""

from __future__ import annotations

import pytest
from chalicelib.catalogue import Catalogue
from chalicelib.domain.access import membership_problem
from chalicelib.users import InvalidUser, UserDirectory


@pytest.fixture
def protocol(generated):
    return Catalogue(generated).protocol


@pytest.mark.parametrize(("role", "agency", "said"), [
    ("police", "hmp_northshire_healthcare", "staff may hold: agency_types: in forms/protocol"
                                            ".yaml gives it no role"),
    ("cjit", "northshire_treatment", "gives it no role"),
    ("cjit", "northshire_police", "gives it only police"),
    ("police", "northshire_polise", "did you mean 'northshire_police'?"),
    ("police", "elsewhere_police", "is not one of the protocol's"),
])
def test_a_user_whose_agency_or_role_does_not_fit_is_refused_and_not_kept(
        tmp_path, protocol, role, agency, said):
    directory = UserDirectory(tmp_path / "users.sqlite")
    with pytest.raises(InvalidUser) as refused:
        directory.add("someone", role, agency, protocol=protocol)
    assert refused.value.field == "agency" and said in str(refused.value)
    assert directory.list() == []


def test_a_user_whose_role_the_agency_type_holds_is_kept(tmp_path, protocol):
    directory = UserDirectory(tmp_path / "users.sqlite")
    assert membership_problem(protocol, "carat", "hmp_northshire_carats") is None
    user = directory.add("carat_one", "carat", "hmp_northshire_carats", protocol=protocol)
    assert (user.role, user.agency) == ("carat", "hmp_northshire_carats")
