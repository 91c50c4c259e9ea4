"""Settings: ``warroom.toml`` read into a pydantic model, plus where things live.

The file is optional; every key has a default. Its location comes from platformdirs
(``warroom locate config`` prints it) unless ``WARROOM_CONFIG_PATH`` points elsewhere.
Command-line flags beat environment variables, which beat the file, which beats the
defaults. ``warroom.toml.example`` at the top of the repository documents every key.
"""

import getpass
import os
import re
import tomllib
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import platformdirs
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warroom.errors import WarroomError
from warroom.files import write_atomic
from warroom.alerts.severity import AlertsConfig
from warroom.incident.events import canonical_handle, valid_handle
from warroom.incident.policy import DEFAULT_POLICY, Policy
from warroom.words import validation_problem

APP_NAME = "warroom"
DEFAULT_THEME = "warroom-dark"


class ConfigError(WarroomError):
    """The config file exists but cannot be used; the message names the file and the problem."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built once, inside ``Config``: see events.py


class UserConfig(_Section):
    handle: str | None = Field(None, description="your handle on every board")


class StoreConfig(_Section):
    folder: str | None = Field(None, description="shared folder of incident logs (default: platformdirs data folder)")


class ServerConfig(_Section):
    url: str | None = Field(None, description="use this warroom server instead of the file store")
    token: str | None = Field(None, description="your bearer token for that server")
    host: str = Field("127.0.0.1", description="`warroom serve` listens here")
    port: int = Field(8765, ge=1, le=65535)
    db: str | None = Field(None, description="`warroom serve` SQLite file (default: platformdirs data folder)")
    public_url: str | None = Field(
        None, description="the address stakeholders reach the status page at; share links and notifications use it"
    )
    streams_per_token: int = Field(16, ge=1, description="`warroom serve`: open SSE streams per token (429 past it)")
    status_streams_per_key: int = Field(64, ge=1, description="`warroom serve`: open status-page streams per share key (429 past it)")
    status_streams: int = Field(
        256, ge=1, description="`warroom serve`: open status-page streams in all (429 past it; at most half of max_connections)"
    )
    max_connections: int = Field(1024, ge=16, description="`warroom serve`: open connections (the longest idle is closed past it)")
    unauthenticated_share: float = Field(
        0.5, gt=0, le=1, description="`warroom serve`: the part of max_connections connections without a valid token or key may hold"
    )
    body_timeout: float = Field(10.0, gt=0, description="`warroom serve`: seconds a request body may take to arrive (408 past it)")
    metrics_token: str | None = Field(
        None, min_length=1, description="`warroom serve`: /metrics answers only `Authorization: Bearer <metrics_token>` (unset: open)"
    )
    log_format: Literal["text", "json"] = Field("text", description="`warroom serve`: json writes one JSON object per request and event")


class UiConfig(_Section):
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = Field(default_factory=dict, description="binding id -> keys, e.g. claim = 'c,C'")
    fatigue_across_incidents: bool = Field(
        True, description="count time on shift from the earliest shift someone is on in any open incident"
    )
    bell: bool = Field(True, description="ring the terminal bell when the stakeholder update becomes overdue (commander, comms)")


class ExportConfig(_Section):
    folder: str | None = Field(None, description="where exports go (default: platformdirs documents folder)")


class StatusConfig(_Section):
    """``[status]``: the status page and what becomes public."""

    publish_on_declare: bool = Field(
        False, description="make every incident you declare public at once, under its title (default: private until `warroom publish`)"
    )
    past_days: int = Field(30, ge=0, le=3650, description="days a closed incident stays on the status page's index")


class ComponentConfig(_Section):
    """One ``[[component]]`` table: a part of the service the status page lists."""

    name: str = Field(min_length=1, max_length=80, description="as `warroom affect` names it, e.g. 'Storage API'")
    group: str | None = Field(None, max_length=80, description="a heading the index lists it under")


NOTIFY_EVENTS = ("declared", "broadcast", "severity", "status", "command", "closed", "update_overdue")


class NotifyTarget(_Section):
    """One ``[[notify]]`` table: where to send (an Apprise URL) and what."""

    url: str = Field(min_length=1, description="an Apprise URL: slack://, msteams://, mailto://, json://host/path ...")
    events: list[Literal[NOTIFY_EVENTS]] = Field(default_factory=lambda: list(NOTIFY_EVENTS))  # type: ignore[valid-type]
    min_severity: int | None = Field(None, ge=1, le=4, description="only SEV1..this (2: SEV1 and SEV2)")
    drills: bool = Field(False, description="also notify about drills")


class Config(_Section):
    user: UserConfig = Field(default_factory=UserConfig.model_construct)
    store: StoreConfig = Field(default_factory=StoreConfig.model_construct)
    server: ServerConfig = Field(default_factory=ServerConfig.model_construct)
    ui: UiConfig = Field(default_factory=UiConfig.model_construct)
    policy: Policy = DEFAULT_POLICY
    export: ExportConfig = Field(default_factory=ExportConfig.model_construct)
    notify: list[NotifyTarget] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig.model_construct)
    status: StatusConfig = Field(default_factory=StatusConfig.model_construct)
    component: list[ComponentConfig] = Field(default_factory=list)


def config_path() -> Path:
    override = os.environ.get("WARROOM_CONFIG_PATH")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "warroom.toml"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


class TomlProblem(WarroomError):
    """A TOML file that cannot be read or parsed; says which, in words for a person."""


def read_toml(path: Path | Traversable) -> dict:
    """The table in ``path``; raises ``TomlProblem`` (``FileNotFoundError`` passes through)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise TomlProblem(f"cannot read it ({error.strerror or error})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TomlProblem(f"not valid TOML ({error})") from None


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        data = read_toml(path)
    except FileNotFoundError:
        return Config()
    except TomlProblem as problem:
        raise ConfigError(f"config {path}: {problem}") from None
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"config {path}: {validation_problem(error, default='', drop_indexes=False)}") from None


