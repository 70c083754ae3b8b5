import subprocess
import sys

import pytest
from django.core.management import call_command

from xiuhua.platform.cli import main

pytestmark = pytest.mark.django_db


def test_accounts_command_lists_demo_accounts_with_roles_and_password(demo_city, capsys, settings):
    call_command("accounts")
    out = capsys.readouterr().out
    assert "dispatcher" in out and "派遣员" in out
    assert "dept_zhifa" in out and "海盐县综合行政执法局" in out
    assert settings.DEMO_PASSWORD in out


def test_accounts_command_hides_the_password_outside_demo_mode(demo_city, capsys, settings):
    settings.DEMO_MODE = False
    call_command("accounts")
    out = capsys.readouterr().out
    assert settings.DEMO_PASSWORD not in out
    assert "非演示模式" in out


def test_cli_accepts_dashed_command_names(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 1
    main(["help", "locate"])
    assert "--crs" in capsys.readouterr().out


def test_installed_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "xiuhua.platform.cli", "help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "demo" in result.stdout and "locate" in result.stdout
