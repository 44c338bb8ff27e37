defmodule Petstore.Runtime.Retry do
  @moduledoc false
  # Retry decisions: pure functions of the manifest's retry_policy and retry_handler, so they are
  # tested without a clock or a server.

  alias Petstore.Runtime.RetryPolicy

  @doc "Is `status` one the policy retries?"
  @spec retries_status?(RetryPolicy.t() | nil, pos_integer()) :: boolean()
  def retries_status?(nil, _status), do: false
  def retries_status?(%RetryPolicy{statuses: ranges}, status), do: in_ranges?(ranges, status)

  @doc """
  Whether a response is retried (retries left aside): the policy's `should_retry_header`, when the
  response says `true` or `false` there, else its status.
  """
  @spec retries_response?(RetryPolicy.t(), non_neg_integer(), [{String.t(), String.t()}]) ::
          boolean()
  def retries_response?(%RetryPolicy{should_retry_header: nil} = policy, status, _headers),
    do: retries_status?(policy, status)

  def retries_response?(%RetryPolicy{should_retry_header: name} = policy, status, headers) do
    wanted = String.downcase(name)

    case Enum.find_value(headers, fn {k, v} -> if String.downcase(k) == wanted, do: v end) do
      "true" -> true
      "false" -> false
      _ -> retries_status?(policy, status)
    end
  end

  @doc "Is `status` in one of the inclusive ranges?"
  @spec in_ranges?([{pos_integer(), pos_integer()}], pos_integer()) :: boolean()
  def in_ranges?(ranges, status), do: Enum.any?(ranges, fn {lo, hi} -> status in lo..hi end)

  @doc """
  Delay before retry number `retry` (0-based): `min(base * 2^retry, max)`, minus up to `jitter` of
  it (`rand` in [0, 1)).
  """
  @spec backoff(non_neg_integer(), non_neg_integer(), non_neg_integer(), float(), float()) ::
          non_neg_integer()
  def backoff(retry, base_ms, max_ms, jitter, rand) do
    delay = min(base_ms * :math.pow(2, retry), max_ms)
    round(delay * (1 - jitter * rand))
  end

  @doc "The policy's delay: the server's Retry-After when in bounds, else the backoff."
  @spec delay(RetryPolicy.t(), non_neg_integer(), float(), [{String.t(), String.t()}]) ::
          non_neg_integer()
  def delay(%RetryPolicy{} = policy, retry, rand, headers) do
    case retry_after_ms(headers, policy.retry_after_max_ms) do
      nil -> backoff(retry, policy.base_ms, policy.max_ms, policy.jitter, rand)
      hinted -> hinted
    end
  end

  @doc """
  Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date), when between 0
  and `max_ms` (nil: no upper bound); else nil.
  """
  @spec retry_after_ms([{String.t(), String.t()}], non_neg_integer() | nil, integer() | nil) ::
          non_neg_integer() | nil
  def retry_after_ms(headers, max_ms, now_s \\ nil) do
    lowered = Map.new(headers, fn {k, v} -> {String.downcase(k), String.trim(v)} end)

    ms =
      cond do
        Map.has_key?(lowered, "retry-after-ms") -> parse_number(lowered["retry-after-ms"], 1)
        Map.has_key?(lowered, "retry-after") -> seconds(lowered["retry-after"], now_s)
        true -> nil
      end

    if is_number(ms) and ms >= 0 and (max_ms == nil or ms <= max_ms), do: round(ms), else: nil
  end

  defp seconds(raw, now_s) do
    case parse_number(raw, 1000) do
      nil -> http_date_ms(raw, now_s)
      ms -> ms
    end
  end

  defp parse_number(raw, factor) do
    case Float.parse(raw) do
      {value, ""} -> value * factor
      _ -> nil
    end
  end

  # An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) as milliseconds from now.
  defp http_date_ms(raw, now_s) do
    case :httpd_util.convert_request_date(String.to_charlist(raw)) do
      :bad_date ->
        nil

      datetime ->
        at = :calendar.datetime_to_gregorian_seconds(datetime) - 62_167_219_200
        (at - (now_s || System.os_time(:second))) * 1000
    end
  end
end
