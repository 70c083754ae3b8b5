"""企业微信 / 政务微信 application messages through wechatpy's WeCom client (`message/send` to user ids).

A message with a link (the case page) goes out as a text card, one without as plain text. WeCom gives no
delivery receipts: a message it took counts as delivered. 政务微信 is the same API on a private address
(`XIUHUA_WECOM_API_BASE`).

Three things wechatpy 1.8.18 does that this channel changes:
- its `fetch_access_token` always calls the public qyapi.weixin.qq.com, whatever the API base: ours calls
  `gettoken` on the configured base, so 政务微信 (and the local test server) work;
- on an expired token it refetches and retries without bound (recursively): ours refreshes exactly once, and
  also on 42009, which it does not know;
- it fetches the token without a timeout: every request here has one.
"""

from __future__ import annotations

import hashlib
import html
import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from xiuhua.notify.channels.base import Outgoing, PermanentFailure, ReceiptSink, TemporaryFailure
from xiuhua.notify.models import ProviderToken

log = logging.getLogger("xiuhua.messages.wecom")

# errcodes of the documented WeCom API (developer.work.weixin.qq.com, 全局错误码).
EXPIRED_TOKEN = frozenset({40014, 42001, 42009})  # invalid / expired access_token
RATE_LIMITED = frozenset({45009, 45011, 45033, -1})  # call limits, concurrency limit, 系统繁忙
UNKNOWN_USER = frozenset({40031, 60111, 81013, 82001})  # bad user id list, no such user, all recipients invalid
REFUSED_MESSAGE = frozenset({40008, 40033, 40058, 44004, 45002})  # the message itself is refused

UNKNOWN_USER_REASON = "政务微信中不存在该用户"
UNCERTAIN_REASON = "政务微信未在限时内应答，无法确认是否已发出；请核实后在发件箱重发"

