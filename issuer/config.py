"""Configuration: defaults, then the instance folder's ``config.py``, then ``ISSUER_*`` variables.

``validate_config`` returns a list of problems; the application factory refuses to start
when there is any (style habit 15: fail fast, say what is wrong).
"""
from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse

__all__ = ["DEFAULTS", "load_config", "validate_config", "instance_path", "ensure_secret_key", "prepare_instance",
           "prepare_sqlite_file"]

DEFAULTS: dict = {
    "BASE_URL": "http://localhost:5000",
    "DATABASE_URL": None,              # default: sqlite:///<instance>/issuer.db
    "SECRET_KEY": None,                # master key; default: generated into <instance>/secret_key
    "JWT_ALGORITHM": "ES256",          # ES256 (P-256) or RS256
    "STATUS_LIST_LENGTH": 131072,      # entries per Bitstring Status List (herd privacy minimum)
    "STATUS_LIST_CAPACITY": None,      # allocations per list before rolling over (default: length)
    "STATUS_LIST_MAX_AGE": 300,        # Cache-Control max-age of published lists, seconds
    "MAX_CONTENT_LENGTH": 1024 * 1024, # request bodies (JSON); uploads have their own caps
    "MAX_UPLOAD_BYTES": 8 * 1024 * 1024,
    "CLOCK_SKEW_SECONDS": 300,
    "FULL_SELF_VERIFY": False,         # issuance: also run the full verifier on both forms (slow)
    "LOAD_DEMO": True,
    "VERIFY_REMOTE_DID_WEB": True,     # resolve did:web of other hosts over HTTPS (SSRF-guarded)
    "ALLOW_PRIVATE_FETCH": False,      # tests only: let the fetcher reach loopback addresses
    "ADMIN_TOKEN": None,               # enables POST /api/v1/matrix (the shared competence matrix)
    "OFFICIAL_SCHEMA_DIR": None,       # folder overriding the bundled official 1EdTech OB 3.0 JSON Schemas
    "OFFER_TTL_DAYS": 30,              # wallet pickup: claim offers expire after this many days
    "OFFER_TX_CODE_TRIES": 5,          # wrong OID4VCI PINs (tx_code) before an offer locks
    "OID4VCI_TOKEN_TTL": 600,          # OID4VCI access token lifetime, seconds
    "OID4VCI_NONCE_TTL": 300,          # c_nonce lifetime, seconds
    "OAUTH_TOKEN_LIFETIME": 600,       # seconds an OAuth 2.0 access token is valid
    "SMTP_URL": None,                  # learner e-mail: smtp://user:pass@host:587?starttls=true or smtps://...;
                                       # unset: messages are written as .eml files to <instance>/outbox/
    "MAIL_FROM": None,                 # sender address of learner e-mail (default no-reply@<BASE_URL host>)
    "SMTP_TIMEOUT_SECONDS": 20.0,      # one SMTP conversation
    "NOTIFY_POLL_SECONDS": 2.0,        # job runners look for due webhook deliveries and e-mail this often
    "RATE_LIMITS_ENABLED": True,
    "RATE_LIMIT_STORAGE_URI": "memory://",          # redis://127.0.0.1:6379/0 to share across processes
    "RATE_LIMIT_FAILED_AUTH": "20 per minute",      # 401 answers per client address
    "RATE_LIMIT_VERIFY": "60 per minute",           # public verifier, per client address
    "RATE_LIMIT_VERIFY_URL": "10 per minute",       # verifier fetches of {"url"}, per client address
    "RATE_LIMIT_TOKEN": "30 per minute",            # OAuth token endpoint, per client address
    "RATE_LIMIT_ISSUE": "600 per minute",           # issuance, per provider
    "RATE_LIMIT_CONSOLE_LOGIN": "10 per minute",    # console log-in attempts, per client address
    "RATE_LIMIT_WALLET": "120 per minute",          # wallet pickup (OID4VCI, VC API exchanges, PIN form), per address
    "CONSOLE_SESSION_HOURS": 8,                     # a console session ends this long after log-in
    "PROXY_FIX_X_FOR": 0,              # trusted reverse proxies in front (X-Forwarded-For hops)
    "LOG_FORMAT": "text",              # text or json (one object per line, with the request id)
    "LOG_LEVEL": "INFO",
    "METRICS_ALLOW": "127.0.0.1/32,::1/128",  # CIDRs that may read /metrics ("" = nobody)
    "METRICS_TOKEN": None,             # when set, /metrics needs "Authorization: Bearer <token>" instead
    "ALLOW_ORIGIN_CHANGE": False,      # confirm that BASE_URL moved although credentials were issued
    "TRUST_LIST": None,                # JSON trust list file(s) of known issuers (os.pathsep-separated)
    # Public verifier limits (docs/limits.md): structure, checked before any JSON-LD work ...
    "VERIFY_MAX_BYTES": 1_000_000,     # JSON / JWT text of one credential
    "VERIFY_MAX_IMAGE_BYTES": 8_000_000,  # a baked PNG / SVG
    "VERIFY_MAX_DEPTH": 32,            # nesting of objects and arrays
    "VERIFY_MAX_ARRAY_ITEMS": 256,     # items in any one array
    "VERIFY_MAX_OBJECT_MEMBERS": 128,  # members of any one object
    "VERIFY_MAX_STRING_CHARS": 262_144,  # characters in any one string
    "VERIFY_MAX_VALUES": 5_000,        # objects, arrays and scalars in one credential
    "VERIFY_MAX_PROOFS": 4,            # proofs in a proof set
    "COVERAGE_MAX_CREDENTIALS": 20,    # credentials in one POST /api/v1/coverage
    # ... time: JSON-LD expansion / canonicalization runs under deadlines ...
    "JSONLD_DEADLINE_SECONDS": 2.0,    # one expansion + canonicalization outside the template fast path
    "JSONLD_BUDGET_SECONDS": 3.0,      # all JSON-LD work of one verify / coverage request
    "JSONLD_WORKERS": 2,               # canonicalization worker processes per server process (0: in-process)
    "TEMPLATE_CACHE_BYTES": 32 * 1024 * 1024,  # canonicalization templates (LRU by bytes)
    # ... and the network: every outbound fetch (did:web, status lists, verify by URL)
    "FETCH_BUDGET_SECONDS": 3.0,       # total outbound fetch time per request
    "FETCH_FAILURE_TTL_SECONDS": 30.0,  # a failed host / URL is not retried for this long
    "FETCH_MAX_CONCURRENT": 8,         # outbound fetches in flight per server process
    "FETCH_MAX_PER_HOST": 2,           # ... of which to any one host
    # Batches and the job queue (docs/jobs.md)
    "BROKER_URL": None,                # amqp://... RabbitMQ for Dramatiq; unset: jobs run in-process
    "JOB_QUEUE": "issuer",             # the Dramatiq queue name
    "JOB_THREADS": 2,                  # worker threads of the in-process runner (no broker)
    "JOB_MAX_RETRIES": 10,             # retries of a failed job message (exponential backoff)
    "JOB_TIME_LIMIT_SECONDS": 1800,    # a job message taking longer is interrupted (and retried)
    "BATCH_MAX_ITEMS": 10000,          # items (rows) in one batch; more: 422
    "BATCH_MAX_BYTES": 8 * 1024 * 1024,  # body of POST /api/v1/batches (JSON or CSV); more: 413
    "BATCH_CHUNK_SIZE": 100,           # items per job message
    "BATCH_GROUP_SIZE": 10,            # items per transaction within a job
    "BATCH_LEASE_SECONDS": 120,        # a claimed item is another worker's after this (its worker died)
    "BATCH_STALL_SECONDS": 300,        # a batch without progress this long has its pending items re-enqueued
    "BATCH_SWEEP_SECONDS": 30,         # how often each runner sweeps for stuck items
}

