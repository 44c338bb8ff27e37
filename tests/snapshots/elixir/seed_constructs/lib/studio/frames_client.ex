defmodule Studio.FramesClient do
  @moduledoc """
  The `frames` client of the studio API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Studio.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Studio.API.Frames
  alias Studio.Config
  alias Studio.Error
  alias Studio.Runtime.Client
  alias Studio.Types.Frame
  alias Studio.Types.JobAnswer
  alias Studio.Types.PublishFrame

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Studio.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  def with_options(frames, request_options), do: Client.with_options(frames, request_options)

  @doc """
  `GET /jobs/{job_id}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec job(t(), String.t(), keyword()) :: result(JobAnswer.t())
  def job(frames, job_id, opts \\ []) do
    Client.check_options!(opts, [], "job/3")
    c = Client.handle(frames, opts)
    Frames.job(%{job_id: job_id}, client: c)
  end

  @doc "Like `job/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec job_async(t(), String.t(), keyword()) :: Task.t()
  def job_async(frames, job_id, opts \\ []) do
    Task.async(fn -> job(frames, job_id, opts) end)
  end

  @doc """
  `POST /frames/{frame_id}/publish`

  ## Options

    * `:note`
    * `:channel` (default: `"main"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec publish(t(), String.t(), String.t(), keyword()) :: result(Frame.t())
  def publish(frames, frame_id, title, opts \\ []) do
    Client.check_options!(opts, [:note, :channel], "publish/4")
    note = Keyword.get(opts, :note)
    channel = Keyword.get(opts, :channel, "main")
    c = Client.handle(frames, opts)

    Frames.publish(
      %PublishFrame{frame_id: frame_id, title: title, note: note, channel: channel},
      client: c
    )
  end

  @doc "Like `publish/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec publish_async(t(), String.t(), String.t(), keyword()) :: Task.t()
  def publish_async(frames, frame_id, title, opts \\ []) do
    Task.async(fn -> publish(frames, frame_id, title, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {:job, "job", [{:job_id, "job_id", :string}], [], :sync},
      {
        :publish,
        "publish",
        [{:frame_id, "frame_id", :string}, {:title, "title", :string}],
        [{:note, "note", {:nullable, :string}}, {:channel, "channel", {:nullable, :string}}],
        :sync
      }
    ]
  end
end
