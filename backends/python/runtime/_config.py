"""Client configuration (copied verbatim by tinkc): explicit option > environment variable named in
the manifest > manifest default. The API key is never shown: not in repr, not in errors."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import ConfigurationError


class RedactedStr(str):
    """The API key: a str, since it goes into the auth header as it is, that shows itself as
    `<redacted>` wherever Python shows a value's repr: `vars(config)`, `dataclasses.asdict(config)`,
    pprint, debuggers and `%r` in log records (the field's `repr=False` covers only the dataclass's
    own repr)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<redacted>"


@dataclass(frozen=True)
class Config:
    api_key: str = field(repr=False)
    base_url: str
    timeout: float = 60.0
    headers: Mapping[str, str] = field(default_factory=dict)
    max_connections: int = 100  # the connection pool's size (the manifest's largest retry_handler bound)
    token_exchange: bool | None = None  # the auth exchange on or off (None: as the manifest says)
    options: Mapping[str, Any] = field(default_factory=dict)  # the declared options (`service.config`)
    profile: str | None = None  # the profile of defaults the option with `profiles:` chose
    max_retries: int | None = None  # its retry count for the profiled retry policy (None: the policy's)

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_key", RedactedStr(self.api_key))

    def __repr__(self) -> str:
        return f"Config(api_key=<redacted>, base_url={self.base_url!r}, timeout={self.timeout!r})"


@dataclass(frozen=True)
class ConfigOption:
    """A configuration option the manifest declares (`service.config`): given, else its environment
    variable read as `kind` says (string, int, float, bool, list: comma-separated, json), else its
    default, else absent (None)."""

    name: str
    env: str | None = None
    kind: str | None = None
    has_default: bool = False
    default: Any = None


@dataclass(frozen=True)
class Profile:
    """A named profile of defaults (a config option's `profiles:`, Tinkex's parity modes): the
    timeout in seconds and the profiled policy's retry count (None: the manifest's own)."""

    name: str
    timeout: float | None = None
    max_retries: int | None = None


@dataclass(frozen=True)
class ServiceSettings:
    """What the manifest says about configuration (generated per SDK)."""

    api_key_env: str | None
    base_url_env: str | None
    default_base_url: str | None
    default_timeout: float
    max_connections: int = 100
    credential_command_env: str | None = None  # names a variable holding a command that prints the key
    environments: tuple[tuple[str, str], ...] = ()  # named base URLs
    environment_env: str | None = None  # names the variable choosing one
    config_options: tuple[ConfigOption, ...] = ()
    profile_option: str | None = None  # the declared option whose value names a profile
    profiles: tuple[Profile, ...] = ()
    default_max_retries: int | None = None  # the profiled retry policy's own count


def profile_of(settings: ServiceSettings, options: Mapping[str, Any]) -> Profile | None:
    """The profile the option names (None: no option has profiles, or it is absent); a name that is
    no profile is a configuration error, naming the known ones."""
    if settings.profile_option is None:
        return None
    value = options.get(settings.profile_option)
    if value is None:
        return None
    found = next((p for p in settings.profiles if p.name == value), None)
    if found is None:
        known = ", ".join(p.name for p in settings.profiles)
        raise ConfigurationError(f"unknown {settings.profile_option} {value!r} (known: {known})")
    return found


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _from_env(option: ConfigOption, text: str) -> Any:
    """The value of a declared option's environment variable, as the other SDKs read it."""
    try:
        if option.kind == "string":
            return text
        if option.kind == "int":
            return int(text.strip())
        if option.kind == "float":
            return float(text.strip())
        if option.kind == "bool" and text.strip().lower() in _TRUE + _FALSE:
            return text.strip().lower() in _TRUE
        if option.kind == "list":
            return [part.strip() for part in text.split(",") if part.strip()]
        if option.kind == "json":
            return json.loads(text)
    except ValueError:
        pass
    raise ConfigurationError(f"{option.env} is not a valid {option.kind} for {option.name}")


def declared_options(
    settings: ServiceSettings, given: Mapping[str, Any] | None, env: Mapping[str, str]
) -> dict[str, Any]:
    """Each declared option's value; an option the manifest does not declare is an error, never
    silently ignored."""
    given = dict(given or {})
    known = [o.name for o in settings.config_options]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ConfigurationError(f"unknown option {', '.join(unknown)} (known: {', '.join(known) or 'none'})")
    out: dict[str, Any] = {}
    for o in settings.config_options:
        text = env.get(o.env) if o.env else None
        if o.name in given:
            out[o.name] = given[o.name]
        elif text:
            out[o.name] = _from_env(o, text)
        else:
            out[o.name] = o.default if o.has_default else None
    return out


def resolve_config(
    settings: ServiceSettings,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    token_exchange: bool | None = None,
    environment: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Config:
    env = os.environ if environ is None else environ
    # argument > environment > credential command
    key = (
        api_key
        or (env.get(settings.api_key_env) if settings.api_key_env else None)
        or credential_from_command(settings.credential_command_env, env)
    )
    if not key:
        where = f" or set the {settings.api_key_env} environment variable" if settings.api_key_env else ""
        if settings.credential_command_env:
            where += f" (or {settings.credential_command_env} to a command printing it)"
        raise ConfigurationError(f"no API key: pass api_key=...{where}")
    # base_url argument > environment argument > base URL variable > environment variable > default
    url = (
        base_url
        or environment_url(settings, environment, "the environment argument")
        or (env.get(settings.base_url_env) if settings.base_url_env else None)
        or environment_url(
            settings, env.get(settings.environment_env) if settings.environment_env else None, settings.environment_env
        )
        or settings.default_base_url
        or (settings.environments[0][1] if settings.environments else None)
    )
    if not url:
        where = f" or set the {settings.base_url_env} environment variable" if settings.base_url_env else ""
        raise ConfigurationError(f"no base URL: pass base_url=...{where}")
    declared = declared_options(settings, options, env)
    profile = profile_of(settings, declared)
    # the timeout given > the profile's > the manifest's
    default_timeout = settings.default_timeout
    if profile is not None and profile.timeout is not None:
        default_timeout = profile.timeout
    return Config(
        api_key=key,
        base_url=url.rstrip("/"),
        timeout=default_timeout if timeout is None else timeout,
        headers=dict(headers or {}),
        max_connections=settings.max_connections,
        token_exchange=token_exchange,
        options=declared,
        profile=profile.name if profile is not None else None,
        max_retries=profile.max_retries if profile is not None else None,
    )


def credential_from_command(env_name: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The credential the command in `env_name` prints (stripped), or None when the variable is
    unset. Its output is never shown: a failing command names only its exit status."""
    env = os.environ if environ is None else environ
    command = env.get(env_name) if env_name else None
    if not command:
        return None
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigurationError(f"the credential command in {env_name} could not run ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise ConfigurationError(f"the credential command in {env_name} failed with exit status {done.returncode}")
    value = done.stdout.strip()
    if not value:
        raise ConfigurationError(f"the credential command in {env_name} printed nothing")
    return value


def environment_url(settings: ServiceSettings, name: str | None, source: str | None) -> str | None:
    """The base URL of the environment `name` (None: none chosen); an unknown name is an error."""
    if not name:
        return None
    urls = dict(settings.environments)
    if name not in urls:
        known = ", ".join(urls) or "none"
        raise ConfigurationError(f"unknown environment {name!r} (from {source}); known: {known}")
    return urls[name]
