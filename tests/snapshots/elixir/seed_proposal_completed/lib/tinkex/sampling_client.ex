defmodule Tinkex.SamplingClient do
  @moduledoc """
  The `sampling` client of the tinker API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Tinker.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Tinker.API.Sampling
  alias Tinker.Config
  alias Tinker.Error
  alias Tinker.Runtime.Client
  alias Tinker.Types.SampleRequest

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
  def with_options(sampling, request_options), do: Client.with_options(sampling, request_options)

  @doc """
  `POST /api/v1/asample`

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:num_samples` (default: `1`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec sample(t(), [integer()], keyword()) :: {:ok, Task.t()}
  def sample(sampling, prompt, opts \\ []) do
    Client.check_options!(opts, [:num_samples], "sample/3")
    num_samples = Keyword.get(opts, :num_samples, 1)
    c = Client.handle(sampling, opts)
    Sampling.sample_future(%SampleRequest{prompt: prompt, num_samples: num_samples}, client: c)
  end

  @doc false
  def __methods__ do
    [
      {
        :sample,
        "sample",
        [{:prompt, "prompt", {:list, :integer}}],
        [{:num_samples, "num_samples", :integer}],
        :task
      }
    ]
  end
end
