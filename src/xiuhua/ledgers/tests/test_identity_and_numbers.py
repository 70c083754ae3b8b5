"""Identity numbers are checked by their check characters; document numbers run per kind and year without gaps."""

from __future__ import annotations

import pytest
from django.db import transaction

from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import DocumentKind, IdKind
from xiuhua.ledgers.identity import check_identity, credit_code_check, identity_digest
from xiuhua.ledgers.numbering import take_number


def test_the_standards_example_id_card_passes_and_a_changed_digit_fails():
    assert check_identity(IdKind.ID_CARD, "11010519491231002x") == "11010519491231002X"
    with pytest.raises(DomainError, match="校验位"):
        check_identity(IdKind.ID_CARD, "11010519491231003X")
    with pytest.raises(DomainError, match="17 位数字"):
        check_identity(IdKind.ID_CARD, "1101051949123100")


def test_a_credit_code_needs_its_check_character_and_refuses_letters_the_standard_leaves_out():
    body = "91330424MA2CXXXX0"
    with pytest.raises(DomainError, match="不含 I、O、Z、S、V"):
        check_identity(IdKind.CREDIT_CODE, "91330424MA2CXXXXO1")
    good = body + credit_code_check(body)
    assert check_identity(IdKind.CREDIT_CODE, f" {good.lower()} ") == good
    wrong = body + ("0" if good[-1] != "0" else "1")
    with pytest.raises(DomainError, match="校验位不正确"):
        check_identity(IdKind.CREDIT_CODE, wrong)


def test_the_same_number_gives_the_same_digest_and_the_digest_hides_it():
    assert identity_digest(IdKind.ID_CARD, "11010519491231002X") == identity_digest(
        IdKind.ID_CARD, "110105 19491231002x"
    )
    assert "11010519491231002X" not in identity_digest(IdKind.ID_CARD, "11010519491231002X")
    assert identity_digest(IdKind.ID_CARD, "11010519491231002X") != identity_digest(IdKind.OTHER, "11010519491231002X")


@pytest.mark.django_db
def test_numbers_run_per_kind_and_year_and_a_rolled_back_document_takes_none():
    with transaction.atomic():
        assert take_number(DocumentKind.REMINDER, 2026) == (1, "海综执提〔2026〕第 00001 号")
        assert take_number(DocumentKind.REMINDER, 2026)[0] == 2
        assert take_number(DocumentKind.RECTIFY_BY, 2026) == (1, "海综执限改〔2026〕第 00001 号")
        assert take_number(DocumentKind.REMINDER, 2027)[0] == 1
    with pytest.raises(DomainError), transaction.atomic():
        take_number(DocumentKind.REMINDER, 2026)
        raise DomainError("文书缺少当事人", code="missing_subject")
    with transaction.atomic():
        assert take_number(DocumentKind.REMINDER, 2026)[0] == 3