_ENV_PREFIX = "ISSUER_"
_INT_KEYS = {"STATUS_LIST_LENGTH", "STATUS_LIST_CAPACITY", "STATUS_LIST_MAX_AGE", "MAX_CONTENT_LENGTH",
             "MAX_UPLOAD_BYTES", "CLOCK_SKEW_SECONDS", "OAUTH_TOKEN_LIFETIME",
             "PROXY_FIX_X_FOR", "OFFER_TTL_DAYS", "OFFER_TX_CODE_TRIES", "OID4VCI_TOKEN_TTL", "OID4VCI_NONCE_TTL",
             "CONSOLE_SESSION_HOURS"}
# verifier limits: positive integers / seconds (docs/limits.md)
_LIMIT_INT_KEYS = {"VERIFY_MAX_BYTES", "VERIFY_MAX_IMAGE_BYTES", "VERIFY_MAX_DEPTH", "VERIFY_MAX_ARRAY_ITEMS",
                   "VERIFY_MAX_OBJECT_MEMBERS", "VERIFY_MAX_STRING_CHARS", "VERIFY_MAX_VALUES", "VERIFY_MAX_PROOFS",
                   "COVERAGE_MAX_CREDENTIALS", "TEMPLATE_CACHE_BYTES", "FETCH_MAX_CONCURRENT",
                   "FETCH_MAX_PER_HOST", "JOB_THREADS", "JOB_MAX_RETRIES", "JOB_TIME_LIMIT_SECONDS",
                   "BATCH_MAX_ITEMS", "BATCH_MAX_BYTES", "BATCH_CHUNK_SIZE", "BATCH_GROUP_SIZE",
                   "BATCH_LEASE_SECONDS", "BATCH_STALL_SECONDS", "BATCH_SWEEP_SECONDS"}
