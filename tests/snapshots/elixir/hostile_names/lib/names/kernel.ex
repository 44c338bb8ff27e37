defmodule Names.Kernel do
  @moduledoc """
  A client whose module is named like Elixir's `Kernel`.

  A struct: `new/1` makes one from a configuration.

  Every function answers `{:ok, value}` or `{:error, %Names.Error{}}`; one whose result the server
  computes later answers `{:ok, task}` (`Task.await/2` gives the result).
  """

  alias Names.Config
  alias Names.Error
  alias Names.Runtime.Client
  alias Names.Types.Any
  alias Names.Types.BaseModel
  alias Names.Types.Field
  alias Names.Types.Object
  alias Names.Types.Optional
  alias Names.Types.Promise
  alias Names.Types.WireModel

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
  def with_options(kernel, request_options), do: Client.with_options(kernel, request_options)

  @doc """
  `POST /class`

  ## Options

    * `:fn_` (default: `1`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec class(t(), String.t(), String.t(), keyword()) :: result(Names.Types.String.t())
  def class(kernel, end_, class, opts \\ []) do
    Client.check_options!(opts, [:fn_], "class/4")
    fn_ = Keyword.get(opts, :fn_, 1)
    c = Client.handle(kernel, opts)
    Names.API.Names.class(%{end: end_, class: class, fn: fn_}, client: c)
  end

  @doc "Like `class/4`, in a `Task` (`Task.await/2` gives its result)."
  @spec class_async(t(), String.t(), String.t(), keyword()) :: Task.t()
  def class_async(kernel, end_, class, opts \\ []) do
    Task.async(fn -> class(kernel, end_, class, opts) end)
  end

  @doc """
  `GET /def`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec def_(t(), keyword()) :: result(Names.Types.Error.t())
  def def_(kernel, opts \\ []) do
    Client.check_options!(opts, [], "def_/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.def_(client: c)
  end

  @doc "Like `def_/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec def__async(t(), keyword()) :: Task.t()
  def def__async(kernel, opts \\ []) do
    Task.async(fn -> def_(kernel, opts) end)
  end

  @doc """
  `GET /end`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec end_(t(), keyword()) :: result(Names.Types.Kernel.t())
  def end_(kernel, opts \\ []) do
    Client.check_options!(opts, [], "end_/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.end_(client: c)
  end

  @doc "Like `end_/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec end__async(t(), keyword()) :: Task.t()
  def end__async(kernel, opts \\ []) do
    Task.async(fn -> end_(kernel, opts) end)
  end

  @doc """
  `GET /fn/{self}`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec fn_(t(), String.t(), keyword()) :: result(Promise.t())
  def fn_(kernel, self, opts \\ []) do
    Client.check_options!(opts, [], "fn_/3")
    c = Client.handle(kernel, opts)
    Names.API.Names.fn_(%{self: self}, client: c)
  end

  @doc "Like `fn_/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec fn__async(t(), String.t(), keyword()) :: Task.t()
  def fn__async(kernel, self, opts \\ []) do
    Task.async(fn -> fn_(kernel, self, opts) end)
  end

  @doc """
  `GET /nil`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec nil_(t(), keyword()) :: result(Names.Types.Map.t())
  def nil_(kernel, opts \\ []) do
    Client.check_options!(opts, [], "nil_/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.nil_(client: c)
  end

  @doc "Like `nil_/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec nil__async(t(), keyword()) :: Task.t()
  def nil__async(kernel, opts \\ []) do
    Task.async(fn -> nil_(kernel, opts) end)
  end

  @doc """
  `GET /async`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec async(t(), keyword()) :: result(Names.Types.List.t())
  def async(kernel, opts \\ []) do
    Client.check_options!(opts, [], "async/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.async(client: c)
  end

  @doc "Like `async/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec async_async(t(), keyword()) :: Task.t()
  def async_async(kernel, opts \\ []) do
    Task.async(fn -> async(kernel, opts) end)
  end

  @doc """
  `GET /await`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec await(t(), keyword()) :: result(Names.Types.Enum.t())
  def await(kernel, opts \\ []) do
    Client.check_options!(opts, [], "await/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.await(client: c)
  end

  @doc "Like `await/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec await_async(t(), keyword()) :: Task.t()
  def await_async(kernel, opts \\ []) do
    Task.async(fn -> await(kernel, opts) end)
  end

  @doc """
  `GET /self`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec self_(t(), keyword()) :: result(Any.t())
  def self_(kernel, opts \\ []) do
    Client.check_options!(opts, [], "self_/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.self(client: c)
  end

  @doc "Like `self_/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec self__async(t(), keyword()) :: Task.t()
  def self__async(kernel, opts \\ []) do
    Task.async(fn -> self_(kernel, opts) end)
  end

  @doc """
  `GET /none`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec none(t(), keyword()) :: result(Optional.t())
  def none(kernel, opts \\ []) do
    Client.check_options!(opts, [], "none/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.none(client: c)
  end

  @doc "Like `none/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec none_async(t(), keyword()) :: Task.t()
  def none_async(kernel, opts \\ []) do
    Task.async(fn -> none(kernel, opts) end)
  end

  @doc """
  `GET /constructor`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec constructor(t(), keyword()) :: result(BaseModel.t())
  def constructor(kernel, opts \\ []) do
    Client.check_options!(opts, [], "constructor/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.constructor(client: c)
  end

  @doc "Like `constructor/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec constructor_async(t(), keyword()) :: Task.t()
  def constructor_async(kernel, opts \\ []) do
    Task.async(fn -> constructor(kernel, opts) end)
  end

  @doc """
  `GET /proto`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec __proto__(t(), keyword()) :: result(WireModel.t())
  def __proto__(kernel, opts \\ []) do
    Client.check_options!(opts, [], "__proto__/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.proto(client: c)
  end

  @doc "Like `__proto__/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec __proto___async(t(), keyword()) :: Task.t()
  def __proto___async(kernel, opts \\ []) do
    Task.async(fn -> __proto__(kernel, opts) end)
  end

  @doc """
  `GET /type`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec type(t(), keyword()) :: result(Field.t())
  def type(kernel, opts \\ []) do
    Client.check_options!(opts, [], "type/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.type(client: c)
  end

  @doc "Like `type/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec type_async(t(), keyword()) :: Task.t()
  def type_async(kernel, opts \\ []) do
    Task.async(fn -> type(kernel, opts) end)
  end

  @doc """
  `GET /default`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec default(t(), keyword()) :: result(Names.Types.Record.t())
  def default(kernel, opts \\ []) do
    Client.check_options!(opts, [], "default/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.default(client: c)
  end

  @doc "Like `default/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec default_async(t(), keyword()) :: Task.t()
  def default_async(kernel, opts \\ []) do
    Task.async(fn -> default(kernel, opts) end)
  end

  @doc """
  `GET /then`

  ## Options

    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec then_(t(), keyword()) :: result(Names.Types.Date.t())
  def then_(kernel, opts \\ []) do
    Client.check_options!(opts, [], "then_/2")
    c = Client.handle(kernel, opts)
    Names.API.Names.then(client: c)
  end

  @doc "Like `then_/2`, in a `Task` (`Task.await/2` gives its result)."
  @spec then__async(t(), keyword()) :: Task.t()
  def then__async(kernel, opts \\ []) do
    Task.async(fn -> then_(kernel, opts) end)
  end

  @doc """
  A flow named `do`, with inputs named like keywords.

  ## Options

    * `:class` (default: `"x"`)
    * `:timeout` - the HTTP timeout of this call's requests, in milliseconds
    * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`
  """
  @spec do_(t(), String.t(), keyword()) :: result(Names.Types.String.t())
  def do_(kernel, end_, opts \\ []) do
    Client.check_options!(opts, [:class], "do_/3")
    class = Keyword.get(opts, :class, "x")
    c = Client.handle(kernel, opts)

    Client.call(
      c,
      "names.class",
      query: %{"fn" => 1},
      body: %Object{end: end_, class: class},
      decode: Names.Types.String
    )
  end

  @doc "Like `do_/3`, in a `Task` (`Task.await/2` gives its result)."
  @spec do__async(t(), String.t(), keyword()) :: Task.t()
  def do__async(kernel, end_, opts \\ []) do
    Task.async(fn -> do_(kernel, end_, opts) end)
  end

  @doc false
  def __methods__ do
    [
      {
        :class,
        "class",
        [{:end_, "end", :string}, {:class, "class", :string}],
        [{:fn_, "fn", :integer}],
        :sync
      },
      {:def_, "def", [], [], :sync},
      {:end_, "end", [], [], :sync},
      {:fn_, "fn", [{:self, "self", :string}], [], :sync},
      {:nil_, "nil", [], [], :sync},
      {:async, "async", [], [], :sync},
      {:await, "await", [], [], :sync},
      {:self_, "self", [], [], :sync},
      {:none, "None", [], [], :sync},
      {:constructor, "constructor", [], [], :sync},
      {:__proto__, "__proto__", [], [], :sync},
      {:type, "type", [], [], :sync},
      {:default, "default", [], [], :sync},
      {:then_, "then", [], [], :sync},
      {:do_, "do", [{:end_, "end", :string}], [{:class, "class", :string}], :sync}
    ]
  end
end
