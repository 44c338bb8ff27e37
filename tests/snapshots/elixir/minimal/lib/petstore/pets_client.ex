defmodule Petstore.PetsClient do
  @moduledoc """
  The `pets` client of the petstore API.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Petstore.Error{}}`; one whose result the
  server computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Petstore.API.Pets
  alias Petstore.Config
  alias Petstore.Error
  alias Petstore.Runtime.Client
  alias Petstore.Types.NewPet
  alias Petstore.Types.Pet
  alias Petstore.Types.PetList
  alias Petstore.Types.Species

  defstruct [:config, :context]

  @typedoc "A client: its state and configuration."
  @type t :: %__MODULE__{config: Config.t(), context: term()}

  @typedoc "A call's value, or the error."
  @type result(value) :: {:ok, value} | {:error, Error.t()}

  @doc """
  A client from options: those of `Petstore.Config` (`:api_key`, `:base_url`, ...) or `:config`.
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
  `POST /pets`

  ## Options

    * `:tags` (default: `[]`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec create(t(), String.t(), Species.t(), keyword()) :: result(Pet.t())
  def create(pets, name, species, opts \\ []) do
    Client.check_options!(opts, [:tags], "create/4")
    tags = Keyword.get(opts, :tags, [])
    c = Client.handle(pets, opts)
    Pets.create(%NewPet{name: name, species: species, tags: tags}, client: c)
  end

  @doc "Like `create/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec create_async(t(), String.t(), Species.t(), keyword()) :: Task.t()
  def create_async(pets, name, species, opts \\ []) do
    Task.async(fn -> create(pets, name, species, opts) end)
  end

  @doc """
  Fetch one pet.

  `GET /pets/{pet_id}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec get(t(), String.t(), keyword()) :: result(Pet.t())
  def get(pets, pet_id, opts \\ []) do
    Client.check_options!(opts, [], "get/3")
    c = Client.handle(pets, opts)
    Pets.get(%{pet_id: pet_id}, client: c)
  end

  @doc "Like `get/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec get_async(t(), String.t(), keyword()) :: Task.t()
  def get_async(pets, pet_id, opts \\ []) do
    Task.async(fn -> get(pets, pet_id, opts) end)
  end

  @doc """
  `GET /pets`

  ## Options

    * `:limit` (default: `20`)
    * `:species`
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec list(t(), keyword()) :: result(PetList.t())
  def list(pets, opts \\ []) do
    Client.check_options!(opts, [:limit, :species], "list/2")
    limit = Keyword.get(opts, :limit, 20)
    species = Keyword.get(opts, :species)
    c = Client.handle(pets, opts)
    Pets.list(%{limit: limit, species: species}, client: c)
  end

  @doc "Like `list/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec list_async(t(), keyword()) :: Task.t()
  def list_async(pets, opts \\ []) do
    Task.async(fn -> list(pets, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {
        :create,
        "create",
        [{:name, "name", :string}, {:species, "species", Species}],
        [{:tags, "tags", {:list, :string}}],
        :sync
      },
      {:get, "get", [{:pet_id, "pet_id", :string}], [], :sync},
      {
        :list,
        "list",
        [],
        [{:limit, "limit", :integer}, {:species, "species", {:nullable, Species}}],
        :sync
      }
    ]
  end
end
