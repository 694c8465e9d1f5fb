"""Settings, read once from ``OAI_*`` environment variables, an optional settings file
(``OAI_CONFIG_FILE``) and the fixtures' settings file.

Nothing else in the package reads ``os.environ``: every module receives a
:class:`Settings`. A bad value raises :class:`ConfigError` with a one-line
message naming the variable (and, for a value from the settings file, the file
and line), which the CLI prints without a traceback.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Identify facts used when neither the environment nor the settings file names them.
_FALLBACK_IDENTITY = {
    "repository_name": "OAI-PMH repository",
    "admin_email": "admin@example.org",
    "repository_identifier": "example.org",
}

_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")


class ConfigError(ValueError):
    """A setting has a value the program cannot use; the message names the variable."""


def fixtures_dir() -> Path:
    """The bundled fixtures: inside the installed wheel, or beside the package in a checkout."""
    installed = PACKAGE_DIR / "fixtures"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "fixtures"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the endpoint is configured by; see README.md for the table."""

    #: SQLAlchemy URL of the primary database (``OAI_DATABASE_URL``).
    database_url: str
    #: Optional read replica for list and get queries (``OAI_DATABASE_READ_URL``).
    database_read_url: str | None = None
    #: baseURL for Identify and ``<request>``; None derives it from the request (``OAI_BASE_URL``).
    base_url: str | None = None
    #: Records or headers per list response (``OAI_PAGE_SIZE``).
    page_size: int = 100
    #: Token signing key; None: generated once, stored in the database (``OAI_SECRET_KEY``).
    secret_key: str | None = None
    #: Older keys that still verify tokens, newest first, so the key can be rotated under
    #: harvests in flight (``OAI_SECRET_KEY_FALLBACKS``, comma-separated).
    secret_key_fallbacks: tuple[str, ...] = ()
    #: Seconds a resumption token stays valid; None means forever (``OAI_TOKEN_MAX_AGE``).
    token_max_age: int | None = None
    #: Identify's repositoryName (``OAI_REPOSITORY_NAME``).
    repository_name: str = _FALLBACK_IDENTITY["repository_name"]
    #: Identify's adminEmail (``OAI_ADMIN_EMAIL``).
    admin_email: str = _FALLBACK_IDENTITY["admin_email"]
    #: The oai-identifier namespace (``OAI_REPOSITORY_IDENTIFIER``).
    repository_identifier: str = _FALLBACK_IDENTITY["repository_identifier"]
    #: Read a list's next page while the harvester reads this one (``OAI_PREFETCH``, opt-in).
    prefetch: bool = False
    #: Where ``oai serve`` writes its access log: "-" for standard output, a file, or
    #: None for none (``OAI_ACCESS_LOG``).
    access_log: str | None = None
    #: Records loaded by ``oai serve`` into an empty database.
    fixtures: Path = PACKAGE_DIR.parent / "fixtures"


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name}: must be at least 1, got {value}")
    return value


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected 1 or 0 (true or false), got {raw!r}")


