defmodule Uploads.FileClient do
  @moduledoc """
  The `files` client of the uploads API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Uploads.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Uploads.API.Files
  alias Uploads.Config
  alias Uploads.Error
  alias Uploads.Runtime.Client
  alias Uploads.Types.DownloadReceipt
  alias Uploads.Types.Folder
  alias Uploads.Types.Tag
  alias Uploads.Types.Upload
  alias Uploads.Types.UploadReceipt

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Uploads.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  def with_options(files, request_options), do: Client.with_options(files, request_options)

  @doc """
  Upload a file and wait until it is processed, while its folder is checked.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec publish(t(), String.t(), String.t(), keyword()) :: result(DownloadReceipt.t())
  def publish(files, name, folder, opts \\ []) do
    Client.check_options!(opts, [], "publish/4")
    c = Client.handle(files, opts)

    with {:ok, [step_stored, _step_folder]} <-
           Client.concurrently([
             fn ->
               Client.call_future(
                 c,
                 "files.upload",
                 body: %Upload{name: name, folder: folder},
                 decode: UploadReceipt
               )
             end,
             fn -> Client.call(c, "files.folder", path: %{"folder" => folder}, decode: Folder) end
           ]),
         {:ok, step_tag} <-
           Client.call(
             c,
             "files.tag",
             body: %Tag{path: step_stored.path, label: "stored:#{name}", source: "stored"},
             decode: DownloadReceipt
           ) do
      {:ok, step_tag}
    end
  end

  @doc "Like `publish/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec publish_async(t(), String.t(), String.t(), keyword()) :: Task.t()
  def publish_async(files, name, folder, opts \\ []) do
    Task.async(fn -> publish(files, name, folder, opts) end)
  end

  @doc """
  `GET /files/{path}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec download(t(), String.t(), keyword()) :: result(DownloadReceipt.t())
  def download(files, path, opts \\ []) do
    Client.check_options!(opts, [], "download/3")
    c = Client.handle(files, opts)
    Files.download(%{path: path}, client: c)
  end

  @doc "Like `download/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec download_async(t(), String.t(), keyword()) :: Task.t()
  def download_async(files, path, opts \\ []) do
    Task.async(fn -> download(files, path, opts) end)
  end

  @doc """
  `GET /folders/{folder}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec folder(t(), String.t(), keyword()) :: result(Folder.t())
  def folder(files, folder, opts \\ []) do
    Client.check_options!(opts, [], "folder/3")
    c = Client.handle(files, opts)
    Files.folder(%{folder: folder}, client: c)
  end

  @doc "Like `folder/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec folder_async(t(), String.t(), keyword()) :: Task.t()
  def folder_async(files, folder, opts \\ []) do
    Task.async(fn -> folder(files, folder, opts) end)
  end

  @doc """
  `POST /files/tags`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec tag(t(), String.t(), String.t(), String.t(), keyword()) :: result(DownloadReceipt.t())
  def tag(files, path, label, source, opts \\ []) do
    Client.check_options!(opts, [], "tag/5")
    c = Client.handle(files, opts)
    Files.tag(%Tag{path: path, label: label, source: source}, client: c)
  end

  @doc "Like `tag/5`, in a `Task` (`Task.await/2` gives its result)."
  @spec tag_async(t(), String.t(), String.t(), String.t(), keyword()) :: Task.t()
  def tag_async(files, path, label, source, opts \\ []) do
    Task.async(fn -> tag(files, path, label, source, opts) end)
  end

  @doc """
  `POST /files`

  Answers `{:ok, task}`: the request is sent now, the task polls its result.

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec upload(t(), String.t(), String.t(), keyword()) :: {:ok, Task.t()}
  def upload(files, name, folder, opts \\ []) do
    Client.check_options!(opts, [], "upload/4")
    c = Client.handle(files, opts)
    Files.upload_future(%Upload{name: name, folder: folder}, client: c)
  end

  @doc false
  def __methods__ do
    [
      {:publish, "publish", [{:name, "name", :string}, {:folder, "folder", :string}], [], :sync},
      {:download, "download", [{:path, "path", :string}], [], :sync},
      {:folder, "folder", [{:folder, "folder", :string}], [], :sync},
      {
        :tag,
        "tag",
        [{:path, "path", :string}, {:label, "label", :string}, {:source, "source", :string}],
        [],
        :sync
      },
      {:upload, "upload", [{:name, "name", :string}, {:folder, "folder", :string}], [], :task}
    ]
  end
end
