"""Broken manifests: every mistake a user can make is reported, at the right place, and never crashes.

Each case of ``tests/broken/`` (a file, or a folder whose entry is ``manifest.yaml``) is checked with
``tinkc check`` run in-process from the repository root (so displayed paths are relative):

* exit status 1, at least one ``error[...]``, no traceback and no "internal error";
* the rendered diagnostics equal ``tests/snapshots/diagnostics/<case>.txt``
  (``TINKC_UPDATE_SNAPSHOTS=1`` rewrites them; read every changed one before accepting it);
* the errors are exactly the ones listed in ``CASES`` below (code, file, line and, where the caret
  matters, column), so a regression that moves a diagnostic, drops it, duplicates it or adds a
  cascade of follow-up errors fails even if the snapshots were regenerated blindly; the patterns of
  ``must_match`` (hints that matter) must appear, those of ``must_not_match`` must not;
* ``--format json`` gives the same diagnostics, as JSON on stdout and nothing on stderr.

``tests/broken/README.md`` says what each case demonstrates.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from snapshot import assert_matches

from tinkc.cli import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
SNAPSHOTS = ROOT / "tests" / "snapshots" / "diagnostics"
ENTRY = "manifest.yaml"  # the entry file of a multi-file case folder


@dataclass(frozen=True)
class E:
    """One expected error: its code, line and (optionally) column, in ``file`` (relative to the
    case's folder; default: the case's entry file)."""

    code: str
    line: int
    col: int | None = None
    file: str | None = None


@dataclass(frozen=True)
class Case:
    errors: tuple[E, ...]
    must_match: tuple[str, ...] = ()  # regexes searched in the rendered diagnostics (multiline)
    must_not_match: tuple[str, ...] = ()


def case(*errors: E, match: tuple[str, ...] | str = (), absent: tuple[str, ...] | str = ()) -> Case:
    return Case(
        errors=errors,
        must_match=(match,) if isinstance(match, str) else match,
        must_not_match=(absent,) if isinstance(absent, str) else absent,
    )


HINT = r"^  = (?:hint|note): "  # the start of a hint or note line

CASES: dict[str, Case] = {
    # -- loading: files that are not a manifest at all --------------------------------------------
    "load_empty": case(E("load.empty", 1, 1), match=HINT + r".*schema_version: 1"),
    "load_whitespace_only": case(E("load.empty", 1, 1)),
    "load_binary": case(E("load.binary", 1, 1)),
    # the byte 0xE9 is the 12th character of line 4: point at it and show the line
    "load_not_utf8": case(E("load.encoding", 4, 12), match=(r"^4 \|   name: caf", HINT + r".*UTF-8")),
    "load_top_level_list": case(E("load.not-a-mapping", 2, 1)),
    "load_multiple_documents": case(E("load.multiple-documents", 13, 1)),
    # the tag is shown as written, not in its expanded `tag:yaml.org,2002:` form
    "load_yaml_tag": case(E("load.tag", 5, 8), match=r"`!!python/name:os\.system`"),
    # -- loading: duplicate keys --------------------------------------------------------------------
    "load_duplicate_key_top": case(E("load.duplicate-key", 8, 1), match=HINT + r".*line 3"),
    "load_duplicate_key_nested": case(E("load.duplicate-key", 19, 7), match=HINT + r".*line 17"),
    "load_json_duplicate_key": case(E("load.duplicate-key", 8, 5), match=HINT + r".*line 6"),
    # -- loading: YAML 1.1 traps ---------------------------------------------------------------------
    # one mistake, one error: no follow-up "must be an integer, not a string" about the same text
    "load_leading_zero_number": case(E("load.ambiguous-number", 5, 15), match=HINT + r".*`30000`"),
    "load_leading_zero_octal": case(E("load.ambiguous-number", 6, 18), match=HINT + r".*quote it"),
    # more digits than Python converts: an error at the number (was an internal error), then a string
    "load_number_too_long": case(
        E("load.number-too-long", 5, 12), match=(r"4301 digits: tinkc reads integers of up to 4300", HINT + r"quote it")
    ),
    "load_json_number_too_long": case(
        E("load.number-too-long", 3, 42), match=(r"4301 digits: tinkc reads integers of up to 4300", HINT + r"quote it")
    ),
    "bool_yes": case(E("manifest.expected-boolean", 12, 17), match=HINT + r"only `true` and `false` are booleans"),
    # -- loading: YAML syntax ------------------------------------------------------------------------
    "load_yaml_bad_indentation": case(E("load.yaml-syntax", 11), match=HINT + r".*indent"),
    "load_yaml_tab_indentation": case(E("load.yaml-syntax", 10, 1), match=HINT + r".*tabs"),
    # the `[` that is never closed is on line 16; the parser only notices on line 17
    "load_yaml_unclosed_flow_list": case(E("load.yaml-syntax", 16, 11)),
    "load_yaml_list_type_nullable": case(E("load.yaml-syntax", 17, 21), match=HINT + r'.*`tags: "\[string\]\?"`'),
    "load_yaml_list_of_map_type": case(E("load.yaml-syntax", 16), match=HINT + r'.*"\[map\[string,any\]\]"'),
    "load_yaml_binding_in_flow_mapping": case(E("load.yaml-syntax", 12, 29), match=HINT + r".*binding must be quoted"),
    # -- loading: JSON syntax ------------------------------------------------------------------------
    "load_json_trailing_comma": case(E("load.json-syntax", 6), match=HINT + r".*trailing comma"),
    "load_json_missing_brace": case(E("load.json-syntax", 7), match=r"end of input"),
    # -- the top level -------------------------------------------------------------------------------
    "schema_version_missing": case(E("schema.version-missing", 2), match=HINT + r".*schema_version: 1"),
    "schema_version_2": case(E("schema.unsupported-version", 2, 17), match=HINT + r".*schema_version 1"),
    "schema_version_string": case(E("schema.unsupported-version", 2, 17), match=HINT + r".*`schema_version: 1`"),
    "service_missing": case(E("manifest.missing-service", 2)),
    # the misspelt section is the one error: no follow-up about the endpoints it would have held
    "unknown_top_level_key": case(E("manifest.unknown-key", 8, 1), match=HINT + r"did you mean `endpoints`\?"),
    # -- references ----------------------------------------------------------------------------------
    "ref_unknown_type": case(E("ref.unknown-type", 12, 15), match=HINT + r"did you mean `Pet`\?"),
    "json_unknown_type": case(E("ref.unknown-type", 6, 74), match=HINT + r"did you mean `Pet`\?"),
    "ref_unknown_feature": case(E("ref.unknown-feature", 16, 16), match=HINT + r"did you mean `retry`\?"),
    # -- auth ----------------------------------------------------------------------------------------
    "environments_bad_url": case(E("manifest.bad-value", 7, 14), match=HINT + r".*https://api\.example\.com"),
    "auth_unknown_scheme": case(E("manifest.bad-value", 6, 16), match=HINT + r"did you mean `bearer`\?"),
    # an exchange needs its endpoint and the response field of the token: nothing could guess them
    "auth_exchange_missing_token": case(E("manifest.missing-key", 9, 15), match=(r"needs `token`", HINT + r".*token: jwt")),
    "auth_exchange_bad_response": case(
        E("auth.bad-exchange", 9, 15),
        E("auth.bad-exchange", 9, 15),
        E("auth.bad-exchange", 9, 15),
        match=(HINT + r"did you mean `access_token`\?", HINT + r"its fields: access_token, expires_in", r"cannot give it: tenant"),
    ),
    # -- features ------------------------------------------------------------------------------------
    # a feature that is declared but invalid is not "unknown" where it is used
    "feature_unknown_type": case(E("feature.unknown-type", 10, 11), match=HINT + r"did you mean `retry_policy`\?"),
    "feature_unknown_param": case(E("manifest.unknown-key", 11, 5), match=HINT + r"did you mean `max_retries`\?"),
    # the hint should say where `base_ms` goes, not only list the keys allowed at this level
    "feature_misplaced_param": case(E("manifest.unknown-key", 12, 5), match=HINT + r".*(backoff.*base_ms|base_ms.*backoff)"),
    "feature_conflicting_spellings": case(E("feature.conflicting-params", 13), match=r"`try_again_field` and `try_again\.field`"),
    "feature_service_wide_on_endpoint": case(E("feature.misplaced", 16, 16), match=HINT + r".*service\.features"),
    "feature_endpoint_only_on_service": case(E("feature.misplaced", 5, 14)),
    "feature_retrieve_endpoint_get": case(E("feature.bad-retrieve-endpoint", 11, 24), match=r"must be a POST, not GET"),
    "feature_retrieve_endpoint_no_request_id": case(E("feature.bad-retrieve-endpoint", 11, 24), match=HINT + r".*request_id_field"),
    "backoff_negative_base": case(E("feature.bad-value", 12, 24), match=r"must be positive, not -100"),
    "backoff_max_below_base": case(E("feature.bad-value", 12, 38)),
    "telemetry_batch_fields": case(
        E("feature.bad-field", 14, 53), E("feature.bad-type", 15, 23), match=("did you mean `session_id`", "one of: NoteEvent, StartEvent")
    ),
    "header_param_bad_name": case(E("endpoint.bad-header-name", 14, 17), match=r"hint: a header name is letters"),
    "header_param_not_scalar": case(
        E("endpoint.bad-header-param-type", 15, 7), E("endpoint.param-clash", 16, 7), match=r"one value as text"
    ),
    "pagination_unknown_style": case(E("feature.bad-value", 16, 12), match=r"hint: one of: limit_offset, cursor, next_url"),
    "pagination_cursor_without_next": case(
        E("feature.bad-pagination", 25, 16), match=r"exactly one of `next_cursor_field` and `next_cursor_header`"
    ),
    "pagination_items_not_a_list": case(E("feature.bad-pagination", 26, 16), match=r"`next` must be a list field"),
    "backoff_jitter_above_one": case(E("feature.bad-value", 12, 51), match=r"between 0 and 1, not 1\.5"),
    "backoff_negative_max_retries": case(E("feature.bad-value", 12, 18)),
    "backoff_base_not_a_number": case(E("manifest.expected-integer", 12, 24)),
    # -- status lists --------------------------------------------------------------------------------
    "status_out_of_range": case(E("feature.bad-status", 12, 21), match=r"100-599"),
    "status_reversed_range": case(E("feature.bad-status", 12, 21), match=HINT + r"write `500-599`"),
    "status_not_a_number": case(E("feature.bad-status", 12, 21)),
    "status_wildcard": case(E("feature.bad-status", 12), match=HINT + r".*`500-599`"),
    # -- paths (an endpoint with a bad path is still an endpoint: no "no endpoint id starts with") --
    "path_unbalanced_brace": case(E("path.syntax", 11)),
    "path_empty_param": case(E("path.syntax", 11, 17), absent=r"\bRAW\b"),
    "path_param_not_identifier": case(E("path.syntax", 11, 17), match=r"identifier|start with a letter", absent=r"\bRAW\b"),
    "path_missing_leading_slash": case(E("path.syntax", 11, 11)),
    "path_query_string": case(E("path.syntax", 11, 16), match=HINT + r"query parameters go under `query:`"),
    "path_duplicate_param": case(E("path.duplicate-param", 11, 30)),
    "path_control_character": case(E("path.syntax", 6)),
    "path_params_not_in_template": case(E("path.unknown-param", 13, 7), match=HINT + r"did you mean `pet_id`\?"),
    "endpoint_bad_method": case(E("endpoint.bad-method", 10, 13), match=HINT + r"did you mean `GET`\?"),
    "endpoint_duplicate_route": case(
        E("endpoint.duplicate-route", 9, 3), match=r"`pets.get` and `pets.fetch` are both `GET /pets/\{pet_id\}`"
    ),
    "endpoint_bad_api_name": case(E("endpoint.bad-api-name", 12, 10), match=HINT + r".*snake_case"),
    "endpoint_api_clash": case(
        E("endpoint.api-clash", 16, 10),
        E("endpoint.api-clash", 20, 10),
        match=(r"`pets.fetch` and `pets.get` both have the stateless function `pets.get`", r"`async` twin of `pets.get`"),
    ),
    "endpoint_unknown_response_handler": case(
        E("endpoint.unknown-response-handler", 12, 23), match=HINT + r"did you mean `redirect_location`\?"
    ),
    # -- type expressions and declarations -----------------------------------------------------------
    "type_unclosed_list": case(E("type.syntax", 17, 22), match=r"expected `\]`"),
    "type_map_int_key": case(E("type.syntax", 17, 18), match=r"map keys must be `string`"),
    "type_java_list": case(E("type.syntax", 17), match=HINT + r".*`\[T\]`"),
    "type_double_nullable": case(E("type.syntax", 17, 21), match=HINT + r".*`string\?`"),
    "type_dangling_union": case(E("type.syntax", 17)),
    "type_literal_bad_escape": case(E("type.syntax", 17, 15), match=r"invalid string literal .*invalid \\escape"),
    "enum_duplicate_value": case(E("type.duplicate-enum-value", 16, 28)),
    "union_variant_missing_discriminator": case(E("type.missing-discriminator", 15, 18), match=HINT + r".*`kind: "),
    # the cycle is the error; the path parameter typed with one of its aliases is not "not a scalar"
    "alias_cycle": case(E("type.alias-cycle", 17, 3), match=r"AnimalId → PetId → AnimalId"),
    # -- flows and bindings --------------------------------------------------------------------------
    # -- parse templates -------------------------------------------------------------------------------
    "parse_adjacent_variables": case(E("type.bad-parse", 8, 27), match=HINT + r"separate variables by literal text"),
    "parse_variable_not_a_string": case(E("type.bad-parse", 8, 39), match=HINT + r".*make it `string`"),
    "parse_required_field_not_filled": case(E("type.bad-parse", 12, 7), match=HINT + r".*`optional: true`"),
    "parse_unbalanced_brace": case(E("type.bad-parse", 8, 12), match=r"unbalanced braces"),
    "parse_step_unknown_type": case(E("flow.bad-parse", 13, 15), match=HINT + r"did you mean `CheckpointPath`\?"),
    # -- type namespaces and tag accessors -------------------------------------------------------------
    "namespace_and_tag_accessor_bad": case(
        E("type.bad-namespace", 9, 16),
        E("type.bad-namespace", 14, 16),
        E("type.bad-tag-accessor", 20, 19),
        E("type.bad-tag-accessor", 25, 19),
        match=(HINT + r"write e.g. `namespace: telemetry`", r"names a module every SDK has", HINT + r"add `discriminator"),
    ),
    "typespecs_bad": case(
        E("targets.bad-option", 9, 7),
        E("targets.bad-option", 10, 28),
        E("targets.bad-option", 10, 36),
        E("targets.bad-option", 11, 14),
        match=(r"already the module of a type", HINT + r"did you mean `Chunk`\?", r"listed twice", r"must list at least one type"),
    ),
    # -- helpers, derived fields, client aliases -------------------------------------------------------
    "helper_key_bad_escape": case(E("type.bad-helper", 19, 36), match=r"invalid string literal .*invalid \\escape"),
    "helper_bad_paths_and_templates": case(
        E("type.bad-helper", 16, 7),
        E("type.bad-helper", 20, 46),
        E("type.bad-helper", 20, 70),
        E("type.bad-helper", 21, 7),
        match=(r"record `Chunk` has no field `tokenz`", r"`\$\{input.tokns\}` is not a parameter", HINT + r"`new: \{field"),
        absent=r"not used by `new`",  # the misspelt binding is reported once, not also as an unused parameter
    ),
    "helper_bad_expressions": case(
        E("type.bad-helper", 28, 21),
        E("type.bad-helper", 29, 21),
        E("type.bad-helper", 30, 7),
        E("type.bad-helper", 31, 27),
        E("type.bad-helper", 32, 21),
        E("type.bad-helper", 33, 22),
        E("type.bad-helper", 34, 21),
        E("type.bad-helper", 39, 7),
        E("type.bad-helper", 47, 30),
        E("type.bad-helper", 47, 65),
        match=(
            r"`total` is not a function of helper expressions",
            r"`sum` adds a list of numbers",
            r"a name ending in `\?` is a predicate's",
            HINT + r"name it `empty`",
            r"no helper `weight` on `Part` or its variants",
            r"reads a map, and `\[Part\]` is not one",
            r"\"draft\" is not a value of enum `Kind`",
            r"an enum value is not built",
            r"\"no\" is not of type `bool`",
            r"a default is given to a `string`, `int`, `float` or `bool` parameter",
        ),
    ),
    "helper_bad_positional": case(E("type.bad-helper", 12, 21), E("type.bad-helper", 16, 21), match=HINT + r"drop `positional`"),
    "helper_bad_push": case(
        E("type.bad-helper", 26, 15),
        E("type.bad-helper", 29, 57),
        E("type.bad-helper", 32, 15),
        E("type.bad-helper", 33, 7),
        E("type.bad-helper", 38, 15),
        match=(
            r"`to: title` is `string`, not a list",
            r"parameter `word` is `string`, the field `int`",
            r"`merge: url` is not a list field of `Picture`",
            r"its parameters are all required",
            HINT + r"`push: \{to: chunks",
        ),
    ),
    "helper_optional_param_first": case(
        E("type.bad-helper", 14, 32),
        E("type.bad-helper", 16, 7),
        E("type.bad-helper", 19, 23),
        match=(HINT + r"put the optional", HINT + r"a positional `new` takes two required parameters", HINT + r"write `\$\{self.field\}`"),
    ),
    "derive_bad": case(
        E("type.bad-derive", 17, 38),
        E("type.bad-derive", 18, 38),
        E("type.bad-derive", 19, 38),
        match=(HINT + r"did you mean `path`\?", HINT + r"e.g. `RunPath`", HINT + r"one of: run, rest"),
    ),
    "client_alias_bad": case(
        E("client.bad-alias", 16, 7),
        E("client.bad-alias", 17, 7),
        E("client.bad-alias", 18, 10),
        match=(HINT + r"did you mean `get`\?", HINT + r"did you mean `service`\?", HINT + r"e.g. `service.create_sampling_client`"),
    ),
    "chunker_bad": case(
        E("client.bad-chunker", 23, 7),
        E("client.bad-chunker", 24, 7),
        E("client.bad-chunker", 25, 38),
        match=(HINT + r"a call step of the flow splits", HINT + r"did you mean `fetch`\?", HINT + r"a capitalized name"),
    ),
    "config_profiles_bad": case(
        E("config.bad-profile", 8, 5),
        E("config.bad-profile", 8, 5),
        E("config.bad-profile", 13, 28),
        E("config.bad-profile", 14, 9),
        E("manifest.unknown-key", 15, 51),
        E("config.bad-profile", 16, 5),
        match=(HINT + r"did you mean `retry_standard`\?", HINT + r"one of: safe, slow", r"both choose profiles"),
    ),
    "queue_debounce_by_unknown": case(E("feature.bad-value", 8, 18), match=HINT + r"did you mean `sampling_session_id`\?"),
    "flow_overload_bad": case(
        E("flow.bad-overload", 16, 20),
        E("flow.overload-clash", 22, 20),
        E("flow.overload-clash", 34, 20),
        E("flow.bad-overload", 40, 20),
        match=(HINT + r"did you mean `delete_thing`\?", r"clashes with `delete_thing/3`", r"clashes with flow `delete_by_one`'s overload"),
    ),
    # -- chunked calls ---------------------------------------------------------------------------------
    "chunk_input_not_a_list": case(E("flow.bad-chunk", 14, 28), match=HINT + r"its list inputs: `items`"),
    "chunk_bad_combine": case(E("flow.bad-chunk", 18, 34), match=HINT + r"did you mean `concat`\?"),
    "chunk_combine_wrong_field_type": case(E("flow.bad-chunk", 18, 25), match=r"needs a list"),
    "chunk_not_a_future": case(E("flow.bad-chunk", 13, 46), E("flow.bad-chunk", 17, 20), match=HINT + r".*promise_result"),
    "flow_bad_returns": case(E("flow.bad-returns", 9, 18), match=HINT + r"`returns: task`"),
    "flow_bad_spread": case(E("flow.bad-spread", 18, 11), E("flow.bad-spread", 19, 11), match=HINT + r"give `lora` a `default:`"),
    "flow_spread_clash": case(E("flow.spread-clash", 18, 11), match=HINT + r"rename the input `rank`"),
    "method_bad_returns": case(E("client.bad-method", 8, 42), match=HINT + r".*returns: value"),
    "binding_unknown_field": case(E("binding.unknown-field", 16, 25), match=HINT + r"did you mean `owner_id`\?"),
    "binding_later_step": case(E("binding.unknown-step", 13, 23), match=r"runs later"),
    "field_nullable_twice": case(E("type.nullable-twice", 10, 29), match=HINT + r"`string\?` alone is optional and nullable"),
    "path_body_param_types_differ": case(
        E("endpoint.param-clash", 9, 3), match=HINT + r"a path parameter may share its name with a body field of the same type"
    ),
    "flow_ambiguous_receiver": case(E("flow.ambiguous-receiver", 14, 19), match=HINT + r"say which: `on: \$\{steps.second\}`"),
    # a malformed argument is not a missing one: no "misses required argument `pet_id`"
    "binding_unknown_source": case(E("binding.unknown-source", 13, 23)),
    "targets_bad_deps": case(
        E("targets.bad-option", 7, 18),
        E("targets.bad-option", 10, 7),
        E("targets.bad-option", 11, 19),
        match=(r"must be a mapping of package names", r"is not a package name", r"is not a version requirement"),
    ),
    "config_options": case(
        E("config.bad-name", 7, 5),
        E("config.reserved-name", 8, 5),
        E("config.env-type", 9, 5),
        E("config.bad-default", 10, 5),
        E("binding.unknown-config", 20, 23),
        match=(r"did you mean `region`", r"pick another name"),
    ),
    "binding_malformed": case(E("binding.syntax", 13, 31)),
    "flow_cycle_two": case(E("flow.cycle", 13, 15), match=r"ping → pong → ping"),
    "flow_cycle_three": case(E("flow.cycle", 12, 15), match=r"alpha → beta → gamma → alpha"),
    "flow_unknown_call_target": case(E("ref.unknown-call-target", 11, 19), match=HINT + r"did you mean `(pets\.)?list`\?"),
    "flow_await_not_future": case(E("flow.await-not-future", 14, 27), match=HINT + r".*promise_result"),
    "flow_missing_argument": case(E("flow.missing-argument", 11, 19), match=r"`name`"),
    "flow_unknown_argument": case(E("flow.unknown-argument", 14, 15), match=HINT + r"did you mean `pet_id`\?"),
    # -- clients ---------------------------------------------------------------------------------------
    # reported once (not once per target), at the method name `getInfo`
    "naming_collision": case(E("naming.collision", 9, 7)),
    "header_injection": case(E("header.bad-value", 6, 5), E("header.bad-name", 15, 15)),
    # -- imports (folders) ---------------------------------------------------------------------------
    "import_missing_file": case(E("load.not-found", 3, 11), match=r"pet_types\.yaml"),
    "import_cycle": case(E("load.import-cycle", 2, 11, file="b.yaml"), match=r"a\.yaml → b\.yaml → a\.yaml"),
    "import_duplicate_type": case(
        E("manifest.conflict", 7, 3, file="types.yaml"),
        match=HINT + r"first declared at tests/broken/import_duplicate_type/manifest\.yaml:15:3",
    ),
    # -- several problems in one file: all reported in one run ---------------------------------------
    "combined_many_problems": case(
        E("manifest.unknown-key", 5, 3),
        E("binding.unknown-field", 17, 23),
        E("feature.bad-status", 22, 30),
        E("ref.unknown-feature", 34, 23),
        E("ref.unknown-type", 40, 16),
    ),
    "combined_json_problems": case(
        E("load.duplicate-key", 3, 31),
        E("ref.unknown-type", 6, 74),
        E("manifest.expected-boolean", 7, 67),
    ),
}

# Cases that cannot start with a comment saying what is wrong: JSON, empty, binary.
NO_COMMENT = {"load_empty", "load_whitespace_only", "load_binary"}


def case_entry(name: str) -> Path:
    folder = BROKEN / name
    if folder.is_dir():
        return folder / ENTRY
    [path] = [p for p in BROKEN.iterdir() if p.is_file() and p.stem == name]
    return path


def discovered_cases() -> set[str]:
    return {p.name if p.is_dir() else p.stem for p in BROKEN.iterdir() if p.name != "README.md"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    gc_was_enabled = gc.isenabled()
    try:
        code = main(["--color", "never", *args])
    finally:
        if gc_was_enabled:  # the CLI turns the collector off for its (short) process
            gc.enable()
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # diagnostics name files relative to the working directory


def check(capsys: pytest.CaptureFixture[str], name: str, *extra: str) -> tuple[int, str, str]:
    path = case_entry(name).relative_to(ROOT).as_posix()
    return run_cli(capsys, "check", path, *extra)


def assert_no_crash(code: int, out: str, err: str) -> None:
    both = out + err
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
    assert code == 1, f"exit status {code}, expected 1 (errors in the manifest)\n{out}{err}"


# -- the collection itself --------------------------------------------------------------------------


def test_every_case_has_an_expectation() -> None:
    found = discovered_cases()
    assert sorted(found - set(CASES)) == [], "cases in tests/broken/ without an entry in CASES"
    assert sorted(set(CASES) - found) == [], "entries in CASES without a case in tests/broken/"


def test_every_case_says_what_is_wrong() -> None:
    readme = (BROKEN / "README.md").read_text(encoding="utf-8")
    missing_from_readme = [name for name in sorted(CASES) if f"`{name}" not in readme]
    assert missing_from_readme == [], "cases not listed in tests/broken/README.md"
    without_comment = []
    for name in sorted(CASES):
        entry = case_entry(name)
        if name in NO_COMMENT or entry.suffix == ".json":
            continue
        files = sorted(entry.parent.glob("*.yaml")) if entry.name == ENTRY and entry.parent != BROKEN else [entry]
        for f in files:
            if not f.read_bytes().startswith(b"# "):
                without_comment.append(f.relative_to(BROKEN).as_posix())
    assert without_comment == [], "case files must start with a `# what is wrong` comment"


def test_special_files_are_what_they_claim() -> None:
    assert (BROKEN / "load_empty.yaml").read_bytes() == b""
    ws = (BROKEN / "load_whitespace_only.yaml").read_bytes()
    assert ws and not ws.strip()
    assert b"\x00" in (BROKEN / "load_binary.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        (BROKEN / "load_not_utf8.yaml").read_bytes().decode("utf-8")


# -- each case ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("name", sorted(CASES))
def test_snapshot(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, name)
    assert_no_crash(code, out, err)
    assert out == "", "diagnostics go to stderr; nothing else is printed for a broken manifest"
    assert re.search(r"^error\[[a-z0-9.-]+\]: ", err, re.M), err
    assert_matches(SNAPSHOTS / f"{name}.txt", err)


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_errors(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every problem of the case is reported once, where it is, with the hints that matter; every
    shortcoming is listed (not only the first)."""
    expected = CASES[name]
    code, out, err = check(capsys, name, "--format", "json")
    assert_no_crash(code, out, err)
    errors = [d for d in json.loads(out)["diagnostics"] if d["severity"] == "error"]
    folder = case_entry(name).parent.relative_to(ROOT).as_posix()
    default_file = case_entry(name).relative_to(ROOT).as_posix()

    def where(d: dict) -> tuple[str, str | None, int | None]:
        span = d.get("span") or {}
        return d["code"], span.get("file"), span.get("line")

    def file_of(e: E) -> str:
        return f"{folder}/{e.file}" if e.file else default_file

    problems = []
    actual = Counter(where(d) for d in errors)
    wanted = Counter((e.code, file_of(e), e.line) for e in expected.errors)
    if actual != wanted:
        shown = "\n".join(f"    {c} at {f}:{ln}: {d['message']}" for d, (c, f, ln) in zip(errors, map(where, errors), strict=False))
        problems.append(f"expected exactly these errors: {sorted(wanted.elements())}\n  actual errors:\n{shown}")
    for e in expected.errors:
        cols = [d["span"]["col"] for d in errors if where(d) == (e.code, file_of(e), e.line)]
        if e.col is not None and cols and e.col not in cols:
            problems.append(f"{e.code} at {file_of(e)}:{e.line}: caret at column {cols}, expected column {e.col}")
    _, _, text = check(capsys, name)
    for pattern in expected.must_match:
        if not re.search(pattern, text, re.M):
            problems.append(f"expected /{pattern}/ in the diagnostics")
    for pattern in expected.must_not_match:
        if re.search(pattern, text, re.M):
            problems.append(f"unexpected /{pattern}/ in the diagnostics")
    assert not problems, "\n".join(problems) + "\n--- rendered diagnostics ---\n" + text


@pytest.mark.usefixtures("in_root")
@pytest.mark.parametrize("name", sorted(CASES))
def test_json_format_agrees_with_text(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, name, "--format", "json")
    assert_no_crash(code, out, err)
    assert err == "", "with --format json, stderr stays empty"
    diagnostics = json.loads(out)["diagnostics"]
    assert diagnostics, "a failing check reports at least one diagnostic"
    for d in diagnostics:
        assert {"code", "severity", "message"} <= set(d), d
        span = d.get("span")
        assert span is not None and span["line"] >= 1 and span["col"] >= 1, f"{d['code']} has no usable position: {d}"
    _, _, text = check(capsys, name)
    text_codes = re.findall(r"^(error|warning|note)\[([^\]]+)\]: (.*)$", text, re.M)
    assert [(d["severity"], d["code"], d["message"]) for d in diagnostics] == text_codes
