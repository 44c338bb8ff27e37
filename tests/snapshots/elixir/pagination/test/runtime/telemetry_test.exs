defmodule Pages.TelemetryTest do
  # Telemetry events reach attached handlers (through :telemetry when the application has it,
  # else the built-in dispatcher); a failing handler is detached, never raised into the caller.
  use ExUnit.Case, async: false

  alias Pages.Telemetry

  test "attach, execute, detach" do
    test = self()
    event = [:pages, :test, :event]

    handler = fn name, measurements, metadata, config ->
      send(test, {name, measurements, metadata, config})
    end

    assert :ok = Telemetry.attach("test-handler", event, handler, :cfg)
    assert {:error, :already_exists} = Telemetry.attach("test-handler", event, handler, :cfg)
    Telemetry.execute(event, %{n: 1}, %{m: 2})
    assert_received {^event, %{n: 1}, %{m: 2}, :cfg}
    assert :ok = Telemetry.detach("test-handler")
    Telemetry.execute(event, %{n: 1}, %{m: 2})
    refute_received {^event, _, _, _}
  end

  test "a failing handler does not fail the caller, and is detached" do
    event = [:pages, :test, :failing]
    :ok = Telemetry.attach("failing-handler", event, fn _, _, _, _ -> raise "boom" end, nil)

    log =
      ExUnit.CaptureLog.capture_log(fn ->
        assert :ok = Telemetry.execute(event, %{}, %{})
        assert :ok = Telemetry.execute(event, %{}, %{})
      end)

    assert length(String.split(log, "failing-handler")) == 2
    assert Telemetry.detach("failing-handler") == {:error, :not_found}
  end
end