def save_config(config: Config, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    # a new config is private (it may hold a server token); an existing one keeps its mode
    write_atomic(path, tomli_w.dumps(data).encode("utf-8"), mode=0o600)
    return path


def login_handle() -> str:
    """The login name, made into a valid handle."""
    try:
        name = getpass.getuser()
    except Exception:
        name = "responder"
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", name).strip("-._")[:40]
    return canonical_handle(cleaned) if cleaned and valid_handle(cleaned) else "responder"


def resolve_handle(flag: str | None, config: Config) -> str:
    """``--as``, else ``WARROOM_HANDLE``, else config, else the login name."""
    for candidate, source in (
        (flag, "--as"),
        (os.environ.get("WARROOM_HANDLE"), "WARROOM_HANDLE"),
        (config.user.handle, f"user.handle in {config_path()}"),
    ):
        if candidate:
            if not valid_handle(candidate):
                raise ConfigError(
                    f"bad handle {candidate!r} from {source}: use up to 40 letters, digits, '.', '_' or '-'"
                )
            return canonical_handle(candidate)
    return login_handle()


def remember_handle(handle: str, config: Config) -> None:
    """Save the handle on first use so the next command need not be told."""
    if config.user.handle:
        return
    config.user.handle = handle
    try:
        save_config(config)
    except OSError:
        pass  # a read-only config folder is no reason to fail an incident action


@dataclass(frozen=True)
class StoreLocation:
    """Where incidents live: a folder (file store) or a server URL (HTTP store)."""

    folder: Path | None = None
    url: str | None = None
    token: str | None = None

    def describe(self) -> str:
        return self.url if self.url else str(self.folder)


def resolve_store(
    config: Config,
    *,
    folder_flag: str | None = None,
    server_flag: str | None = None,
    token_flag: str | None = None,
) -> StoreLocation:
    """``--store``/``--server`` flags, then ``WARROOM_STORE``/``WARROOM_SERVER``, then config.

    A folder and a server named at the *same* level is refused (``ConfigError``): silently
    picking one would let a responder act on a local file nobody else sees. A higher level
    still decides alone (``--server`` with ``WARROOM_STORE`` set uses the server).
    """
    token = token_flag or os.environ.get("WARROOM_TOKEN") or config.server.token
    levels = (
        (folder_flag, server_flag, "--store", "--server", "give only one of them"),
        (
            os.environ.get("WARROOM_STORE"),
            os.environ.get("WARROOM_SERVER"),
            "WARROOM_STORE",
            "WARROOM_SERVER",
            "unset one, or choose for this command with --store DIR or --server URL",
        ),
        (
            config.store.folder,
            config.server.url,
            f"[store] folder in {config_path()}",
            "[server] url",
            "remove one, or choose with WARROOM_STORE / WARROOM_SERVER or --store / --server",
        ),
    )
    for folder, url, folder_name, url_name, how in levels:
        if folder and url:
            raise ConfigError(f"both {folder_name} and {url_name} are set: a folder or a server, not both ({how})")
        if folder:
            return StoreLocation(folder=Path(folder).expanduser())
        if url:
            return StoreLocation(url=url, token=token)
    return StoreLocation(folder=data_dir() / "incidents")


def resolve_export_folder(config: Config, flag: str | None = None) -> Path:
    """``--dir``, else ``WARROOM_EXPORT_DIR``, else config, else a platformdirs documents folder."""
    chosen = flag or os.environ.get("WARROOM_EXPORT_DIR") or config.export.folder
    if chosen:
        return Path(chosen).expanduser()
    return platformdirs.user_documents_path() / "warroom"


def user_themes_dir() -> Path:
    """Users drop extra theme files here, beside their config."""
    return config_path().parent / "themes"
