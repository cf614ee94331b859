"""One phone check for the import, the forms and the API: a mobile is 11 digits starting 13–19,
a landline an area code and 7–8 digits; a number written with spaces, hyphens, brackets,
full-width digits or +86 is accepted and stored one way."""

from __future__ import annotations

import pytest

from npohub.core.validators import IdentifierError, phone_validate


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0531-86123456", "0531-86123456"),
        ("053186123456", "0531-86123456"),
        ("(0531)8612345", "0531-8612345"),
        ("010 12345678", "010-12345678"),
        ("0531-86123456-801", "0531-86123456-801"),
        ("0531-86123456转801", "0531-86123456-801"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_mobile_landline_and_service_numbers_are_accepted_and_written_one_way(typed, stored):
    assert phone_validate(typed) == stored


@pytest.mark.parametrize("typed", ["1380000", "0531-123", "abc", "12345678901", "0531-01234567"])
def test_a_number_too_short_too_long_or_not_a_number_is_refused_with_the_number_quoted(typed):
    with pytest.raises(IdentifierError) as exc:
        phone_validate(typed)
    assert exc.value.code == "phone_invalid"
    assert f"“{typed}”" in exc.value.message


def test_a_mobile_only_field_refuses_a_landline_and_says_what_a_mobile_looks_like():
    assert phone_validate("13812345678", mobile=True) == "13812345678"
    with pytest.raises(IdentifierError) as exc:
        phone_validate("0531-86123456", mobile=True)
    assert exc.value.code == "mobile_invalid"
    assert "11位" in exc.value.message
