defmodule Shapes.Client do
  @moduledoc """
  The `shapes` client of the shapes API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Shapes.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Shapes.Config
  alias Shapes.Error
  alias Shapes.Runtime.Client
  alias Shapes.Types.Document
  alias Shapes.Types.DocumentId
  alias Shapes.Types.Kind
  alias Shapes.Types.Shape

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Shapes.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  def with_options(shapes, request_options), do: Client.with_options(shapes, request_options)

  @doc """
  Answers the document it was sent.

  `POST /echo`

  ## Options

    * `:subtitle` - Nullable but required (send null).
    * `:summary` - Optional, never null.
    * `:note`
    * `:attributes` (default: `{}`)
    * `:scores`
    * `:format` (default: `"svg"`)
    * `:thumbnail`
    * `:published_on`
    * `:revision` (default: `1`)
    * `:ratio` (default: `0.5`)
    * `:extra`
    * `:class` - A name that is a keyword in Python. (default: `"plain"`)
    * `:end_` - A keyword in Elixir.
    * `:default` - A keyword in TypeScript. (default: `false`)
    * `:legacy_id`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec echo(
          t(),
          DocumentId.t(),
          Kind.t(),
          String.t(),
          [Shape.t()],
          DateTime.t() | NaiveDateTime.t(),
          keyword()
        ) :: result(Document.t())
  def echo(shapes_client, id, kind, title, shapes, updated_at, opts \\ []) do
    Client.check_options!(
      opts,
      [
        :subtitle,
        :summary,
        :note,
        :attributes,
        :scores,
        :format,
        :thumbnail,
        :published_on,
        :revision,
        :ratio,
        :extra,
        :class,
        :end_,
        :default,
        :legacy_id
      ],
      "echo/7"
    )

    subtitle = Keyword.get(opts, :subtitle)
    summary = Keyword.get(opts, :summary)
    note = Keyword.get(opts, :note)
    attributes = Keyword.get(opts, :attributes, %{})
    scores = Keyword.get(opts, :scores)
    format = Keyword.get(opts, :format, "svg")
    thumbnail = Keyword.get(opts, :thumbnail)
    published_on = Keyword.get(opts, :published_on)
    revision = Keyword.get(opts, :revision, 1)
    ratio = Keyword.get(opts, :ratio, 0.5)
    extra = Keyword.get(opts, :extra)
    class = Keyword.get(opts, :class, "plain")
    end_ = Keyword.get(opts, :end_)
    default = Keyword.get(opts, :default, false)
    legacy_id = Keyword.get(opts, :legacy_id)
    c = Client.handle(shapes_client, opts)

    Shapes.API.Shapes.echo(
      %Document{
        id: id,
        kind: kind,
        title: title,
        subtitle: subtitle,
        summary: summary,
        note: note,
        shapes: shapes,
        attributes: attributes,
        scores: scores,
        format: format,
        thumbnail: thumbnail,
        published_on: published_on,
        updated_at: updated_at,
        revision: revision,
        ratio: ratio,
        extra: extra,
        class: class,
        end: end_,
        default: default,
        legacy_id: legacy_id
      },
      client: c
    )
  end

  @doc "Like `echo/7`, in a `Task` (`Task.await/2` gives its result)."
  @spec echo_async(
          t(),
          DocumentId.t(),
          Kind.t(),
          String.t(),
          [Shape.t()],
          DateTime.t() | NaiveDateTime.t(),
          keyword()
        ) :: Task.t()
  def echo_async(shapes_client, id, kind, title, shapes, updated_at, opts \\ []) do
    Task.async(fn -> echo(shapes_client, id, kind, title, shapes, updated_at, opts) end)
  end

  @doc """
  `GET /documents/{document_id}`

  ## Options

    * `:kind` (default: `"draft"`)
    * `:include`
    * `:strict` (default: `true`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get(t(), String.t(), keyword()) :: result(Document.t())
  def get(shapes, document_id, opts \\ []) do
    Client.check_options!(opts, [:kind, :include, :strict], "get/3")
    kind = Keyword.get(opts, :kind, :draft)
    include = Keyword.get(opts, :include)
    strict = Keyword.get(opts, :strict, true)
    c = Client.handle(shapes, opts)

    Shapes.API.Shapes.get(
      %{document_id: document_id, kind: kind, include: include, strict: strict},
      client: c
    )
  end

  @doc "Like `get/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_async(t(), String.t(), keyword()) :: Task.t()
  def get_async(shapes, document_id, opts \\ []) do
    Task.async(fn -> get(shapes, document_id, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {
        :echo,
        "echo",
        [
          {:id, "id", DocumentId},
          {:kind, "kind", Kind},
          {:title, "title", :string},
          {:shapes, "shapes", {:list, Shape}},
          {:updated_at, "updated_at", :datetime}
        ],
        [
          {:subtitle, "subtitle", {:nullable, :string}},
          {:summary, "summary", :string},
          {:note, "note", {:nullable, :string}},
          {:attributes, "attributes", {:map, {:one_of, [:string, :integer, :boolean]}}},
          {:scores, "scores", {:nullable, {:map, :float}}},
          {
            :format,
            "format",
            {:one_of, [{:literal, "png"}, {:literal, "svg"}, {:literal, "pdf"}]}
          },
          {:thumbnail, "thumbnail", {:nullable, :bytes}},
          {:published_on, "published_on", {:nullable, :date}},
          {:revision, "revision", :integer},
          {:ratio, "ratio", :float},
          {:extra, "extra", :any},
          {:class, "class", :string},
          {:end_, "end", {:nullable, :integer}},
          {:default, "default", :boolean},
          {:legacy_id, "legacy_id", :string}
        ],
        :sync
      },
      {
        :get,
        "get",
        [{:document_id, "document_id", :string}],
        [
          {:kind, "kind", Kind},
          {:include, "include", {:nullable, {:list, :string}}},
          {:strict, "strict", :boolean}
        ],
        :sync
      }
    ]
  end
end