_SECONDS_KEYS = {"JSONLD_DEADLINE_SECONDS", "JSONLD_BUDGET_SECONDS", "FETCH_BUDGET_SECONDS",
                 "FETCH_FAILURE_TTL_SECONDS", "SMTP_TIMEOUT_SECONDS", "NOTIFY_POLL_SECONDS"}
_BOOL_KEYS = {"LOAD_DEMO", "FULL_SELF_VERIFY", "VERIFY_REMOTE_DID_WEB", "ALLOW_PRIVATE_FETCH", "ALLOW_ORIGIN_CHANGE",
              "RATE_LIMITS_ENABLED"}


def prepare_instance(path: Path) -> Path:
    """Create the instance folder (keys, secrets, SQLite database) readable by its owner only:
    mode 0700, also tightened when an existing folder is wider."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o700)
        except PermissionError:  # not ours: leave it, startup goes on
            pass
    return path


def prepare_sqlite_file(url: str) -> None:
    """Create a SQLite database file with mode 0600 before SQLite does (it would use the umask,
    typically 0644); an existing file that others can read is tightened to 0600."""
    if not url.startswith("sqlite:///") or url in ("sqlite://", "sqlite:///:memory:"):
        return
    path = Path(url[len("sqlite:///"):].split("?", 1)[0])
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    elif path.stat().st_mode & 0o077:
        try:
            path.chmod(0o600)
        except PermissionError:
            pass


def instance_path(default: Path) -> Path:
    """The instance folder: ``$ISSUER_INSTANCE_PATH`` or ``default``, as an absolute path."""
    return Path(os.environ.get("ISSUER_INSTANCE_PATH", default)).resolve()


def _from_env(environ) -> dict:
    out = {}
    for key, value in environ.items():
        if not key.startswith(_ENV_PREFIX) or key == "ISSUER_INSTANCE_PATH":
            continue
        name = key[len(_ENV_PREFIX):]
        if name in _INT_KEYS or name in _LIMIT_INT_KEYS or name == "JSONLD_WORKERS":
            try:
                out[name] = int(value)
            except ValueError:
                out[name] = value  # reported by validate_config
        elif name in _SECONDS_KEYS:
            try:
                out[name] = float(value)
            except ValueError:
                out[name] = value  # reported by validate_config
        elif name in _BOOL_KEYS:
            out[name] = value.strip().lower() in ("1", "true", "yes", "on")
        else:
            out[name] = value
    return out


def _from_instance_file(path: Path) -> dict:
    cfg_file = path / "config.py"
    if not cfg_file.exists():
        return {}
    namespace: dict = {}
    exec(compile(cfg_file.read_text(encoding="utf-8"), str(cfg_file), "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if k.isupper()}


def load_config(instance: Path, environ=os.environ, overrides: dict | None = None) -> dict:
    """The configuration dict: :data:`DEFAULTS`, then the instance ``config.py``, then ``ISSUER_*``
    variables of ``environ``, then ``overrides`` (later wins). Values are not validated here
    (:func:`validate_config`)."""
    config = dict(DEFAULTS)
    config.update(_from_instance_file(instance))
    config.update(_from_env(environ))
    config.update(overrides or {})
    config["INSTANCE_PATH"] = str(instance)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'issuer.db'}"
    if not config.get("STATUS_LIST_CAPACITY"):
        config["STATUS_LIST_CAPACITY"] = config["STATUS_LIST_LENGTH"]
    config["BASE_URL"] = str(config.get("BASE_URL", "")).rstrip("/")
    return config


def ensure_secret_key(config: dict) -> None:
    """Use ``SECRET_KEY`` if set; else read or create ``<instance>/secret_key`` (mode 0600)."""
    if config.get("SECRET_KEY"):
        return
    path = Path(config["INSTANCE_PATH"]) / "secret_key"
    if not path.exists():
        prepare_instance(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    config["SECRET_KEY"] = path.read_text().strip()


# Host names that resolvers read as IPv4 addresses although they are not dotted quads
# (inet_aton forms: "2130706433", "0x7f.1", "127.1").
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.IGNORECASE)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(_NUMERIC_HOST.match(host))
    return True


def _is_local_name(host: str) -> bool:
    """``localhost`` or a name under it (RFC 6761 §6.3: always the local machine)."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def validate_config(config: dict) -> list[str]:
    """Every problem of ``config`` as a readable sentence (``[]`` when it is usable); the service
    refuses to start on any."""
    problems = []
    base = urlsplit(str(config.get("BASE_URL") or ""))
    if base.scheme not in ("http", "https") or not base.hostname:
        problems.append(f"ISSUER_BASE_URL must be an http(s) origin such as https://skills.example.org, "
                        f"got {config.get('BASE_URL')!r}")
    elif base.path not in ("", "/") or base.query or base.fragment or base.username:
        problems.append("ISSUER_BASE_URL must be an origin only (no path, query, fragment or user info), "
                        "because it becomes the did:web identifier")
    elif _is_ip_address(base.hostname):
        problems.append(f"ISSUER_BASE_URL must name a host, not the IP address {base.hostname}: issuers are "
                        "did:web identifiers, and did:web does not allow IP addresses (did:web §3.1); "
                        "use a domain name (for local trials http://localhost:<port>)")
    elif base.scheme == "http" and not _is_local_name(base.hostname):
        problems.append(f"ISSUER_BASE_URL must be https:// for the host {base.hostname}: did:web identifiers resolve "
                        "over https only (did:web §3.2) and wallets require an https credential issuer (OpenID4VCI "
                        "1.0 §12.2.1); plain http:// is for local trials on localhost")
    url = str(config.get("DATABASE_URL") or "")
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        problems.append(f"ISSUER_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL, got {url!r}")
    secret = config.get("SECRET_KEY")
    if not secret or len(str(secret)) < 32:
        problems.append("ISSUER_SECRET_KEY (the master key that encrypts private keys) must be at least 32 characters")
    if config.get("JWT_ALGORITHM") not in ("ES256", "RS256"):
        problems.append(f"ISSUER_JWT_ALGORITHM must be ES256 or RS256, got {config.get('JWT_ALGORITHM')!r}")
    for key in sorted(_INT_KEYS):
        if not isinstance(config.get(key), int) or config[key] < 0:
            problems.append(f"ISSUER_{key} must be a non-negative integer, got {config.get(key)!r}")
    for key in sorted(_LIMIT_INT_KEYS):
        if isinstance(config.get(key), bool) or not isinstance(config.get(key), int) or config[key] < 1:
            problems.append(f"ISSUER_{key} must be a positive integer, got {config.get(key)!r}")
    for key in sorted(_SECONDS_KEYS):
        if isinstance(config.get(key), bool) or not isinstance(config.get(key), (int, float)) or not config[key] > 0:
            problems.append(f"ISSUER_{key} must be a positive number of seconds, got {config.get(key)!r}")
    workers = config.get("JSONLD_WORKERS")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 64:
        problems.append(f"ISSUER_JSONLD_WORKERS must be an integer from 0 to 64, got {workers!r}")
    length = config.get("STATUS_LIST_LENGTH")
    if isinstance(length, int) and (length < 131072 or length % 8):
        problems.append("ISSUER_STATUS_LIST_LENGTH must be a multiple of 8 and at least 131072 (herd privacy)")
    cap = config.get("STATUS_LIST_CAPACITY")
    if isinstance(cap, int) and isinstance(length, int) and not 0 < cap <= length:
        problems.append("ISSUER_STATUS_LIST_CAPACITY must be between 1 and ISSUER_STATUS_LIST_LENGTH")
    admin = config.get("ADMIN_TOKEN")
    if admin is not None and len(str(admin)) < 24:
        problems.append("ISSUER_ADMIN_TOKEN must be at least 24 characters when set")
    schema_dir = config.get("OFFICIAL_SCHEMA_DIR")
    if schema_dir and not Path(schema_dir).is_dir():
        problems.append(f"ISSUER_OFFICIAL_SCHEMA_DIR {schema_dir!r} is not a folder")
    for key in ("RATE_LIMIT_FAILED_AUTH", "RATE_LIMIT_VERIFY", "RATE_LIMIT_VERIFY_URL", "RATE_LIMIT_TOKEN",
                "RATE_LIMIT_ISSUE", "RATE_LIMIT_CONSOLE_LOGIN", "RATE_LIMIT_WALLET"):
        try:
            parse(str(config.get(key)))
        except ValueError:
            problems.append(f"ISSUER_{key} must be a rate such as '20 per minute', got {config.get(key)!r}")
    storage = str(config.get("RATE_LIMIT_STORAGE_URI") or "")
    if not storage.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        problems.append(f"ISSUER_RATE_LIMIT_STORAGE_URI must be memory:// or a redis:// URL, got {storage!r}")
    if config.get("LOG_FORMAT") not in ("text", "json"):
        problems.append(f"ISSUER_LOG_FORMAT must be text or json, got {config.get('LOG_FORMAT')!r}")
    if str(config.get("LOG_LEVEL")).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"ISSUER_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {config.get('LOG_LEVEL')!r}")
    for network in str(config.get("METRICS_ALLOW") or "").split(","):
        try:
            if network.strip():
                ipaddress.ip_network(network.strip(), strict=False)
        except ValueError:
            problems.append(f"ISSUER_METRICS_ALLOW must list CIDRs separated by commas, got {network.strip()!r}")
    token = config.get("METRICS_TOKEN")
    if token is not None and len(str(token)) < 24:
        problems.append("ISSUER_METRICS_TOKEN must be at least 24 characters when set")
    broker = config.get("BROKER_URL")
    if broker and not str(broker).startswith(("amqp://", "amqps://")):
        problems.append(f"ISSUER_BROKER_URL must be an amqp:// or amqps:// URL (RabbitMQ), got {broker!r}")
    if not re.match(r"^[A-Za-z0-9_.-]{1,100}$", str(config.get("JOB_QUEUE") or "")):
        problems.append(f"ISSUER_JOB_QUEUE must be 1-100 letters, digits, '.', '_' or '-', got {config.get('JOB_QUEUE')!r}")
    smtp = config.get("SMTP_URL")
    if smtp:
        try:
            smtp_parts = urlsplit(str(smtp))
            smtp_parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            smtp_parts = None
        if smtp_parts is None or smtp_parts.scheme not in ("smtp", "smtps") or not smtp_parts.hostname:
            problems.append("ISSUER_SMTP_URL must be smtp://[user:password@]host[:port][?starttls=true] or "
                            "smtps://[user:password@]host[:port]")
    sender = config.get("MAIL_FROM")
    if sender and not re.match(r"^[^@\s<>]+@[^@\s<>]+$", str(sender)):
        problems.append(f"ISSUER_MAIL_FROM must be a plain e-mail address, got {sender!r}")
    lifetime = config.get("OAUTH_TOKEN_LIFETIME")
    if isinstance(lifetime, int) and not 60 <= lifetime <= 86400:
        problems.append("ISSUER_OAUTH_TOKEN_LIFETIME must be between 60 and 86400 seconds")
    return problems
