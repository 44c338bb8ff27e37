# The workload on the generated Elixir SDK (`mix run` in the SDK's directory, compiled by
# bench/sdk_compare.py). argv: CALLS. The same work as real_tinker.py.
[calls] = Enum.map(System.argv(), &String.to_integer/1)

seconds = fn fun ->
  t0 = System.monotonic_time(:microsecond)
  fun.()
  (System.monotonic_time(:microsecond) - t0) / 1_000_000
end

rest = Tinkex.RestClient.new()
{:ok, _} = Tinkex.RestClient.get_server_capabilities(rest)

sequential =
  seconds.(fn ->
    for _ <- 1..calls, do: {:ok, _} = Tinkex.RestClient.get_server_capabilities(rest)
  end)

{:ok, service} = Tinkex.ServiceClient.start_link([])
{:ok, training} = Tinkex.ServiceClient.create_lora_training_client(service, "Qwen/Qwen3-8B")
params = %Tinkex.Types.AdamParams{learning_rate: 1.0e-4}
{:ok, task} = Tinkex.TrainingClient.optim_step(training, params)
{:ok, _} = Task.await(task, :infinity)

in_flight =
  seconds.(fn ->
    1..calls
    |> Enum.map(fn _ ->
      {:ok, task} = Tinkex.TrainingClient.optim_step(training, params)
      task
    end)
    |> Enum.each(fn task -> {:ok, _} = Task.await(task, :infinity) end)
  end)

IO.puts(~s({"sequential_s": #{sequential}, "futures_s": #{in_flight}}))
