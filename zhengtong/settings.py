"""Settings for zhengtong: one file, every difference between environments an environment variable."""

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default) == "True"


DEV_SECRET_KEY = "dev-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or DEV_SECRET_KEY
DEBUG = envbool("DEBUG")
# The test suite runs with DEBUG=False on purpose (what production runs) and needs no real key.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
# Keys anyone can read in the repository sign nobody's sessions in production.
PUBLIC_SECRET_KEYS = {DEV_SECRET_KEY, "change-me-to-a-long-random-string"}
if not DEBUG and not TESTING and (SECRET_KEY in PUBLIC_SECRET_KEYS or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "拒绝启动:DEBUG=False 时必须设置真实的 SECRET_KEY 环境变量(至少 32 个字符的随机串),"
        "例如 python -c 'import secrets; print(secrets.token_urlsafe(50))' 生成。"
        "本地演示请用 make demo,它会自动生成一个临时密钥。"
    )
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# A refused CSRF check gets the Chinese page of the site (JSON under /api/).
CSRF_FAILURE_VIEW = "zhengtong.lib.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "zhengtong.accounts",
    "zhengtong.audit",
    "zhengtong.workdays",
    "zhengtong.inbox",
    "zhengtong.notify",
    "zhengtong.people",
    "zhengtong.projects",
    "zhengtong.services",
    "zhengtong.population",
    "zhengtong.livelihood",
    "zhengtong.welfare",
    "zhengtong.reports",
    "zhengtong.rollups",
    "zhengtong.jobs",
    "zhengtong.health",
    "zhengtong.demo",
    "zhengtong.backups",
    "zhengtong.lib.datakeys",
]

# Background jobs: the Django tasks API (django-tasks) on its database backend, run by
# `python manage.py worker` (zhengtong/jobs). A job cut off by a dead worker is failed (or
# queued once more when its task is retry-safe) after its worker's heartbeat is this old.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOBS_STALE_AFTER = int(os.environ.get("JOBS_STALE_AFTER", "60"))
# At most this many SMS to one phone a day (more are failed with the reason, not sent).
NOTIFY_SMS_DAILY_CAP = int(os.environ.get("NOTIFY_SMS_DAILY_CAP", "5"))
# OC4IDS project ids start with the publisher's registered prefix (`oc4ids-` and 6 characters,
# given by the OC4IDS helpdesk); the placeholder makes `manage.py check` warn (projects.W001).
OC4IDS_PREFIX = os.environ.get("OC4IDS_PREFIX", "oc4ids-xxxxxx-")
# The anonymous public package: at most this many calls per client address and window.
OC4IDS_PUBLIC_LIMIT = int(os.environ.get("OC4IDS_PUBLIC_LIMIT", "30"))
OC4IDS_PUBLIC_WINDOW_MINUTES = int(os.environ.get("OC4IDS_PUBLIC_WINDOW_MINUTES", "10"))
# Public pages and the API, per client address and window (each page's docstring says more).
PUBLIC_LOOKUP_LIMIT = int(os.environ.get("PUBLIC_LOOKUP_LIMIT", "10"))
PUBLIC_LOOKUP_WINDOW_MINUTES = int(os.environ.get("PUBLIC_LOOKUP_WINDOW_MINUTES", "10"))
CERTIFICATE_VERIFY_LIMIT = int(os.environ.get("CERTIFICATE_VERIFY_LIMIT", "20"))
CERTIFICATE_VERIFY_WINDOW_MINUTES = int(os.environ.get("CERTIFICATE_VERIFY_WINDOW_MINUTES", "10"))
OPEN311_LIMIT = int(os.environ.get("OPEN311_LIMIT", "60"))
OPEN311_WINDOW_SECONDS = int(os.environ.get("OPEN311_WINDOW_SECONDS", "60"))
# SMS codes (短信退订, 网上申请): per phone and per address, and code entries per address, in 10
# minutes; per phone in a day. Online applications stored per address an hour, per phone a day.
SMS_CODES_PER_PHONE = int(os.environ.get("SMS_CODES_PER_PHONE", "3"))
SMS_CODES_PER_ADDRESS = int(os.environ.get("SMS_CODES_PER_ADDRESS", "10"))
SMS_CODE_CHECKS_PER_ADDRESS = int(os.environ.get("SMS_CODE_CHECKS_PER_ADDRESS", "20"))
SMS_CODES_PER_PHONE_DAY = int(os.environ.get("SMS_CODES_PER_PHONE_DAY", "10"))
ONLINE_SUBMITS_PER_ADDRESS = int(os.environ.get("ONLINE_SUBMITS_PER_ADDRESS", "10"))
ONLINE_SUBMITS_PER_PHONE = int(os.environ.get("ONLINE_SUBMITS_PER_PHONE", "3"))
API_JSON_MAX_BYTES = int(os.environ.get("API_JSON_MAX_BYTES", "1048576"))
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
# Reminders of 我的待办: working days before the due date, per kind (default for the rest).
REMINDER_WORKDAYS_BEFORE = {"default": int(os.environ.get("REMINDER_WORKDAYS_BEFORE", "1"))}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, but background polling is not activity (the idle timeout).
    "zhengtong.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the password, the second factor: nothing but its own pages until it is done.
    "zhengtong.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhengtong.audit.middleware.RequestContextMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengtong.urls"
