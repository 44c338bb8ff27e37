"""Bounds on manifest input, shared by the YAML and JSON loaders: beyond them a manifest is
reported as too large instead of exhausting the stack or memory."""

MAX_DEPTH = 200  # nesting of mappings and lists
MAX_NAME_LENGTH = 128  # service, type and client names and modules: they become file and package names
MAX_UNION_MEMBERS = 256  # members of one union type: each becomes a variant, a decoder clause and a docs row
MAX_TYPE_DEPTH = 64  # brackets nested in one type expression: every backend walks types recursively
