"""Django settings, all configuration from environment variables (see README, "Configuration")."""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from xiuhua.core.cache import cache_from_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_repo_root = PACKAGE_DIR.parent.parent
PROJECT_DIR = _repo_root if (_repo_root / "pyproject.toml").exists() else Path.cwd()
VAR_DIR = Path(os.environ.get("XIUHUA_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Demo mode is what `make run` gives: demo accounts with a known password. Production turns it off.
DEMO_MODE = _env_flag("XIUHUA_DEMO_MODE", True)
DEMO_PASSWORD = os.environ.get("XIUHUA_DEMO_PASSWORD", "xiuhua-demo")
DEBUG = _env_flag("XIUHUA_DEBUG", False)


def _secret_key() -> str:
    if key := os.environ.get("XIUHUA_SECRET_KEY"):
        return key
    if not DEMO_MODE:
        raise RuntimeError("XIUHUA_SECRET_KEY must be set when XIUHUA_DEMO_MODE is off")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _key_file(path: Path) -> str:
    """A demo-mode data key kept in var/ (owner-only): generated on first use."""
    if not path.exists():
        import base64

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return path.read_text().strip()


def _data_keys() -> tuple[str, str]:
    """The key that encrypts personal data (base64 of 32 bytes) and the previous ones still readable (rotation)."""
    current, previous = os.environ.get("XIUHUA_DATA_KEY", ""), os.environ.get("XIUHUA_DATA_KEY_PREVIOUS", "")
    if current:
        return current, previous
    if not DEMO_MODE:
        raise RuntimeError("XIUHUA_DATA_KEY must be set when XIUHUA_DEMO_MODE is off")
    old = VAR_DIR / "data_key.previous"
    return _key_file(VAR_DIR / "data_key"), previous or (old.read_text().strip() if old.exists() else "")


XIUHUA_DATA_KEY, XIUHUA_DATA_KEY_PREVIOUS = _data_keys()
ALLOWED_HOSTS = [h for h in os.environ.get("XIUHUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "xiuhua.core",
    "xiuhua.accounts",
    "xiuhua.worktime",
    "xiuhua.territory",
    "xiuhua.catalog",
    "xiuhua.notify",
    "xiuhua.cases",
    "xiuhua.routing",
    "xiuhua.intake",
    "xiuhua.patrol",  # issue 13: inspectors on patrol (above territory/accounts, below evaluation and web)
    "xiuhua.ledgers",  # issue 17: archives (一户一档), documents, credit (above cases and notify)
    "xiuhua.campaigns",  # issue 16: campaigns with targets measured from live data (above cases and intake)
    "xiuhua.evaluation",
    "xiuhua.reports",
    "xiuhua.web",
    "xiuhua.platform",
    # The admin with xiuhua's site (accounts/admin_site.py). Last, so that accounts' admin/base_site.html (the
    # superuser warning) is found before the admin's own.
    "xiuhua.accounts.admin_config.XiuhuaAdminConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xiuhua.platform.middleware.BadInputMiddleware",  # issue 12 (hardening): refuse NaN, NUL, deep JSON first
    "xiuhua.core.context.ClientAddressMiddleware",
    "csp.middleware.CSPMiddleware",  # issue 12 (hardening): Content-Security-Policy, see the block at the end
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiuhua.web.middleware.HtmxMiddleware",
    "xiuhua.web.middleware.IdleSessionMiddleware",
    "xiuhua.web.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a login refused for lockout into the lockout page or JSON answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiuhua.platform.urls"
WSGI_APPLICATION = "xiuhua.platform.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiuhua.web.shell.shell_context",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'xiuhua.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so that
    # read-then-write transactions fail fast instead of deadlocking on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: an in-memory shared-cache database locks whole tables and fails at once instead of
    # waiting, so concurrency tests would not test what production does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-xiuhua.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A work queue joins a case to its class, condition, divisions, reporter and unit (select_related): with the
    # default limit of 8, PostgreSQL searched every join order and planned 70 ms for a query it ran in 1 ms.
    # Django writes the joins outward from the case, an order that is right for these lookups.
    # Evaluation groups a month's statistics rows (~80,000 at a million cases a year) by grid: with the default
    # 4 MB the sort spilled to disk; 32 MB per sort or hash keeps it in memory.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c join_collapse_limit=6 -c from_collapse_limit=6 -c work_mem=32MB"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "xiuhua.accounts.passwords.ComplexityValidator"},
    {"NAME": "xiuhua.accounts.passwords.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "xiuhua.accounts.passwords.HistoryValidator"},
]
# A password must be changed after this many days (0: never); accounts an administrator created or reset must
# change theirs at the next login. Demo accounts are exempt while demo mode is on.
XIUHUA_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("XIUHUA_PASSWORD_MAX_AGE_DAYS", "90"))
XIUHUA_PASSWORD_HISTORY = 5

# Login lockout (django-axes) on every door: web login, admin login, API token. After this many failures for one
# account from one address, that pair is locked for this many minutes (failures older than that are forgotten).
XIUHUA_LOGIN_FAILURE_LIMIT = int(os.environ.get("XIUHUA_LOGIN_FAILURE_LIMIT", "5"))
XIUHUA_LOCKOUT_MINUTES = int(os.environ.get("XIUHUA_LOCKOUT_MINUTES", "15"))
# A try refused during a lock is answered after this pause (seconds; 0: at once). A guesser then gets about one
# answer a second per connection instead of hundreds, each of which takes server time report intake needs.
XIUHUA_LOCKED_ANSWER_DELAY = float(os.environ.get("XIUHUA_LOCKED_ANSWER_DELAY", "1.0"))
# Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated); otherwise REMOTE_ADDR counts.
XIUHUA_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("XIUHUA_TRUSTED_PROXIES", "").split(",") if a.strip()]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account+address before any hashing
    "django.contrib.auth.backends.ModelBackend",
    "xiuhua.accounts.permissions.RolePermissionBackend",  # admin powers by role (三员分立)
]
# Axes' database handler (shared by every process and server), writing only when needed (accounts/lockout.py).
AXES_HANDLER = "xiuhua.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = XIUHUA_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=XIUHUA_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A try while locked does not extend the lock, so "locked until" stays true; the lockout page says when.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xiuhua.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xiuhua.core.context.request_address"
# Successful logins and logouts are in xiuhua's own audit trail; one fewer write per login.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # xiuhua registers its own page for lockouts, for the security administrator
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# API bearer tokens live this long unless refreshed by a new login.
XIUHUA_TOKEN_TTL_DAYS = int(os.environ.get("XIUHUA_TOKEN_TTL_DAYS", "7"))
# A web session ends after this many minutes without a request (IdleSessionMiddleware refreshes it at most once
# a minute, so an active user is not logged out and a page view is not a database write).
XIUHUA_SESSION_IDLE_MINUTES = int(os.environ.get("XIUHUA_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = XIUHUA_SESSION_IDLE_MINUTES * 60

# Open311 GeoReport v2: this installation's jurisdiction_id (suggested: the site's domain without www) and the
# contact shown in the discovery document.
# Audit rows are kept at least this long (MLPS: 180 days); `xiuhua audit purge` refuses younger rows.
XIUHUA_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("XIUHUA_AUDIT_RETENTION_DAYS", "180")))
XIUHUA_OPEN311_JURISDICTION = os.environ.get("XIUHUA_OPEN311_JURISDICTION", "xiuhua.local")
XIUHUA_OPEN311_CONTACT = os.environ.get("XIUHUA_OPEN311_CONTACT", "数字城管指挥中心，电话 12319")
# Sources whose cases Open311 and the public pages publish (once accepted, not confidential, not declined or
# voided). Inspector and hotline cases are internal unless listed, e.g. "citizen,open311,inspector".
XIUHUA_PUBLIC_SOURCES = [
    s.strip() for s in os.environ.get("XIUHUA_PUBLIC_SOURCES", "citizen,open311").split(",") if s.strip()
]

# Web maps draw grids, divisions and cases as vector layers on a plain background. A tile layer is optional:
# a URL template such as "https://tiles.example.gov.cn/{z}/{x}/{y}.png" of tiles in WGS84/CGCS2000 Web Mercator
# (GCJ-02 tiles such as Amap's would be offset by hundreds of metres), and the attribution its licence asks for.
XIUHUA_MAP_TILES = os.environ.get("XIUHUA_MAP_TILES", "")
XIUHUA_MAP_TILES_ATTRIBUTION = os.environ.get("XIUHUA_MAP_TILES_ATTRIBUTION", "")
# Reverse geocoding (docs/places.md): a point reported without address text is named by the nearest house number
# within XIUHUA_ADDRESS_SNAP_METRES ("…号" within XIUHUA_ADDRESS_EXACT_METRES, else "…号附近"), else by the nearest
# road within XIUHUA_ROAD_SNAP_METRES with its side and distance, else by its community.
XIUHUA_ADDRESS_SNAP_METRES = float(os.environ.get("XIUHUA_ADDRESS_SNAP_METRES", "60"))
XIUHUA_ADDRESS_EXACT_METRES = float(os.environ.get("XIUHUA_ADDRESS_EXACT_METRES", "15"))
XIUHUA_ROAD_SNAP_METRES = float(os.environ.get("XIUHUA_ROAD_SNAP_METRES", "200"))
# The coordinate system of those tiles: "wgs84" (Tianditu and most government tile servers: CGCS2000, which fits
# the stored WGS84 coordinates) or "gcj02" (Amap/Gaode, Tencent): then every overlay is shifted onto the tiles
# in the browser and positions picked on the map are shifted back to WGS84 before they are sent.
XIUHUA_MAP_TILES_CRS = os.environ.get("XIUHUA_MAP_TILES_CRS", "wgs84").strip().lower()
if XIUHUA_MAP_TILES_CRS not in ("wgs84", "cgcs2000", "gcj02"):
    raise ImproperlyConfigured(f"XIUHUA_MAP_TILES_CRS 应为 wgs84、cgcs2000 或 gcj02，收到「{XIUHUA_MAP_TILES_CRS}」")
# The default cache (docs/deployment.md): unset, each process keeps its own in memory, and `xiuhua serve` with
# several worker processes moves it to VAR_DIR/cache so that they share it; redis://host:6379/0 shares it through
# Redis (Django's RedisCache) between processes and machines.
XIUHUA_CACHE_URL = os.environ.get("XIUHUA_CACHE_URL", "").strip()
CACHES = {"default": cache_from_url(XIUHUA_CACHE_URL)}
# The dashboard's figures are shared for this many seconds by everyone who sees the same cases (0: always fresh).
XIUHUA_OVERVIEW_CACHE_SECONDS = int(os.environ.get("XIUHUA_OVERVIEW_CACHE_SECONDS", "30"))
# Below this many cases (its own count per object type: docs/evaluation.md) an object of the evaluation gets
# 样本不足 instead of a score, grade and rank: one or two cases would give grade A or swing its rank by a dozen.
XIUHUA_EVALUATION_MIN_SAMPLE = int(os.environ.get("XIUHUA_EVALUATION_MIN_SAMPLE", "5"))
# The monthly report's PDF needs a TrueType (glyf) CJK font; Debian package fonts-wqy-zenhei provides this one.
XIUHUA_REPORT_FONT = os.environ.get("XIUHUA_REPORT_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
# A built report file is kept for download and reused while no case changed since, or for this many seconds.
XIUHUA_REPORT_CACHE_SECONDS = int(os.environ.get("XIUHUA_REPORT_CACHE_SECONDS", "600"))

# Inspectors on patrol (docs/patrol.md): the phone records a position this often while on duty; a shift with no
# position for the idle minutes is closed at its last position; positions may arrive this many hours late (kept
# offline); a step faster than the speed is a GPS jump, not patrol, and does not count as distance.
XIUHUA_PATROL_INTERVAL_SECONDS = int(os.environ.get("XIUHUA_PATROL_INTERVAL_SECONDS", "30"))
XIUHUA_PATROL_IDLE_MINUTES = int(os.environ.get("XIUHUA_PATROL_IDLE_MINUTES", "30"))
XIUHUA_PATROL_BACKDATE_HOURS = int(os.environ.get("XIUHUA_PATROL_BACKDATE_HOURS", "24"))
XIUHUA_PATROL_MAX_SPEED_KMH = float(os.environ.get("XIUHUA_PATROL_MAX_SPEED_KMH", "40"))

# Outgoing messages (xiuhua.notify, docs/messages.md). Outside channels switched on: code → channel class, as JSON
# in XIUHUA_MESSAGE_CHANNELS; none by default (the in-app inbox always works).
XIUHUA_MESSAGE_CHANNELS = json.loads(os.environ.get("XIUHUA_MESSAGE_CHANNELS", "{}"))
# Which outside channels each kind of message goes out on (those switched on above).
XIUHUA_MESSAGE_ROUTES = {
    "task": ["sms", "wecom"],
    "approval": ["wecom"],
    "urge": ["sms", "wecom"],
    "warning": ["wecom"],
    "overdue": ["sms", "wecom"],
    "refused": ["wecom"],
    "decision": [],
    "info": [],
    "citizen_receipt": ["sms"],
    "citizen_closure": ["sms"],
    "shop_reminder": ["sms"],
    "vital_sign": ["sms", "wecom"],
}
# No SMS to citizens and shops (messages without a user) in these local hours unless urgent: held until the end.
XIUHUA_MESSAGE_QUIET_HOURS = os.environ.get("XIUHUA_MESSAGE_QUIET_HOURS", "21:00-08:00")
# At most this many messages per channel and address in any hour; more are held, not dropped (0 = no ceiling).
XIUHUA_MESSAGE_HOURLY_CEILING = int(os.environ.get("XIUHUA_MESSAGE_HOURLY_CEILING", "10"))
XIUHUA_MESSAGE_MAX_ATTEMPTS = int(os.environ.get("XIUHUA_MESSAGE_MAX_ATTEMPTS", "6"))
# A message left `sending` longer than this by a stopped worker is failed for a person to check, never resent.
XIUHUA_MESSAGE_LEASE_SECONDS = int(os.environ.get("XIUHUA_MESSAGE_LEASE_SECONDS", "600"))
XIUHUA_MESSAGE_POLL_SECONDS = float(os.environ.get("XIUHUA_MESSAGE_POLL_SECONDS", "1"))
# 企业微信 / 政务微信 application messages (channel "wecom": xiuhua.notify.channels.wecom.WeComChannel). 政务微信
# deployments answer on their own private address: set XIUHUA_WECOM_API_BASE to it (ending in /cgi-bin/).
XIUHUA_WECOM_API_BASE = os.environ.get("XIUHUA_WECOM_API_BASE", "https://qyapi.weixin.qq.com/cgi-bin/")
XIUHUA_WECOM_CORP_ID = os.environ.get("XIUHUA_WECOM_CORP_ID", "")
XIUHUA_WECOM_SECRET = os.environ.get("XIUHUA_WECOM_SECRET", "")
XIUHUA_WECOM_AGENT_ID = int(os.environ.get("XIUHUA_WECOM_AGENT_ID", "0"))
XIUHUA_WECOM_TIMEOUT_SECONDS = float(os.environ.get("XIUHUA_WECOM_TIMEOUT_SECONDS", "10"))
# How long to hold messages after WeCom answers "too many calls" (45009, 45033 …).
XIUHUA_WECOM_RATE_LIMIT_RETRY_SECONDS = float(os.environ.get("XIUHUA_WECOM_RATE_LIMIT_RETRY_SECONDS", "60"))
# The e-mail channel (xiuhua.notify.channels.email.EmailChannel) sends through this SMTP server, with Django's
# own settings; the sender address is XIUHUA_EMAIL_FROM (else DEFAULT_FROM_EMAIL).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
XIUHUA_EMAIL_FROM = os.environ.get("XIUHUA_EMAIL_FROM", "")
# The push rate counts a message as pushed when delivered within this many minutes of what caused it.
XIUHUA_MESSAGE_PUSH_MINUTES = int(os.environ.get("XIUHUA_MESSAGE_PUSH_MINUTES", "5"))
# Recipients a batch writes to the outbox per transaction (its progress is saved after each chunk).
XIUHUA_MESSAGE_BATCH_CHUNK = int(os.environ.get("XIUHUA_MESSAGE_BATCH_CHUNK", "200"))
# SMS over SMPP 3.4 (channel "sms": xiuhua.notify.channels.sms.SmppChannel): the carrier's or SMS platform's SMSC.
XIUHUA_SMPP_HOST = os.environ.get("XIUHUA_SMPP_HOST", "127.0.0.1")
XIUHUA_SMPP_PORT = int(os.environ.get("XIUHUA_SMPP_PORT", "2775"))
XIUHUA_SMPP_SYSTEM_ID = os.environ.get("XIUHUA_SMPP_SYSTEM_ID", "")
XIUHUA_SMPP_PASSWORD = os.environ.get("XIUHUA_SMPP_PASSWORD", "")
XIUHUA_SMPP_SYSTEM_TYPE = os.environ.get("XIUHUA_SMPP_SYSTEM_TYPE", "")
# The sender number (or 106… service code) messages come from.
XIUHUA_SMPP_SOURCE_ADDR = os.environ.get("XIUHUA_SMPP_SOURCE_ADDR", "")
# Seconds to wait for the SMSC's answer to a bind or a submit before the connection counts as broken.
XIUHUA_SMPP_TIMEOUT = float(os.environ.get("XIUHUA_SMPP_TIMEOUT", "10"))
# An idle connection sends enquire_link this often (seconds) so the SMSC and firewalls keep it open.
XIUHUA_SMPP_ENQUIRE_LINK_SECONDS = float(os.environ.get("XIUHUA_SMPP_ENQUIRE_LINK_SECONDS", "30"))
# Seconds to wait after the SMSC says it is throttling (ESME_RTHROTTLED / ESME_RMSGQFUL).
XIUHUA_SMPP_THROTTLE_SECONDS = float(os.environ.get("XIUHUA_SMPP_THROTTLE_SECONDS", "5"))
# The platform's public address, for links in messages read outside the browser (SMS, WeCom, e-mail).
XIUHUA_SITE_URL = os.environ.get("XIUHUA_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIUHUA_LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts (WARNING) are what an operator needs.
    "loggers": {"axes": {"level": "WARNING"}},
}


# --- Hardening (issue 12: abuse limits, photo totals, Content-Security-Policy, HTTPS) -----------------------
# Kept in one block; docs/hardening.md explains each setting.

# Anonymous (citizen) reports: per client address per hour, and for the whole district per minute.
XIUHUA_CITIZEN_RATE = (int(os.environ.get("XIUHUA_CITIZEN_REPORTS_PER_HOUR", "10")), 3600)
XIUHUA_ANON_REPORTS_PER_MINUTE = int(os.environ.get("XIUHUA_ANON_REPORTS_PER_MINUTE", "60"))
# Photos of one request together: bytes as uploaded, pixels as the image headers declare them.
XIUHUA_PHOTO_MAX_TOTAL_BYTES = int(os.environ.get("XIUHUA_PHOTO_MAX_TOTAL_BYTES", str(30 * 1024 * 1024)))
XIUHUA_PHOTO_MAX_TOTAL_PIXELS = int(os.environ.get("XIUHUA_PHOTO_MAX_TOTAL_PIXELS", str(100_000_000)))

# No inline script anywhere (every script is a static file). Styles keep 'unsafe-inline': Leaflet and ECharts
# set element styles from script and the templates use style attributes. Map tiles may come from the
# XIUHUA_MAP_TILES host.
_TILE_ORIGIN = "/".join(XIUHUA_MAP_TILES.split("/")[:3]) if XIUHUA_MAP_TILES.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}

# XIUHUA_HTTPS=1 when the site is served over HTTPS: HSTS, redirect to HTTPS, cookies only over HTTPS.
XIUHUA_HTTPS = _env_flag("XIUHUA_HTTPS", False)
if XIUHUA_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("XIUHUA_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("XIUHUA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_flag("XIUHUA_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is a one-way decision for the whole domain, taken by its owner
        # (XIUHUA_HSTS_PRELOAD=1), not a default; the check only reminds of it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Only behind a reverse proxy that sets X-Forwarded-Proto itself (and strips it from clients) may the
    # header be believed; otherwise any client could claim HTTPS.
    if _env_flag("XIUHUA_TRUST_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Campaigns (专项行动): a unit or sub-district behind its plan by more than this many percentage points at a
# month's end gets one 督导 notice per campaign (campaigns/supervision.py).
XIUHUA_CAMPAIGN_SUPERVISION_GAP = float(os.environ.get("XIUHUA_CAMPAIGN_SUPERVISION_GAP", "10"))
# A target, task or unit whose progress is below its plan by more than this many points is 滞后 (campaigns/progress.py).
XIUHUA_CAMPAIGN_BEHIND_GAP = float(os.environ.get("XIUHUA_CAMPAIGN_BEHIND_GAP", "10"))
