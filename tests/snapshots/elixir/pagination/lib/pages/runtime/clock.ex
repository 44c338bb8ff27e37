defmodule Pages.Runtime.Clock do
  @moduledoc false
  # Every wait the SDK makes by the manifest's numbers (backoff, Retry-After, backpressure,
  # heartbeat and telemetry intervals, poll and progress timeouts) goes through here, scaled by
  # `Config.time_scale` (1.0 unless a test makes time run faster). HTTP timeouts of single
  # requests are not scaled.

  alias Pages.Config

  @doc "A manifest duration as real milliseconds for this configuration."
  @spec scaled(Config.t(), number() | nil) :: non_neg_integer() | nil
  def scaled(_config, nil), do: nil
  def scaled(%Config{time_scale: scale}, ms), do: max(round(ms * scale), 0)

  @doc "Sleeps for a manifest duration."
  @spec sleep(Config.t(), number()) :: :ok
  def sleep(config, ms) do
    Process.sleep(scaled(config, ms))
    :ok
  end

  @doc "Sends `message` to `pid` after a manifest duration."
  @spec send_after(Config.t(), pid(), term(), number()) :: reference()
  def send_after(config, pid, message, ms),
    do: Process.send_after(pid, message, scaled(config, ms))

  @doc "Monotonic milliseconds (compare with `scaled/2` durations)."
  @spec now() :: integer()
  def now, do: System.monotonic_time(:millisecond)

  @doc "A uniform random number in [0, 1), for jitter."
  @spec rand() :: float()
  def rand, do: :rand.uniform()
end
