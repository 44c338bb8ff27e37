defmodule Hostile.Client do
  @moduledoc """
  Client doc \""" ''' */ /* --> @moduledoc \""" ~S\""" \#{System.halt()} ${process.exit(1)} \\
  \u{2028} 🦀 \\

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %HostileSystemHaltProcessExit1.Error{}}`; one
  whose result the server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias HostileSystemHaltProcessExit1.Config
  alias HostileSystemHaltProcessExit1.Error
  alias HostileSystemHaltProcessExit1.Runtime.Client
  alias HostileSystemHaltProcessExit1.Types.Mode
  alias HostileSystemHaltProcessExit1.Types.Payload

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `HostileSystemHaltProcessExit1.Config` (`:api_key`, `:base_url`,
  ...) or `:config`. Raises `ArgumentError` for an invalid configuration.
  """
  @spec new(keyword()) :: t()
  def new(opts \\ []) do
    case Client.new_struct(__MODULE__, opts) do
      {:ok, client} -> client
      {:error, %Error{message: message}} -> raise ArgumentError, message
    end
  end

  @doc false
  def __client__, do: %{process: false, state: [], counters: []}

  @doc """
  A copy of the client whose calls use these request options by default (`:timeout` in
  milliseconds, `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the
  client's own. The copy shares the client's connections, session and telemetry; a call's own
  `:request_options` win over it (headers, query and body merge). An unknown option raises
  `ArgumentError`.
  """
  @spec with_options(t(), keyword()) :: t()
  def with_options(hostile, request_options), do: Client.with_options(hostile, request_options)

  @doc """
  Method doc \""" ''' */ \#{x} ${y} \\

  `POST /echo/it's/*/"q"/`b`/back\\slash/$dollar/café/🦀/x|y^z[1]<2>%41/{label}`

  ## Options

    * `:text` - Field doc \""" ''' */ /* --> \#{x} ${y} \\ (default: `"d \\"\\"\\" ''' \\" ' ` */ /* --> @moduledoc \\"\\"\\" ~S\\"\\"\\" \#{System.halt()} ${process.exit(1)} \\\\ \\\\n \\u2028 \\u2029 \\u0000 \\ud83e\\udd80 \\u202e \\\\"`)
    * `:mode` (default: `"${process.exit(1)}"`)
    * `:modes` (default: `["\\"\\"\\"", "\#{System.halt()}", "\\\\"]`)
    * `:weird_key`
    * `:tags` (default: `{"\\"\\"\\"": "*/", "\#{k}": "${v}", "\\\\": "\\u0000"}`)
    * `:literal`
    * `:query_mode` - Query doc */ \""" ''' \\ (default: `"\#{System.halt()}"`)
    * `:note` (default: `"q \\"\\"\\" ''' \\" ' ` */ \#{System.halt()} ${process.exit(1)} \\\\ \\\\n \\u2028 \\ud83e\\udd80 \\u202e \\\\"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec echo(t(), String.t(), keyword()) :: result(Payload.t())
  def echo(hostile, label, opts \\ []) do
    Client.check_options!(
      opts,
      [:text, :mode, :modes, :weird_key, :tags, :literal, :query_mode, :note],
      "echo/3"
    )

    text =
      Keyword.get(
        opts,
        :text,
        "d \"\"\" ''' \" ' ` */ /* --> @moduledoc \"\"\" ~S\"\"\" \#{System.halt()} ${process.exit(1)} \\ \\n \u{2028} \u{2029} \u{0} 🦀 \u{202e} \\"
      )

    mode = Keyword.get(opts, :mode, :"${process.exit(1)}")
    modes = Keyword.get(opts, :modes, [:"\"\"\"", :"\#{System.halt()}", :"\\"])
    weird_key = Keyword.get(opts, :weird_key)
    tags = Keyword.get(opts, :tags, %{"\"\"\"" => "*/", "\#{k}" => "${v}", "\\" => "\u{0}"})
    literal = Keyword.get(opts, :literal)
    query_mode = Keyword.get(opts, :query_mode, :"\#{System.halt()}")

    note =
      Keyword.get(
        opts,
        :note,
        "q \"\"\" ''' \" ' ` */ \#{System.halt()} ${process.exit(1)} \\ \\n \u{2028} 🦀 \u{202e} \\"
      )

    c = Client.handle(hostile, opts)

    HostileSystemHaltProcessExit1.API.Hostile.echo(
      %{
        label: label,
        text: text,
        mode: mode,
        modes: modes,
        weird_key: weird_key,
        tags: tags,
        literal: literal,
        query_mode: query_mode,
        note: note
      },
      client: c
    )
  end

  @doc "Like `echo/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec echo_async(t(), String.t(), keyword()) :: Task.t()
  def echo_async(hostile, label, opts \\ []) do
    Task.async(fn -> echo(hostile, label, opts) end)
  end

  @doc """
  `GET /fetch`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec fetch(t(), keyword()) :: result(Payload.t())
  def fetch(hostile, opts \\ []) do
    Client.check_options!(opts, [], "fetch/2")
    c = Client.handle(hostile, opts)
    HostileSystemHaltProcessExit1.API.Hostile.fetch(client: c)
  end

  @doc "Like `fetch/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec fetch_async(t(), keyword()) :: Task.t()
  def fetch_async(hostile, opts \\ []) do
    Task.async(fn -> fetch(hostile, opts) end)
  end

  @doc """
  Query parameters only: a required enum, a hostile wire name, a list.

  `GET /search`

  ## Options

    * `:modes`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec search(t(), Mode.t(), String.t(), keyword()) :: result(Payload.t())
  def search(hostile, mode, term, opts \\ []) do
    Client.check_options!(opts, [:modes], "search/4")
    modes = Keyword.get(opts, :modes)
    c = Client.handle(hostile, opts)

    HostileSystemHaltProcessExit1.API.Hostile.search(
      %{mode: mode, term: term, modes: modes},
      client: c
    )
  end

  @doc "Like `search/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec search_async(t(), Mode.t(), String.t(), keyword()) :: Task.t()
  def search_async(hostile, mode, term, opts \\ []) do
    Task.async(fn -> search(hostile, mode, term, opts) end)
  end

  @doc """
  Flow doc: the search again, from a flow: query values under their wire names */ \""" \#{x} ${y}
  \\

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec find(t(), Mode.t(), String.t(), keyword()) :: result(Payload.t())
  def find(hostile, mode, term, opts \\ []) do
    Client.check_options!(opts, [], "find/4")
    c = Client.handle(hostile, opts)

    Client.call(
      c,
      "hostile.search",
      query: %{"mode" => mode, "t\"e'r`m \#{x} ${y} \\ */" => term},
      decode: Payload
    )
  end

  @doc "Like `find/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec find_async(t(), Mode.t(), String.t(), keyword()) :: Task.t()
  def find_async(hostile, mode, term, opts \\ []) do
    Task.async(fn -> find(hostile, mode, term, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {
        :echo,
        "echo",
        [{:label, "label", :string}],
        [
          {:text, "text", :string},
          {:mode, "mode", Mode},
          {:modes, "modes", {:list, Mode}},
          {:weird_key, "weird_key", :string},
          {:tags, "tags", {:map, :string}},
          {:literal, "literal", {:literal, "*/\#{x}${y}\\"}},
          {:query_mode, "query_mode", Mode},
          {:note, "note", :string}
        ],
        :sync
      },
      {:fetch, "fetch", [], [], :sync},
      {
        :search,
        "search",
        [{:mode, "mode", Mode}, {:term, "term", :string}],
        [{:modes, "modes", {:list, Mode}}],
        :sync
      },
      {:find, "find", [{:mode, "mode", Mode}, {:term, "term", :string}], [], :sync}
    ]
  end
end
