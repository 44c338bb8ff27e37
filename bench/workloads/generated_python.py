"""The workload on the generated Python SDK (installed into its own venv with the dependencies its
pyproject.toml declares). The same work as real_tinker.py: sequential calls on the sync client,
then CALLS optim_step calls in flight at once on the async client (one event loop, as the real SDK
runs its futures)."""

import asyncio
import json
import sys
import time

import tinker_sdk as sdk

calls = int(sys.argv[1])
with sdk.RestClient() as rest:
    rest.get_server_capabilities()
    t0 = time.perf_counter()
    for _ in range(calls):
        rest.get_server_capabilities()
    sequential = time.perf_counter() - t0


async def in_flight() -> float:
    async with sdk.AsyncServiceClient() as service:
        training = await service.create_lora_training_client(base_model="Qwen/Qwen3-8B")
        params = sdk.types.AdamParams(learning_rate=1e-4)
        await training.optim_step(adam_params=params)
        t0 = time.perf_counter()
        await asyncio.gather(*(training.optim_step(adam_params=params) for _ in range(calls)))
        return time.perf_counter() - t0


print(json.dumps({"sequential_s": sequential, "futures_s": asyncio.run(in_flight())}))
