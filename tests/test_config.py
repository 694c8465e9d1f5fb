"""oai.config: settings from a file (``OAI_CONFIG_FILE``) as well as the environment, and
OAI_SECRET_KEY_FALLBACKS, a comma-separated list of older keys, newest first.

A file holds the environment's own names, as TOML (``.toml``) or as ``NAME=value``
lines; a variable set in the environment overrides the file; anything wrong in
the file is one line naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oai.cli import main
from oai.config import ConfigError, load_settings

TOML = """\
# The repository's settings
OAI_PAGE_SIZE = 25
OAI_PREFETCH = false
OAI_BASE_URL = "https://repo.example.org/oai"
OAI_REPOSITORY_NAME = "A Repository"
"""

ENV = """\
# The repository's settings
export OAI_PAGE_SIZE=25
OAI_PREFETCH=0
OAI_BASE_URL="https://repo.example.org/oai"
OAI_REPOSITORY_NAME='A Repository'  # trailing comment
"""


@pytest.mark.parametrize(("name", "text"), [("oai.toml", TOML), ("oai.env", ENV)])
def test_a_file_sets_what_the_environment_would(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    settings = load_settings({"OAI_CONFIG_FILE": str(path)}, tmp_path)
    assert settings.page_size == 25
    assert settings.prefetch is False
    assert settings.base_url == "https://repo.example.org/oai"
    assert settings.repository_name == "A Repository"


@pytest.mark.parametrize(("name", "text"), [("oai.toml", TOML), ("oai.env", ENV)])
def test_the_environment_overrides_the_file(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    settings = load_settings(
        {"OAI_CONFIG_FILE": str(path), "OAI_PAGE_SIZE": "7", "OAI_PREFETCH": ""}, tmp_path
    )
    assert settings.page_size == 7
    assert settings.prefetch is False  # an empty variable is unset: the file's value stays


#: file name -> (content, the line the error must start with)
BAD: dict[str, tuple[str, str]] = {
    "bad-value-toml": ('OAI_BASE_URL = "x"\n\nOAI_PAGE_SIZE = "many"\n', "s.toml:3: OAI_PAGE_SIZE"),
    "bad-value-env": ("# comment\nOAI_PAGE_SIZE=0\n", "s.env:2: OAI_PAGE_SIZE"),
    "not-toml": ("OAI_PAGE_SIZE = 5\nOAI_PREFETCH = \n", "s.toml:2: not valid TOML"),
    "table-value": ("OAI_PAGE_SIZE = [5]\n", "s.toml:1: OAI_PAGE_SIZE must be"),
    "unknown-toml": ("OAI_PAGE_SIZ = 5\n", "s.toml:1: unknown setting 'OAI_PAGE_SIZ'"),
    "unknown-env": ("\nOAI_PAGESIZE=5\n", "s.env:2: unknown setting 'OAI_PAGESIZE'"),
    "not-an-assignment": ("OAI_PAGE_SIZE 5\n", "s.env:1: expected NAME=value"),
    "open-quote": ('OAI_REPOSITORY_NAME="A\n', "s.env:1: OAI_REPOSITORY_NAME: the quote"),
    "twice": ("OAI_PAGE_SIZE=5\nOAI_PAGE_SIZE=6\n", "s.env:2: OAI_PAGE_SIZE is set twice"),
    "not-utf8": ("OAI_REPOSITORY_NAME=Caf\u00e9\n", "s.env:1: not UTF-8"),
}


@pytest.mark.parametrize(("text", "start"), BAD.values(), ids=BAD.keys())
def test_a_bad_file_is_one_line_naming_file_and_line(tmp_path: Path, text: str, start: str) -> None:
    path = tmp_path / start.split(":", 1)[0]
    encoding = "latin-1" if "UTF-8" in start else "utf-8"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ConfigError) as raised:
        load_settings({"OAI_CONFIG_FILE": str(path)}, tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path}/{start}"), message
    assert "\n" not in message


def test_a_bad_value_the_environment_overrides_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.env"
    path.write_text("OAI_PAGE_SIZE=many\n")
    settings = load_settings({"OAI_CONFIG_FILE": str(path), "OAI_PAGE_SIZE": "9"}, tmp_path)
    assert settings.page_size == 9


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^OAI_CONFIG_FILE: cannot read .*nope\.toml"):
        load_settings({"OAI_CONFIG_FILE": str(tmp_path / "nope.toml")}, tmp_path)


def test_commands_read_the_file(tmp_path: Path) -> None:
    database = tmp_path / "from-file.sqlite"
    path = tmp_path / "oai.toml"
    path.write_text(f'OAI_DATABASE_URL = "sqlite:///{database}"\n')
    result = CliRunner().invoke(main, ["stats"], env={"OAI_CONFIG_FILE": str(path)})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"database: sqlite:///{database}"
    path.write_text('OAI_PAGE_SIZE = "many"\n')
    result = CliRunner().invoke(main, ["stats"], env={"OAI_CONFIG_FILE": str(path)})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {path}:1: OAI_PAGE_SIZE: expected a whole number, got 'many'"
    ]


@pytest.mark.parametrize(
    ("raw", "kept"), [(None, None), ("off", None), ("0", None), ("-", "-"), ("LOG", "LOG")]
)
def test_access_log_setting(tmp_path: Path, raw: str | None, kept: str | None) -> None:
    environ = {} if raw is None else {"OAI_ACCESS_LOG": raw.replace("LOG", str(tmp_path / "a"))}
    expected = None if kept is None else kept.replace("LOG", str(tmp_path / "a"))
    assert load_settings(environ, tmp_path).access_log == expected


def test_access_log_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="^OAI_ACCESS_LOG: "):
        load_settings({"OAI_ACCESS_LOG": str(tmp_path / "no" / "access.log")}, tmp_path)


FALLBACKS = {
    "unset": (None, ()),
    "empty": ("", ()),
    "one key": ("old-key", ("old-key",)),
    "newest first, kept in order": ("key-2,key-1", ("key-2", "key-1")),
    "spaces around keys ignored": ("  key-2 ,\tkey-1  ", ("key-2", "key-1")),
    "spaces inside a key kept": ("an old key,x", ("an old key", "x")),
    "token_urlsafe keys": (
        "Jm0_-3xZ9yZ8gQ,9zZ-_AaBb",
        ("Jm0_-3xZ9yZ8gQ", "9zZ-_AaBb"),
    ),
}


@pytest.mark.parametrize(("raw", "expected"), FALLBACKS.values(), ids=FALLBACKS)
def test_fallback_keys(raw: str | None, expected: tuple[str, ...], tmp_path: Path) -> None:
    environ = {} if raw is None else {"OAI_SECRET_KEY_FALLBACKS": raw}
    assert load_settings(environ, tmp_path).secret_key_fallbacks == expected


BAD_FALLBACKS = {
    "only a comma": ",",
    "trailing comma": "secret-two,",
    "leading comma": ",secret-two",
    "empty between": "secret-two,,secret-one",
    "only spaces": "   ",
}


@pytest.mark.parametrize("raw", BAD_FALLBACKS.values(), ids=BAD_FALLBACKS)
def test_bad_fallback_keys(raw: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="^OAI_SECRET_KEY_FALLBACKS: ") as caught:
        load_settings({"OAI_SECRET_KEY_FALLBACKS": raw}, tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    # The keys are secrets: the message says which entry, never what the others hold.
    assert "secret-one" not in message and "secret-two" not in message


def test_fallbacks_apply_with_a_generated_key(tmp_path: Path) -> None:
    settings = load_settings({"OAI_SECRET_KEY_FALLBACKS": "old"}, tmp_path)
    assert settings.secret_key is None and settings.secret_key_fallbacks == ("old",)


def test_a_bad_fallback_list_is_one_line_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("OAI_SECRET_KEY_FALLBACKS", "a,,b")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].count("OAI_SECRET_KEY_FALLBACKS") == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "cli.sqlite").exists()
