defmodule Tinkex.RestClient do
  @moduledoc """
  The `rest` client of the tinker API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinker.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinker.API.Rest
  alias Tinker.Config
  alias Tinker.Error
  alias Tinker.Runtime.Client
  alias Tinker.Types.WeightsInfoRequest
  alias Tinker.Types.WeightsInfoResponse

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Tinker.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  def with_options(rest, request_options), do: Client.with_options(rest, request_options)

  @doc """
  `POST /api/v1/weights_info`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get_weights_info_by_tinker_path(t(), String.t(), keyword()) ::
          result(WeightsInfoResponse.t())
  def get_weights_info_by_tinker_path(rest, path, opts \\ []) do
    Client.check_options!(opts, [], "get_weights_info_by_tinker_path/3")
    c = Client.handle(rest, opts)
    Rest.get_weights_info_by_tinker_path(%WeightsInfoRequest{path: path}, client: c)
  end

  @doc "Like `get_weights_info_by_tinker_path/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_weights_info_by_tinker_path_async(t(), String.t(), keyword()) :: Task.t()
  def get_weights_info_by_tinker_path_async(rest, path, opts \\ []) do
    Task.async(fn -> get_weights_info_by_tinker_path(rest, path, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {
        :get_weights_info_by_tinker_path,
        "get_weights_info_by_tinker_path",
        [{:path, "path", :string}],
        [],
        :sync
      }
    ]
  end
end
