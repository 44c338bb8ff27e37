defmodule Pages.PetsClient do
  @moduledoc """
  The `pets` client of the pages API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Pages.Error{}}`; one whose result the server
  computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Pages.API.Pets
  alias Pages.Config
  alias Pages.Error
  alias Pages.Runtime.Client
  alias Pages.Types.LinkedPage
  alias Pages.Types.OffsetPage
  alias Pages.Types.PetPage
  alias Pages.Types.PetSearch
  alias Pages.Types.SearchCursor
  alias Pages.Types.SearchPage

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Pages.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  def with_options(pets, request_options), do: Client.with_options(pets, request_options)

  @doc """
  Pets by the next page's URL.

  `GET /pets/browse`

  ## Options

    * `:species`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec browse(t(), keyword()) :: result(LinkedPage.t())
  def browse(pets, opts \\ []) do
    Client.check_options!(opts, [:species], "browse/2")
    species = Keyword.get(opts, :species)
    c = Client.handle(pets, opts)
    Pets.browse(%{species: species}, client: c)
  end

  @doc "Like `browse/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec browse_async(t(), keyword()) :: Task.t()
  def browse_async(pets, opts \\ []) do
    Task.async(fn -> browse(pets, opts) end)
  end

  @doc """
  The pages of `browse/2`, one after the other, as a lazy `Stream`: a request is sent when the
  stream needs the next page. Takes the arguments and options of `browse/2`; a page that fails
  raises the `Pages.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec browse_iter_pages(t(), keyword()) :: Enumerable.t()
  def browse_iter_pages(pets, opts \\ []) do
    Client.check_options!(opts, [:species], "browse/2")
    species = Keyword.get(opts, :species)
    c = Client.handle(pets, opts)

    Client.pages(
      c,
      "pets.browse",
      query: %{"species" => species},
      decode: LinkedPage,
      paging: %{style: :next_url, next_field: ["links", "next"]},
      items: & &1.pets
    )
  end

  @doc """
  The items of every page of `browse/2`, in order, as a lazy `Stream` (see `browse_iter_pages/2`).
  """
  @spec browse_iter(t(), keyword()) :: Enumerable.t()
  def browse_iter(pets, opts \\ []) do
    browse_iter_pages(pets, opts) |> Stream.flat_map(& &1.pets)
  end

  @doc """
  Pets by offset.

  `GET /pets`

  ## Options

    * `:limit` (default: `2`)
    * `:offset` (default: `0`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list(t(), keyword()) :: result(OffsetPage.t())
  def list(pets, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset], "list/2")
    limit = Keyword.get(opts, :limit, 2)
    offset = Keyword.get(opts, :offset, 0)
    c = Client.handle(pets, opts)
    Pets.list(%{limit: limit, offset: offset}, client: c)
  end

  @doc "Like `list/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_async(t(), keyword()) :: Task.t()
  def list_async(pets, opts \\ []) do
    Task.async(fn -> list(pets, opts) end)
  end

  @doc """
  The pages of `list/2`, one after the other, as a lazy `Stream`: a request is sent when the
  stream needs the next page. Takes the arguments and options of `list/2`; a page that fails
  raises the `Pages.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec list_iter_pages(t(), keyword()) :: Enumerable.t()
  def list_iter_pages(pets, opts \\ []) do
    Client.check_options!(opts, [:limit, :offset], "list/2")
    limit = Keyword.get(opts, :limit, 2)
    offset = Keyword.get(opts, :offset, 0)
    c = Client.handle(pets, opts)

    Client.pages(
      c,
      "pets.list",
      query: %{"limit" => limit, "offset" => offset},
      decode: OffsetPage,
      paging: %{
        style: :limit_offset,
        limit: {:query, "limit"},
        offset: {:query, "offset"},
        total: ["meta", "total"]
      },
      items: & &1.pets
    )
  end

  @doc """
  The items of every page of `list/2`, in order, as a lazy `Stream` (see `list_iter_pages/2`).
  """
  @spec list_iter(t(), keyword()) :: Enumerable.t()
  def list_iter(pets, opts \\ []) do
    list_iter_pages(pets, opts) |> Stream.flat_map(& &1.pets)
  end

  @doc """
  Pets by a cursor the server sends in a header.

  `GET /pets/scan`

  ## Options

    * `:after_`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec scan(t(), keyword()) :: result(PetPage.t())
  def scan(pets, opts \\ []) do
    Client.check_options!(opts, [:after_], "scan/2")
    after_ = Keyword.get(opts, :after_)
    c = Client.handle(pets, opts)
    Pets.scan(%{after: after_}, client: c)
  end

  @doc "Like `scan/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec scan_async(t(), keyword()) :: Task.t()
  def scan_async(pets, opts \\ []) do
    Task.async(fn -> scan(pets, opts) end)
  end

  @doc """
  The pages of `scan/2`, one after the other, as a lazy `Stream`: a request is sent when the
  stream needs the next page. Takes the arguments and options of `scan/2`; a page that fails
  raises the `Pages.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec scan_iter_pages(t(), keyword()) :: Enumerable.t()
  def scan_iter_pages(pets, opts \\ []) do
    Client.check_options!(opts, [:after_], "scan/2")
    after_ = Keyword.get(opts, :after_)
    c = Client.handle(pets, opts)

    Client.pages(
      c,
      "pets.scan",
      query: %{"after" => after_},
      decode: PetPage,
      paging: %{style: :cursor, cursor: {:query, "after"}, next_header: "X-Next-Cursor"},
      items: & &1.pets
    )
  end

  @doc """
  The items of every page of `scan/2`, in order, as a lazy `Stream` (see `scan_iter_pages/2`).
  """
  @spec scan_iter(t(), keyword()) :: Enumerable.t()
  def scan_iter(pets, opts \\ []) do
    scan_iter_pages(pets, opts) |> Stream.flat_map(& &1.pets)
  end

  @doc """
  Pets by a cursor object the server sends in the body.

  `POST /pets/search`

  ## Options

    * `:name`
    * `:cursor`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec search(t(), keyword()) :: result(SearchPage.t())
  def search(pets, opts \\ []) do
    Client.check_options!(opts, [:name, :cursor], "search/2")
    name = Keyword.get(opts, :name)
    cursor = Keyword.get(opts, :cursor)
    c = Client.handle(pets, opts)
    Pets.search(%PetSearch{name: name, cursor: cursor}, client: c)
  end

  @doc "Like `search/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec search_async(t(), keyword()) :: Task.t()
  def search_async(pets, opts \\ []) do
    Task.async(fn -> search(pets, opts) end)
  end

  @doc """
  The pages of `search/2`, one after the other, as a lazy `Stream`: a request is sent when the
  stream needs the next page. Takes the arguments and options of `search/2`; a page that fails
  raises the `Pages.Error` (a repeating cursor is a `:pagination` error).
  """
  @spec search_iter_pages(t(), keyword()) :: Enumerable.t()
  def search_iter_pages(pets, opts \\ []) do
    Client.check_options!(opts, [:name, :cursor], "search/2")
    name = Keyword.get(opts, :name)
    cursor = Keyword.get(opts, :cursor)
    c = Client.handle(pets, opts)

    Client.pages(
      c,
      "pets.search",
      body: %PetSearch{name: name, cursor: cursor},
      decode: SearchPage,
      paging: %{style: :cursor, cursor: {:body, "cursor"}, next_field: ["next"]},
      items: & &1.pets
    )
  end

  @doc """
  The items of every page of `search/2`, in order, as a lazy `Stream` (see `search_iter_pages/2`).
  """
  @spec search_iter(t(), keyword()) :: Enumerable.t()
  def search_iter(pets, opts \\ []) do
    search_iter_pages(pets, opts) |> Stream.flat_map(& &1.pets)
  end

  @doc false
  def __methods__ do
    [
      {:browse, "browse", [], [{:species, "species", :string}], :sync},
      {:list, "list", [], [{:limit, "limit", :integer}, {:offset, "offset", :integer}], :sync},
      {:scan, "scan", [], [{:after_, "after", :string}], :sync},
      {
        :search,
        "search",
        [],
        [{:name, "name", :string}, {:cursor, "cursor", {:nullable, SearchCursor}}],
        :sync
      }
    ]
  end
end
