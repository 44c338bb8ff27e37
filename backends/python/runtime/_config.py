"""Client configuration (copied verbatim by tinkc): explicit option > environment variable named in
the manifest > manifest default. The API key is never shown: not in repr, not in errors."""

from __future__ import annotations

import json
import os
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
    options: Mapping[str, Any] = field(default_factory=dict)  # the declared options (`service.config`)

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
class ServiceSettings:
    """What the manifest says about configuration (generated per SDK)."""

    api_key_env: str | None
    base_url_env: str | None
    default_base_url: str | None
    default_timeout: float
    max_connections: int = 100
    config_options: tuple[ConfigOption, ...] = ()


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
    options: Mapping[str, Any] | None = None,
) -> Config:
    env = os.environ if environ is None else environ
    key = api_key or (env.get(settings.api_key_env) if settings.api_key_env else None)
    if not key:
        where = f" or set the {settings.api_key_env} environment variable" if settings.api_key_env else ""
        raise ConfigurationError(f"no API key: pass api_key=...{where}")
    url = base_url or (env.get(settings.base_url_env) if settings.base_url_env else None) or settings.default_base_url
    if not url:
        where = f" or set the {settings.base_url_env} environment variable" if settings.base_url_env else ""
        raise ConfigurationError(f"no base URL: pass base_url=...{where}")
    return Config(
        api_key=key,
        base_url=url.rstrip("/"),
        timeout=settings.default_timeout if timeout is None else timeout,
        headers=dict(headers or {}),
        max_connections=settings.max_connections,
        options=declared_options(settings, options, env),
    )
