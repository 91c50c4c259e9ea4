"""Settings: ``warroom.toml`` read into a pydantic model, plus where things live.

The file is optional; every key has a default. Its location comes from platformdirs
(``warroom locate config`` prints it) unless ``WARROOM_CONFIG_PATH`` points elsewhere.
Command-line flags beat environment variables, which beat the file, which beats the
defaults. ``warroom.toml.example`` at the top of the repository documents every key. Where the
file is and how TOML is read are in ``config_files`` (no pydantic: the board's first frame).

That precedence is resolved here, per setting (``resolve_handle``, ``resolve_store``,
``resolve_export_folder``), not by merging the three into one pydantic-settings model:
a merge forgets which level a value came from, and these need it (an error names its
source, "bad handle … from --as"; a folder and a server at the *same* level is refused
while a higher level still decides alone); ``Config`` holding environment values would
be saved back into the file by ``remember_handle`` (``WARROOM_TOKEN`` on disk); and
importing pydantic_settings costs ~45 ms on every command's start-up.
"""

import getpass
import os
import re
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warroom.config_files import (  # re-exported: where the file is and how TOML is read, without pydantic
    APP_NAME as APP_NAME,
    DEFAULT_THEME as DEFAULT_THEME,
    TomlProblem as TomlProblem,
    config_path as config_path,
    read_toml as read_toml,
    user_themes_dir as user_themes_dir,
)
from warroom.errors import WarroomError
from warroom.incident.factories import empty_list
from warroom.files import write_atomic
from warroom.incident.alert_severity import AlertsConfig
from warroom.incident.events import canonical_handle, valid_handle
from warroom.incident.policy import DEFAULT_POLICY, Policy
from warroom.store import StoreLocation
from warroom.words import validation_problem



class ConfigError(WarroomError):
    """The config file exists but cannot be used; the message names the file and the problem."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built once, inside ``Config``: see warroom.incident.events


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
    status_port: int | None = Field(
        None, ge=0, le=65535, description="`warroom serve`: the status page also on this port, in its own process (unset: only inside the server)"
    )
    status_nice: int = Field(10, ge=0, le=19, description="`warroom serve`: how much lower the status page's own process runs (os.nice)")
    status_cpus: list[int] | None = Field(
        None, description="`warroom serve`: the CPUs the status page's own process may run on (unset: the last one, with two or more; []: any)"
    )
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


class InsightsConfig(_Section):
    out_of_hours_flag_hours: float = Field(
        10.0, gt=0, description="`warroom insights` flags anyone with more hours outside 08:00-20:00 than this in the period"
    )


class ResponderConfig(_Section):
    """One ``[responders.HANDLE]`` table: what this machine knows about a person."""

    tz: str | None = Field(None, description="their IANA time zone (Europe/Berlin): insights count out-of-hours in it")

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Berlin)") from None
        return value


class StatusConfig(_Section):
    """``[status]``: the status page and what becomes public."""

    publish_on_declare: bool = Field(
        False, description="make every incident you declare public at once, under its title (default: private until `warroom publish`)"
    )
    past_days: int = Field(30, ge=0, le=3650, description="days a closed incident stays on the status page's index")
    public: bool = Field(
        False,
        description="on `warroom serve`, open the status page to anyone without a key (published incidents only), "
        "so a CDN in front may cache it (with `[server] public_url` set); keys still work",
    )


class ChatConfig(_Section):
    """``[chat]``: Slack and Mattermost on ``warroom serve`` (``warroom chat add``)."""

    slack_response_hosts: list[str] = Field(
        default_factory=lambda: ["hooks.slack.com"],
        description="where the answer to Slack's message shortcut may be posted (its response_url): a host means https on it; "
        "a scheme://host:port origin, e.g. http://127.0.0.1:8099, allows exactly that",
    )


class ComponentConfig(_Section):
    """One ``[[component]]`` table: a part of the service the status page lists."""

    name: str = Field(min_length=1, max_length=80, description="as `warroom affect` names it, e.g. 'Storage API'")
    group: str | None = Field(None, max_length=80, description="a heading the index lists it under")


NotifyEvent = Literal["declared", "broadcast", "severity", "status", "command", "closed", "update_overdue"]
NOTIFY_EVENTS: tuple[NotifyEvent, ...] = get_args(NotifyEvent)


class NotifyTarget(_Section):
    """One ``[[notify]]`` table: where to send (an Apprise URL) and what."""

    url: str = Field(min_length=1, description="an Apprise URL: slack://, msteams://, mailto://, json://host/path ...")
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NOTIFY_EVENTS))
    min_severity: int | None = Field(None, ge=1, le=4, description="only SEV1..this (2: SEV1 and SEV2)")
    drills: bool = Field(False, description="also notify about drills")


class Config(_Section):
    user: UserConfig = Field(default_factory=UserConfig.model_construct)
    store: StoreConfig = Field(default_factory=StoreConfig.model_construct)
    server: ServerConfig = Field(default_factory=ServerConfig.model_construct)
    ui: UiConfig = Field(default_factory=UiConfig.model_construct)
    policy: Policy = DEFAULT_POLICY
    export: ExportConfig = Field(default_factory=ExportConfig.model_construct)
    notify: list[NotifyTarget] = Field(default_factory=empty_list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig.model_construct)
    insights: InsightsConfig = Field(default_factory=InsightsConfig.model_construct)
    responders: dict[str, ResponderConfig] = Field(default_factory=dict)
    status: StatusConfig = Field(default_factory=StatusConfig.model_construct)
    chat: ChatConfig = Field(default_factory=ChatConfig.model_construct)
    component: list[ComponentConfig] = Field(default_factory=empty_list)

    def time_zones(self) -> dict[str, str]:
        """Handle -> time zone of every ``[responders.HANDLE]`` that names one."""
        return {canonical_handle(handle): person.tz for handle, person in self.responders.items() if person.tz}


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        data = read_toml(path)
    except FileNotFoundError:
        return Config.model_construct()  # the defaults: nothing to validate
    except TomlProblem as problem:
        raise ConfigError(f"config {path}: {problem}") from None
    try:
        return _validated(data)
    except ValidationError as error:
        raise ConfigError(f"config {path}: {validation_problem(error, default='', drop_indexes=False)}") from None


def _validated(data: dict[str, Any]) -> Config:
    """``data`` as a ``Config``, validating only the sections it names. Building the whole
    model's validator cost ~15 ms of every command's start (a join's full paint waits for it),
    and a file names few sections: each table is validated by its own model's (small)
    validator and the rest keep their defaults, as validation would leave them. Whatever does
    not pass that way (an unknown or bad key, a section that is a list or a table of tables)
    is validated whole, so a bad file is refused in the same words as before."""
    sections: dict[str, Any] = {}
    for name, value in data.items():
        field = Config.model_fields.get(name)
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return Config.model_validate(data)
        try:
            sections[name] = model.model_validate(value)
        except ValidationError:
            return Config.model_validate(data)
    return Config.model_construct(**sections)


def save_config(config: Config, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    import tomli_w  # here, not at the top: most commands, a join among them, only read the file (~1.4 ms)

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
