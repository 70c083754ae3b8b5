"""A local WeCom (企业微信 / 政务微信) API server for tests and benchmarks: real HTTP on 127.0.0.1, the documented
endpoints and answers.

- `GET /cgi-bin/gettoken?corpid=&corpsecret=` → `{"errcode": 0, "access_token": …, "expires_in": 7200}`
  (40013 for a wrong corp id, 40001 for a wrong secret);
- `POST /cgi-bin/message/send?access_token=` with the JSON message → `{"errcode": 0, "errmsg": "ok",
  "invaliduser": "", "msgid": …}`; 41001 without a token, 40014 for an unknown one, 42001 for an expired one,
  40056 for a wrong agent id, 44004 for an empty text, 81013 with `invaliduser` when no recipient exists.

The test drives it: `expire_token()`, `rate_limit(times, code)`, `unknown_users`, `delay` (seconds before each
message/send answer); it counts `token_requests` and keeps every accepted message body in `received`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class WeComServer:
    def __init__(self, corp_id: str = "ww-test-corp", secret: str = "test-secret", agent_id: int = 1000002):
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.token_requests = 0
        self.received: list[dict] = []
        self.unknown_users: set[str] = set()
        self.delay = 0.0
        self._issued: set[str] = set()
        self._live: set[str] = set()
        self._limited = 0
        self._limit_code = 45009
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- driving it -------------------------------------------------------------------------------------------
    def start(self) -> WeComServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="wecom-test-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> WeComServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/cgi-bin/"

    def expire_token(self) -> None:
        """Every token handed out so far expires (answers 42001 from now on)."""
        with self._lock:
            self._live.clear()

    def rate_limit(self, times: int, code: int = 45009) -> None:
        """The next `times` message/send calls are refused with `code` (45009: 接口调用超过限制)."""
        with self._lock:
            self._limited, self._limit_code = times, code

    # -- answers ----------------------------------------------------------------------------------------------
    def gettoken(self, query: dict) -> dict:
        if query.get("corpid") != self.corp_id:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if query.get("corpsecret") != self.secret:
            return {"errcode": 40001, "errmsg": "invalid secret"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.token_requests += 1
            self._issued.add(token)
            self._live.add(token)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def message_send(self, query: dict, raw: bytes) -> dict:
        token = query.get("access_token", "")
        with self._lock:
            if not token:
                return {"errcode": 41001, "errmsg": "access_token missing"}
            if token not in self._issued:
                return {"errcode": 40014, "errmsg": "invalid access_token"}
            if token not in self._live:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            if self._limited:
                self._limited -= 1
                return {"errcode": self._limit_code, "errmsg": "api freq out of limit"}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {"errcode": 47001, "errmsg": "data format error"}
        if body.get("agentid") != self.agent_id:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        problem = _content_problem(body)
        if problem:
            return problem
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in users if u in self.unknown_users]
        if users and len(invalid) == len(users):
            return {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": "|".join(invalid)}
        with self._lock:
            self.received.append(body)
            msgid = f"msg-{len(self.received)}-{secrets.token_hex(4)}"
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid}


def _content_problem(body: dict) -> dict | None:
    kind = body.get("msgtype")
    if kind == "text":
        if not (body.get("text") or {}).get("content"):
            return {"errcode": 44004, "errmsg": "empty content"}
        return None
    if kind == "textcard":
        card = body.get("textcard") or {}
        if not (card.get("title") and card.get("description") and card.get("url")):
            return {"errcode": 40058, "errmsg": "textcard needs title, description and url"}
        return None
    return {"errcode": 40008, "errmsg": "invalid message type"}


def _handler(server: WeComServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/cgi-bin/gettoken":
                return self.answer({"errcode": 404, "errmsg": "not found"}, status=404)
            self.answer(server.gettoken(_query(url.query)))

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path != "/cgi-bin/message/send":
                return self.answer({"errcode": 404, "errmsg": "not found"}, status=404)
            answer = server.message_send(_query(url.query), raw)
            if server.delay:
                time.sleep(server.delay)
            self.answer(answer)

        def answer(self, payload: dict, status: int = 200) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args) -> None:  # quiet: tests read `received`, not the log
            return None

    return Handler


def _query(text: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(text).items()}


def main() -> None:
    """`python -m xiuhua.notify.testing.wecom_server [port]`: serve until Ctrl-C, to try the channel by hand."""
    import sys

    server = WeComServer()
    server._httpd = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), _handler(server))
    print(
        f"WeCom test server: {server.api_base}",
        f"corpid={server.corp_id} secret={server.secret} agentid={server.agent_id}",
        flush=True,
    )
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
        for body in server.received:
            print(json.dumps(body, ensure_ascii=False))


if __name__ == "__main__":
    main()
