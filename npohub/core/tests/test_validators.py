import pytest

from npohub.core.validators import IdentifierError, mask_id_number, mask_phone, uscc_validate


@pytest.mark.parametrize("code", ["91350100M000100Y43", "53100000500021676K", "91110000600037341L"])
def test_valid_codes_from_the_standard_and_real_organisations_pass(code):
    assert uscc_validate(code) == code


def test_separators_and_lower_case_are_normalised():
    assert uscc_validate("91 110000 600037341l") == "91110000600037341L"


def test_codes_starting_with_a_n_or_y_are_not_wrongly_rejected():
    from npohub.core.validators import uscc_check_character

    for first in "ANY":
        body = first + "1110000600037341"
        assert uscc_validate(body + uscc_check_character(body)).startswith(first)


@pytest.mark.parametrize(
    ("code", "error_code", "fragment"),
    [
        ("91110000600037341N", "uscc_checksum", "第18位校验码错误"),
        ("53100000500020462H", "uscc_checksum", "应为“K”"),
        ("12345", "uscc_length", "应为18位"),
        ("9111000060003IOZSV", "uscc_charset", "I、O、S、V、Z"),
        ("B1110000600037341L", "uscc_authority", "第1位"),
        ("531A0000500021676K", "uscc_division", "第3–8位"),
    ],
)
def test_a_bad_code_names_the_part_that_is_wrong(code, error_code, fragment):
    with pytest.raises(IdentifierError) as info:
        uscc_validate(code)
    assert info.value.code == error_code
    assert fragment in info.value.message


def test_the_category_digit_must_match_the_kind():
    with pytest.raises(IdentifierError) as info:
        uscc_validate("53100000500021676K", expected_category="1")
    assert info.value.code == "uscc_category_mismatch"
    assert "第2位" in info.value.message and "社会团体" in info.value.message


def test_a_market_registered_code_is_not_a_civil_affairs_code():
    with pytest.raises(IdentifierError) as info:
        uscc_validate("91110000600037341L", expected_category="1")
    assert info.value.code == "uscc_not_civil_affairs"


def test_masking_keeps_only_the_ends():
    assert mask_id_number("370102199001011234") == "370102********1234"
    assert mask_phone("13812345678") == "138****5678"
