"""API keys for system clients: created from the CLI or the admin, shown once, stored hashed, revocable."""

import pytest
from django.core.management import CommandError, call_command

from xiuhua.accounts.models import ApiKey
from xiuhua.accounts.services import client_for_api_key, create_api_key
from xiuhua.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_cli_prints_a_new_key_that_identifies_the_client(capsys):
    call_command("apikey", "create", "城市啄木鸟小程序")
    key = capsys.readouterr().out.strip()
    stored = ApiKey.objects.get(name="城市啄木鸟小程序")
    assert len(key) >= 40 and key not in stored.key_hash and stored.prefix == key[:8]
    assert client_for_api_key(key) == stored
    assert client_for_api_key(key + "x") is None


def test_a_revoked_key_no_longer_works(capsys):
    _api_key, key = create_api_key("扬尘监测网关")
    call_command("apikey", "revoke", "扬尘监测网关")
    assert client_for_api_key(key) is None
    call_command("apikey", "list")
    assert "扬尘监测网关" in capsys.readouterr().out


def test_bad_names_are_refused_with_a_message():
    create_api_key("视频分析平台")
    with pytest.raises(DomainError, match="已有名为「视频分析平台」"):
        create_api_key("视频分析平台")
    with pytest.raises(CommandError, match="需要密钥名称"):
        call_command("apikey", "create")
    with pytest.raises(CommandError, match="没有名为「无此应用」"):
        call_command("apikey", "revoke", "无此应用")
    assert ApiKey.objects.count() == 1


def test_admin_shows_the_new_key_once(admin_client):
    response = admin_client.post(
        "/admin/accounts/apikey/add/", {"name": "Open311 测试客户端", "active": "on"}, follow=True
    )
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert "只显示这一次" in message
    key = message.rsplit("：", 1)[-1].strip()
    assert client_for_api_key(key).name == "Open311 测试客户端"
