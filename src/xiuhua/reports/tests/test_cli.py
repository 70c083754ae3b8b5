"""`xiuhua report monthly …`: the file written, bad input refused with a message."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_the_command_writes_the_file(october, tmp_path):

    output = tmp_path / "october.xlsx"
    call_command("report", "monthly", "--period", "2026-10", "--format", "xlsx", "--output", str(output))

    assert output.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(("args", "words"), [(["--period", "2026-13"], "2026-13"), (["--format", "doc"], "doc")])
def test_the_command_refuses_bad_input_with_a_message(demo_city, args, words):

    with pytest.raises(CommandError, match=words):
        call_command("report", "monthly", *args)
