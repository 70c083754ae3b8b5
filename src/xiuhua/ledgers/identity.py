"""Identity numbers of parties: checked by their check characters, kept only as a keyed digest and the last four.

- 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and the capitals without I, O, Z, S, V; the last is a
  check character over the first 17 (weights 3^i mod 31).
- 居民身份证号码 (GB 11643-1999): 17 digits and a check digit or X (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

from xiuhua.core.crypto import keyed_digest
from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import IdKind

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECKS = "10X98765432"


def normalise(number: str) -> str:
    return "".join(str(number).split()).upper()


def credit_code_check(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def id_card_check(first17: str) -> str:
    return ID_CARD_CHECKS[sum(int(c) * w for c, w in zip(first17, ID_CARD_WEIGHTS, strict=True)) % 11]


def check_identity(kind: str, number: str) -> str:
    """The number normalised (no spaces, capitals), or a Chinese message saying what is wrong with it."""
    number = normalise(number)
    if kind == IdKind.CREDIT_CODE:
        if len(number) != 18 or any(c not in CREDIT_CODE_CHARS for c in number):
            raise DomainError("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）", code="bad_credit_code")
        if credit_code_check(number[:17]) != number[17]:
            raise DomainError("统一社会信用代码校验位不正确", code="bad_credit_code")
    elif kind == IdKind.ID_CARD:
        if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
            raise DomainError("身份证号码应为 17 位数字加 1 位数字或 X", code="bad_id_card")
        if id_card_check(number[:17]) != number[17]:
            raise DomainError("身份证号码校验位不正确", code="bad_id_card")
    elif kind == IdKind.OTHER:
        if not 4 <= len(number) <= 40:
            raise DomainError("证件号码应为 4 到 40 个字符", code="bad_identity")
    else:
        raise DomainError(f"证件类型「{kind}」无效", code="bad_identity")
    return number


def identity_digest(kind: str, number: str) -> str:
    """The lookup key of a checked number: the same party is found again without the number being stored."""
    return keyed_digest(f"identity:{kind}:{normalise(number)}")