WSGI_APPLICATION = "zhengtong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengtong.accounts.context_processors.navigation",
                "zhengtong.notify.context_processors.unread_messages",
            ],
        },
    },
]

# No DATABASE_URL: a SQLite file in the checkout, so migrate + runserver just works.
# DATABASE_URL=postgres://user:password@host:5432/zhengtong switches to PostgreSQL.
if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "zhengtong.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
        }
    }

# REPLICA_DATABASE_URL: a read replica of the same database; report pages read from it
# (zhengtong.lib.replica), writes and everything else stay on the primary.
if replica_url := os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=60)
DATABASE_ROUTERS = ["zhengtong.lib.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend must come first so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "zhengtong.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "zhengtong.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# 等保 2.0 level 3: lock a username+IP pair for 30 minutes after 5 failures.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "zhengtong.audit.middleware.client_ip"
# Password spraying: past this many failures in the window, per account across addresses and per
# address across accounts, further attempts wait (30 s, doubling) before the password is checked.
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_DELAY_BASE_SECONDS = int(os.environ.get("LOGIN_DELAY_BASE_SECONDS", "30"))
# Behind nginx (which sets X-Real-IP) set TRUSTED_PROXY=True, so the log and the lockout see the
# client's address instead of the proxy's.
TRUSTED_PROXY = envbool("TRUSTED_PROXY")

# Idle timeout: the session expires 15 minutes after the last request.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES")
# Served over HTTPS (SECURE_COOKIES=True): redirect plain HTTP and tell browsers, for a year and
# for every subdomain, to use nothing else. Behind nginx (TRUSTED_PROXY=True) the scheme comes
# from X-Forwarded-Proto, which nginx must set.
if envbool("SECURE_COOKIES"):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if TRUSTED_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: scripts only from our own static files, never inline, so injected
# markup cannot run. Inline style attributes stay allowed (layout only, no script). QR codes and
# the recovery-code download are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Second factor (TOTP). Comma-separated role codes that must use it; unset means 系统管理员,
# 审计员 and 区领导; an empty value turns the requirement off. Others: per unit or by choice.
OTP_REQUIRED_ROLES = [
    role.strip()
    for role in os.environ.get("OTP_REQUIRED_ROLES", "admin,auditor,leader").split(",")
    if role.strip()
]
OTP_TOTP_ISSUER = "政通"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded photos: whitelist of types (JPEG, PNG, WebP), a size cap in bytes and a cap in pixels
# (width × height, read before decoding, so a small file that unpacks to gigabytes is refused).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", 40_000_000))
# Empty: /media/ files are streamed by Django after the checks of zhengtong/lib/files.py. Set to
# an nginx `internal` location (e.g. "/protected-media/") to answer with X-Accel-Redirect instead.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Pages and their htmx calls use the session; machine clients a personal API token.
        # No HTTP Basic: it costs a password hash per call and invites guessing.
        # The token class first: a refused call gets 401 with "WWW-Authenticate: Bearer".
        "zhengtong.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    # One handler: actions' Django errors as 400/403 keyed by field, DRF's messages in Chinese.
    "EXCEPTION_HANDLER": "zhengtong.lib.api.exception_handler",
    # Depth- and size-limited JSON: a hostile body is a Chinese 400, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "zhengtong.lib.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "政通 zhengtong API",
    "DESCRIPTION": "重点项目、一站式服务等模块的 REST 接口。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Open311's request status (open/closed) beside the cases' own status choices.
    "ENUM_NAME_OVERRIDES": {
        "Open311StatusEnum": "zhengtong.services.api.open311.STATUSES",
        "ApplicationStatusEnum": "zhengtong.services.models.Application.Status",
    },
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object a line (request id, user id), ID and phone numbers masked: LOG_FORMAT=text
    # gives plain lines for a terminal.
    "filters": {"mask": {"()": "zhengtong.lib.logs.MaskPersonalNumbersFilter"}},
    "formatters": {"json": {"()": "zhengtong.lib.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask"],
            **({} if os.environ.get("LOG_FORMAT") == "text" else {"formatter": "json"}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The share of the plan below which a project counts as 滞后 (behind). Stated on the project pages.
PROGRESS_TOLERANCE = os.environ.get("PROGRESS_TOLERANCE", "0.10")
# Working days a key-project problem has before it is overdue, unless set on the problem.
PROBLEM_DEFAULT_WORKDAYS = int(os.environ.get("PROBLEM_DEFAULT_WORKDAYS", "10"))
# Monthly nursing subsidy for disabled elderly people by ability level, in 元 (local policy).
NURSING_SUBSIDY_RATES = {
    "2": os.environ.get("NURSING_SUBSIDY_LEVEL2", "100"),
    "3": os.environ.get("NURSING_SUBSIDY_LEVEL3", "200"),
}
# Codes of the org units that keep welfare records (the civil-affairs bureau).
WELFARE_KEEPER_UNIT_CODES = tuple(
    os.environ.get("WELFARE_KEEPER_UNIT_CODES", "ZONE-MZJ").split(",")
)
# Days ahead a reassessment appears in 我的待办.
WELFARE_REASSESS_HORIZON_DAYS = int(os.environ.get("WELFARE_REASSESS_HORIZON_DAYS", "30"))
# Working days a bad rating's callback and rectification has (四川 practice: 15).
RECTIFICATION_WORKDAYS = int(os.environ.get("RECTIFICATION_WORKDAYS", "15"))

# --- Audit chain (zhengtong/audit/sealing.py, checkpoints.py) -------------------------------
# Rows are sealed with HMAC-SM3 under a key kept outside the database: AUDIT_HMAC_KEY (hex or
# base64, at least 32 bytes) or AUDIT_HMAC_KEY_FILE (a file holding it). AUDIT_HMAC_KEY_ID names
# the key on each row (default: a fingerprint of the key). Keys retired by a rotation stay in
# AUDIT_HMAC_OLD_KEYS (comma-separated `id:key`) or AUDIT_HMAC_KEYS_FILE (one `id:key` a line),
# so the rows they sealed still verify.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_HMAC_KEY_FILE = os.environ.get("AUDIT_HMAC_KEY_FILE", "")
AUDIT_HMAC_KEY_ID = os.environ.get("AUDIT_HMAC_KEY_ID", "")
AUDIT_HMAC_OLD_KEYS = os.environ.get("AUDIT_HMAC_OLD_KEYS", "")
AUDIT_HMAC_KEYS_FILE = os.environ.get("AUDIT_HMAC_KEYS_FILE", "")
# True: without a real key, seal with a development key derived from SECRET_KEY (demo and
# tests only; DEBUG=True allows it too). Otherwise a missing key stops the server (audit.E001).
AUDIT_HMAC_DEV_KEY = envbool("AUDIT_HMAC_DEV_KEY")

# --- Personal data at rest (zhengtong/lib/datakeys, zhengtong/lib/encrypted.py) -------------
# ID and phone numbers are sealed with SM4 data keys kept wrapped in the database by a master
# key that is not: DATA_MASTER_KEY (32 hex digits) or DATA_MASTER_KEY_FILE (a file holding it),
# or DATA_KEY_PROVIDER, the dotted path of a KMS/HSM class with wrap(key, aad) and
# unwrap(blob, aad). Without them, AUDIT_HMAC_DEV_KEY=True (or DEBUG) derives a development
# master key from SECRET_KEY; `check --deploy` refuses it (datakeys.E002).
DATA_MASTER_KEY = os.environ.get("DATA_MASTER_KEY", "")
DATA_MASTER_KEY_FILE = os.environ.get("DATA_MASTER_KEY_FILE", "")
DATA_KEY_PROVIDER = os.environ.get("DATA_KEY_PROVIDER", "")
# Signed checkpoints of the chain (`audit_checkpoint`, `audit_verify`) go to this directory,
# outside the database and the media store. Keep it on storage the database users cannot write.
AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("AUDIT_CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit-checkpoints"))
)
LOGGING.setdefault("loggers", {})["zhengtong.audit.checkpoint"] = {"level": "INFO"}
# /health/ fails when an audit event has waited longer than this for a checkpoint.
AUDIT_CHECKPOINT_MAX_AGE_MINUTES = int(os.environ.get("AUDIT_CHECKPOINT_MAX_AGE_MINUTES", "30"))

# --- Daily backup (zhengtong/backups/tasks.py) -----------------------------------------------
# Off unless BACKUP_DIR names an existing directory: the worker then writes one archive a night
# (manage.py backup's format, sealed with SM4 when BACKUP_KEY or BACKUP_KEY_FILE is set) and
# keeps the BACKUP_KEEP newest. /health/ fails "最近备份" when the last one failed or is old.
BACKUP_DIR = os.environ.get("BACKUP_DIR", "")
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
# Report PDFs (the work report) are copies of figures kept in the ledgers: the stored file is
# removed this many days after it was made; its page then offers to make it again.
REPORT_FILE_KEEP_DAYS = int(os.environ.get("REPORT_FILE_KEEP_DAYS", "30"))
# 孕前优生健康检查: working days from enrolment to the check's due date (the office's own rule).
PRECONCEPTION_CHECK_WORKDAYS = int(os.environ.get("PRECONCEPTION_CHECK_WORKDAYS", "20"))
BACKUP_MAX_AGE_HOURS = int(os.environ.get("BACKUP_MAX_AGE_HOURS", "26"))

# --- SMS (zhengtong/notify/sms) --------------------------------------------------------------
# The provider: the development file backend (nothing is sent; one JSON line a message in
# SMS_FILE_PATH) unless set to zhengtong.notify.sms.aliyun.AliyunBackend (阿里云短信服务) or
# zhengtong.notify.sms.tencent.TencentBackend (腾讯云短信). `manage.py check` names what is missing.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "zhengtong.notify.sms.console.FileBackend")
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms-outbox.jsonl")))
# The approved signature (签名) used when a message names none; seconds one request may take.
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "5"))
SMS_ALIYUN_ENDPOINT = os.environ.get("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION = os.environ.get("SMS_ALIYUN_REGION", "cn-hangzhou")
SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_TENCENT_ENDPOINT = os.environ.get("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/")
SMS_TENCENT_REGION = os.environ.get("SMS_TENCENT_REGION", "ap-guangzhou")
SMS_TENCENT_SECRET_ID = os.environ.get("SMS_TENCENT_SECRET_ID", "")
SMS_TENCENT_SECRET_KEY = os.environ.get("SMS_TENCENT_SECRET_KEY", "")
SMS_TENCENT_SDK_APP_ID = os.environ.get("SMS_TENCENT_SDK_APP_ID", "")
# 腾讯云 templates take their variables by position: per template ID, the names of the message's
# params in the template's order, as `template_id:name,name;template_id:name`.
SMS_TENCENT_TEMPLATE_PARAMS: dict[str, list[str]] = {
    template_id.strip(): [name.strip() for name in names.split(",") if name.strip()]
    for template_id, _, names in (
        entry.partition(":")
        for entry in os.environ.get("SMS_TENCENT_TEMPLATE_PARAMS", "").split(";")
        if entry.strip()
    )
}
# One log line per message the development backend writes (phone masked, no parameters).
LOGGING.setdefault("loggers", {})["zhengtong.notify.sms"] = {"level": "INFO"}