def _key_list(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated keys, spaces around each ignored; so a key cannot hold a comma or
    begin or end with a space. An empty entry is refused: it would mean a typo, not a key."""
    keys = tuple(key.strip() for key in raw.split(","))
    for position, key in enumerate(keys, 1):
        if not key:
            raise ConfigError(
                f"{name}: key {position} of {len(keys)} is empty; "
                "expected keys separated by commas, such as old-key-2,old-key-1"
            )
    return keys


def _database_url(name: str, raw: str) -> str:
    """A SQLAlchemy URL for SQLite or PostgreSQL (psycopg 3), checked before any connection."""
    from importlib.util import find_spec

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"{name}: not a database URL such as sqlite:///path") from None
    if url.get_backend_name() == "sqlite" and url.get_driver_name() == "pysqlite":
        return raw
    if url.get_backend_name() == "postgresql" and url.drivername in (
        "postgresql",
        "postgresql+psycopg",
    ):
        if find_spec("psycopg") is None:
            raise ConfigError(
                f"{name}: PostgreSQL needs psycopg: pip install 'oai-endpoint[postgres]'"
            )
        # A bare postgresql:// would mean psycopg2, which this package does not install.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigError(
        f"{name}: use sqlite:///path or postgresql+psycopg://..., got {url.drivername}://"
    )


#: Every setting's variable: what a settings file may name (a typo there is an error).
NAMES = (
    "OAI_DATABASE_URL",
    "OAI_DATABASE_READ_URL",
    "OAI_BASE_URL",
    "OAI_PAGE_SIZE",
    "OAI_SECRET_KEY",
    "OAI_SECRET_KEY_FALLBACKS",
    "OAI_TOKEN_MAX_AGE",
    "OAI_REPOSITORY_NAME",
    "OAI_ADMIN_EMAIL",
    "OAI_REPOSITORY_IDENTIFIER",
    "OAI_PREFETCH",
    "OAI_ACCESS_LOG",
)


@dataclass(frozen=True, slots=True)
class FileValue:
    """One setting read from a settings file, with the line that set it."""

    value: str
    line: int


def read_settings_file(path: Path) -> dict[str, FileValue]:
    """The settings a file names: TOML when it ends in ``.toml``, else ``NAME=value`` lines.

    Either way the names are the environment's (``OAI_PAGE_SIZE = 50``); ConfigError
    says ``file:line: reason`` for a line that cannot be read or names no setting.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"OAI_CONFIG_FILE: cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8") from None
    if path.suffix == ".toml":
        return _toml_settings(path, text)
    return _env_settings(path, text)


def _known(path: Path, line: int, name: str) -> str:
    if name not in NAMES:
        raise ConfigError(f"{path}:{line}: unknown setting {name!r} (settings are named OAI_...)")
    return name


_TOML_PLACE = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def _toml_settings(path: Path, text: str) -> dict[str, FileValue]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        place = _TOML_PLACE.match(str(exc))
        if place is None:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        raise ConfigError(
            f"{path}:{place['line']}: not valid TOML: {place['reason']} (column {place['column']})"
        ) from None
    lines = text.splitlines()
    found: dict[str, FileValue] = {}
    for name, value in data.items():
        # tomllib keeps no positions: the line is the first that assigns this key, or
        # opens a table of that name ([oai]).
        key = re.compile(rf"^\s*\[*\s*[\"']?{re.escape(name)}[\"']?\s*[=.\]]")
        line = next((n for n, text in enumerate(lines, 1) if key.match(text)), 1)
        _known(path, line, name)
        if isinstance(value, bool):
            found[name] = FileValue("1" if value else "0", line)
        elif isinstance(value, int | str):
            found[name] = FileValue(str(value), line)
        else:
            raise ConfigError(f"{path}:{line}: {name} must be a string, a number or true/false")
    return found


_ENV_LINE = re.compile(r"^(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")


def _env_settings(path: Path, text: str) -> dict[str, FileValue]:
    """``NAME=value`` lines as a shell or a systemd EnvironmentFile would write them."""
    found: dict[str, FileValue] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.match(stripped)
        if match is None:
            raise ConfigError(f"{path}:{number}: expected NAME=value, got {stripped[:40]!r}")
        name = _known(path, number, match["name"])
        value = match["value"]
        quoted = re.match(r"""^(?P<q>["'])(?P<inner>.*?)(?P=q)\s*(#.*)?$""", value)
        if quoted is not None:
            value = quoted["inner"]
        elif value[:1] in ("'", '"'):
            raise ConfigError(f"{path}:{number}: {match['name']}: the quote is not closed")
        else:
            value = re.sub(r"\s+#.*$", "", value).strip()
        if name in found:
            raise ConfigError(
                f"{path}:{number}: {name} is set twice (first on line {found[name].line})"
            )
        found[name] = FileValue(value, number)
    return found


