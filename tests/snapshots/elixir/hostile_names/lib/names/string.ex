defmodule Names.String do
  @moduledoc """
  The `string` client of the names API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Names.Error{}}`; one whose result the server
  computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Names.Config
  alias Names.Error
  alias Names.Runtime.Client
  alias Names.Types.Keywords

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Names.Config` (`:api_key`, `:base_url`, ...) or `:config`.
  Raises `ArgumentError` for an invalid configuration.
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
  def with_options(string, request_options), do: Client.with_options(string, request_options)

  @doc """
  `GET /get`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get(t(), keyword()) :: result(Keywords.t())
  def get(string, opts \\ []) do
    Client.check_options!(opts, [], "get/2")
    c = Client.handle(string, opts)
    Names.API.Names.get(client: c)
  end

  @doc "Like `get/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_async(t(), keyword()) :: Task.t()
  def get_async(string, opts \\ []) do
    Task.async(fn -> get(string, opts) end)
  end

  @doc false
  def __methods__ do
    [{:get, "get", [], [], :sync}]
  end
end