# WeCom's documented limits, in UTF-8 bytes (it cuts longer card texts itself, but refuses a long text message).
TEXT_BYTES, CARD_TITLE_BYTES, CARD_DESCRIPTION_BYTES = 2048, 128, 512


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never inside a character."""
    return text.encode()[:limit].decode("utf-8", "ignore")


def message_body(outgoing: Outgoing) -> dict:
    """The `msg` part of a message/send request: a text card when there is a link to open, else text."""
    if outgoing.link:
        # A notice's text starts with its title ("title。body"): the card shows the title once, above the body.
        description = outgoing.text.removeprefix(f"{outgoing.title}。") if outgoing.title else outgoing.text
        return {
            "msgtype": "textcard",
            "textcard": {
                "title": clip(outgoing.title or outgoing.text, CARD_TITLE_BYTES),
                # The card's description is WeCom's HTML subset: the text must not be read as markup.
                "description": clip(html.escape(description or outgoing.text, quote=False), CARD_DESCRIPTION_BYTES),
                "url": outgoing.link,
                "btntxt": "详情",
            },
        }
    return {"msgtype": "text", "text": {"content": clip(outgoing.text, TEXT_BYTES)}, "safe": 0}


class DatabaseTokenStorage(SessionStorage):
    """wechatpy's session storage in the database (ProviderToken), not in Django's cache: the cache is per process
    here (no shared cache is configured or required), and every worker process fetching its own token would spend
    WeCom's gettoken allowance. A token is dropped a little before WeCom expires it."""

    def get(self, key: str, default=None):
        row = ProviderToken.objects.filter(key=key, expires_at__gt=timezone.now()).first()
        return row.value if row else default

    def set(self, key: str, value, ttl: int | None = None) -> None:
        if value is None:
            return
        ttl = int(ttl or 7200)
        expires_at = timezone.now() + timedelta(seconds=ttl - min(300, ttl // 10))
        ProviderToken.objects.update_or_create(key=key, defaults={"value": value, "expires_at": expires_at})

    def delete(self, key: str) -> None:
        ProviderToken.objects.filter(key=key).delete()


class TimeoutSession(requests.Session):
    """A requests session that never waits without a limit (wechatpy's token fetch passes no timeout)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class WeComClient(WeChatClient):
    """wechatpy's WeCom client on a configurable API base, with a timeout and without unbounded retries."""

    def __init__(self, *, api_base: str, corp_id: str, secret: str, timeout: float, session: SessionStorage):
        self.API_BASE_URL = api_base if api_base.endswith("/") else f"{api_base}/"
        super().__init__(corp_id, secret, session=session, timeout=timeout, auto_retry=False)
        self._http = TimeoutSession(timeout)

    @property
    def access_token_key(self) -> str:
        # wechatpy's key holds the first 10 characters of the secret in clear; a digest names the app as well.
        digest = hashlib.sha256(f"{self.corp_id}:{self.secret}".encode()).hexdigest()[:16]
        return f"wecom:{self.corp_id}:{digest}"

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )


def failure_for(error: WeChatClientException) -> Exception:
    """The outbox failure for an error answer of WeCom."""
    code, text = error.errcode, error.errmsg
    if code is None:  # an HTTP error status, not a WeCom answer
        status = getattr(error.response, "status_code", "")
        return TemporaryFailure(f"政务微信服务暂时不可用（HTTP {status}）")
    if code in RATE_LIMITED:
        return TemporaryFailure(
            f"政务微信接口调用过于频繁（{code}），稍后重试", retry_after=settings.XIUHUA_WECOM_RATE_LIMIT_RETRY_SECONDS
        )
    if code in UNKNOWN_USER:
        return PermanentFailure(UNKNOWN_USER_REASON)
    if code in REFUSED_MESSAGE:
        return PermanentFailure(f"政务微信拒收该消息（错误码 {code}：{text}）")
    if code in EXPIRED_TOKEN:
        return TemporaryFailure(f"政务微信 access_token 刷新后仍无效（错误码 {code}）")
    # Wrong agent id, IP not on the allow list, wrong secret …: a setting to fix; the messages wait for it.
    return TemporaryFailure(f"政务微信返回错误（错误码 {code}：{text}）")


class WeComChannel:
    code = "wecom"
    has_receipts = False

    def __init__(self) -> None:
        self.client: WeComClient | None = None
        self.agent_id = 0

    def open(self) -> None:
        self.agent_id = settings.XIUHUA_WECOM_AGENT_ID
        self.client = WeComClient(
            api_base=settings.XIUHUA_WECOM_API_BASE,
            corp_id=settings.XIUHUA_WECOM_CORP_ID,
            secret=settings.XIUHUA_WECOM_SECRET,
            timeout=settings.XIUHUA_WECOM_TIMEOUT_SECONDS,
            session=DatabaseTokenStorage(),
        )
        self.token()  # reachable and the credentials accepted, or an outage the outbox page shows

    def token(self, *, refresh: bool = False) -> str:
        """The cached access token (fetched when there is none or it is about to expire, or when `refresh`)."""
        try:
            if refresh:
                self.client.fetch_access_token()
            return self.client.access_token
        except WeChatClientException as error:
            failure = failure_for(error)
            raise TemporaryFailure(f"无法取得政务微信 access_token：{failure}") from error
        except requests.RequestException as error:
            raise TemporaryFailure(f"无法连接政务微信服务器（{type(error).__name__}）") from error

    def post(self, userid: str, body: dict) -> dict:
        """One message/send call; an error answer raises WeChatClientException."""
        self.token()  # a token fetch failing here is an outage, not an uncertain send
        try:
            return self.client.message.send(self.agent_id, userid, msg=body)
        except requests.ReadTimeout as error:
            # The request went out and may have been taken: sending again could send it twice.
            raise PermanentFailure(UNCERTAIN_REASON) from error
        except requests.RequestException as error:
            raise TemporaryFailure(f"无法连接政务微信服务器（{type(error).__name__}）") from error

    def send(self, outgoing: Outgoing) -> str:
        body = message_body(outgoing)
        try:
            try:
                answer = self.post(outgoing.address, body)
            except WeChatClientException as error:
                if error.errcode not in EXPIRED_TOKEN:
                    raise
                log.info("WeCom access token expired (%s); fetching a new one", error.errcode)
                self.token(refresh=True)  # once: a second expiry is an error like any other
                answer = self.post(outgoing.address, body)
        except WeChatClientException as error:
            raise failure_for(error) from error
        if not isinstance(answer, dict):  # HTTP 200 without JSON: whether it was taken is unknown
            raise PermanentFailure("政务微信应答无法识别，无法确认是否已发出；请核实后在发件箱重发")
        if answer.get("invaliduser"):
            raise PermanentFailure(UNKNOWN_USER_REASON)
        return str(answer.get("msgid", ""))

    def poll(self, on_receipt: ReceiptSink, timeout: float) -> None:
        return None  # WeCom sends no receipts for application messages

    def close(self) -> None:
        if self.client is not None:
            self.client._http.close()
            self.client = None