def display_url(url: str) -> str:
    """A database URL fit to print: the password, if any, hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _access_log(name: str, raw: str | None) -> str | None:
    if raw is None or raw.strip().lower() in ("0", "off", "no", "false", "none"):
        return None
    if raw == "-":
        return raw
    folder = Path(raw).expanduser().parent
    if not folder.is_dir():
        raise ConfigError(f"{name}: the folder {folder} does not exist")
    return str(Path(raw).expanduser())


def _identity_defaults(fixtures: Path) -> dict[str, str]:
    """Identify facts from ``fixtures/settings.json``, so the bundled repository names itself."""
    defaults = dict(_FALLBACK_IDENTITY)
    path = fixtures / "settings.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: not readable JSON ({exc})") from None
        for key in defaults:
            if isinstance(data.get(key), str):
                defaults[key] = data[key]
    return defaults


def load_settings(environ: Mapping[str, str], instance_path: Path) -> Settings:
    """Parse ``OAI_*`` settings; raise ConfigError naming the first bad one.

    With ``OAI_CONFIG_FILE`` set, the file's values come first and a non-empty
    environment variable overrides each; an error in a value from the file names
    the file and line.
    """
    config_file = environ.get("OAI_CONFIG_FILE") or None
    from_file = read_settings_file(Path(config_file)) if config_file else {}
    merged = {name: entry.value for name, entry in from_file.items()}
    merged.update({name: value for name, value in environ.items() if value})
    try:
        return _settings(merged, instance_path)
    except ConfigError as exc:
        name = str(exc).split(":", 1)[0]
        if name in from_file and not environ.get(name):
            raise ConfigError(f"{config_file}:{from_file[name].line}: {exc}") from None
        raise


def _settings(environ: Mapping[str, str], instance_path: Path) -> Settings:
    def get(name: str) -> str | None:
        value = environ.get(name)
        return value if value not in (None, "") else None

    fixtures = fixtures_dir()
    identity = _identity_defaults(fixtures)
    database_url = get("OAI_DATABASE_URL") or f"sqlite:///{instance_path / 'oai.sqlite'}"
    database_url = _database_url("OAI_DATABASE_URL", database_url)
    read_url = get("OAI_DATABASE_READ_URL")
    read_url = _database_url("OAI_DATABASE_READ_URL", read_url) if read_url else None
    page_size = _positive_int("OAI_PAGE_SIZE", get("OAI_PAGE_SIZE") or "100")
    max_age_raw = get("OAI_TOKEN_MAX_AGE")
    max_age = _positive_int("OAI_TOKEN_MAX_AGE", max_age_raw) if max_age_raw else None
    fallbacks = get("OAI_SECRET_KEY_FALLBACKS")
    base_url = get("OAI_BASE_URL")
    if base_url is not None and not re.match(r"^https?://\S+$", base_url):
        raise ConfigError(f"OAI_BASE_URL: expected an http(s) URL, got {base_url!r}")
    admin_email = get("OAI_ADMIN_EMAIL") or identity["admin_email"]
    if not _EMAIL.match(admin_email):
        raise ConfigError(f"OAI_ADMIN_EMAIL: not an e-mail address: {admin_email!r}")
    repository_identifier = get("OAI_REPOSITORY_IDENTIFIER") or identity["repository_identifier"]
    if not _REPOSITORY_ID.match(repository_identifier):
        raise ConfigError(
            "OAI_REPOSITORY_IDENTIFIER: expected a domain name such as example.org, "
            f"got {repository_identifier!r}"
        )
    return Settings(
        database_url=database_url,
        database_read_url=read_url,
        base_url=base_url,
        page_size=page_size,
        secret_key=get("OAI_SECRET_KEY"),
        secret_key_fallbacks=_key_list("OAI_SECRET_KEY_FALLBACKS", fallbacks) if fallbacks else (),
        token_max_age=max_age,
        repository_name=get("OAI_REPOSITORY_NAME") or identity["repository_name"],
        admin_email=admin_email,
        repository_identifier=repository_identifier,
        prefetch=_flag("OAI_PREFETCH", get("OAI_PREFETCH") or "0"),
        access_log=_access_log("OAI_ACCESS_LOG", get("OAI_ACCESS_LOG")),
        fixtures=fixtures,
    )
