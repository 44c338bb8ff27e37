defmodule Pages.Application do
  @moduledoc false
  # Starts what the SDK shares: the tables of its telemetry dispatcher and queue-state log, the
  # :httpc profile of its default HTTP adapter and, when the application has Finch, a Finch pool.

  use Application

  alias Pages.Runtime.HTTP.Httpc
  alias Pages.Runtime.Tables

  @finch Pages.Finch
  @supervisor Pages.Supervisor

  @impl true
  def start(_type, _args) do
    :ok = Httpc.start_profile()
    finch = if Code.ensure_loaded?(Finch), do: [{Finch, name: @finch}], else: []
    children = [Tables | finch]
    Supervisor.start_link(children, strategy: :one_for_one, name: @supervisor)
  end
end
