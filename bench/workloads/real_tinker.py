"""The workload on the real tinker 0.38 SDK (run by bench/sdk_compare.py in the bench venv).

argv: CALLS. Server and key from TINKER_BASE_URL / TINKER_API_KEY. Prints one JSON line: the
seconds of CALLS sequential REST calls and of CALLS optim_step futures in flight at once."""

import json
import sys
import time
import warnings

import tinker

warnings.simplefilter("ignore")  # the deprecation notices of the 0.38 surface are not measured
calls = int(sys.argv[1])
rest = tinker.RestClient()
rest.get_server_capabilities().result()  # connection and client set-up are not measured
t0 = time.perf_counter()
for _ in range(calls):
    rest.get_server_capabilities().result()
sequential = time.perf_counter() - t0

service = tinker.ServiceClient()
training = service.create_lora_training_client(base_model="Qwen/Qwen3-8B")
params = tinker.types.AdamParams(learning_rate=1e-4)
training.optim_step(params).result()
t0 = time.perf_counter()
futures = [training.optim_step(params) for _ in range(calls)]
for future in futures:
    future.result()
in_flight = time.perf_counter() - t0
print(json.dumps({"sequential_s": sequential, "futures_s": in_flight}))
