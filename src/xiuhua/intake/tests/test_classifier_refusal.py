"""Training refuses a history too small to learn from. Apart from test_classifier.py, whose tests share a demo city
that already holds 60 closed cases: this one needs a city with only the three cases it closes itself."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiuhua.intake.models import ClassifierModel
from xiuhua.intake.tests.test_classifier import close_case, fresh_model_cache  # noqa: F401
from xiuhua.platform.demo_texts import TEXT_CLASSES
from xiuhua.territory.models import StreetAddress

pytestmark = pytest.mark.django_db


def test_training_refuses_too_few_cases_with_a_chinese_message(people):
    address = StreetAddress.objects.first()
    text_class = next(t for t in TEXT_CLASSES if t.code == "06010")
    for n in range(3):
        close_case(people, text_class, f"海滨路{n}号暴露垃圾", address)
    with pytest.raises(CommandError) as refused:
        call_command("train_classifier")
    # `xiuhua train-classifier` prints the message and exits with the error's return code.
    assert refused.value.returncode == 1
    message = str(refused.value)
    assert "已结案案卷不足" in message and "至少 50 件" in message and "现有可用 3 件、1 个小类" in message
    assert not ClassifierModel.objects.exists()
