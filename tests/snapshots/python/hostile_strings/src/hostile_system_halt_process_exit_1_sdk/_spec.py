"""What the hostile \"\"\" ''' */ #{System.halt()} ${process.exit(1)} \\ 🦀 manifest says, as runtime data. Generated
by tinkc: do not edit.
"""

from ._auth import AuthScheme
from ._client import SDK
from ._config import ServiceSettings
from ._http import Endpoint

SETTINGS = ServiceSettings(
    api_key_env="HOSTILE_API_KEY",
    base_url_env="HOSTILE_BASE_URL",
    default_base_url="http://localhost:7000/b'a\"s`e/#{System.halt()}/${process.exit(1)}/\\",
    default_timeout=60.0,
)

EP_HOSTILE_ECHO = Endpoint(
    id="hostile.echo",
    method="POST",
    path="/echo/it's/*/%22q%22/%60b%60/back%5Cslash/$dollar/caf%C3%A9/%F0%9F%A6%80/x%7Cy%5Ez%5B1%5D%3C2%3E%41/{label}",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
        ("X-Endpoint", 'e """ ` #{System.halt()} ${process.exit(1)} */ \\'),
    ),
)

EP_HOSTILE_FETCH = Endpoint(
    id="hostile.fetch",
    method="GET",
    path="/fetch",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

EP_HOSTILE_SEARCH = Endpoint(
    id="hostile.search",
    method="GET",
    path="/search",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

RAW_GET = Endpoint(
    id="raw",
    method="GET",
    path="",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

RAW_POST = Endpoint(
    id="raw",
    method="POST",
    path="",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

RAW_PUT = Endpoint(
    id="raw",
    method="PUT",
    path="",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

RAW_DELETE = Endpoint(
    id="raw",
    method="DELETE",
    path="",
    headers=(
        ("X-Odd!#$%&'*+.^_`|~", "v \"\"\" ''' \" ' ` */ /* --> #{System.halt()} ${process.exit(1)} \\ \\n trailing \\"),
        ("X-Plain", '~S""" @moduledoc """ end'),
    ),
)

AUTH = AuthScheme(header="X-Hostile-Key")

SERVICE = SDK(
    settings=SETTINGS,
    auth_header="X-Hostile-Key",
    user_agent="hostile_system_halt_process_exit_1_sdk/1.0.0 (python; tinkc)",
    auth=AUTH,
)
