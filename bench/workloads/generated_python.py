"""The workload on the generated Python SDK (installed into its own venv with the dependencies its
pyproject.toml declares). The same work as real_tinker.py, on one of the SDK's two client kinds:

argv: CALLS MODE. MODE `async`: CALLS sequential calls on an AsyncRestClient, then CALLS optim_step
calls gathered at once on an AsyncTrainingClient (one event loop). MODE `sync`: CALLS sequential
calls on a RestClient, then CALLS optim_step calls on a TrainingClient, each answering an APIFuture
at once, all submitted before any result is waited on (the real SDK's workload, line for line).
Prints one JSON line: the seconds of each part."""

import asyncio
import json
import sys
import time

import tinker_sdk as sdk

calls = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "async"


def sync_run() -> dict[str, float]:
    with sdk.RestClient() as rest:
        rest.get_server_capabilities()  # connection and client set-up are not measured
        t0 = time.perf_counter()
        for _ in range(calls):
            rest.get_server_capabilities()
        sequential = time.perf_counter() - t0
    with sdk.ServiceClient() as service:
        training = service.create_lora_training_client(base_model="Qwen/Qwen3-8B")
        params = sdk.types.AdamParams(learning_rate=1e-4)
        training.optim_step(adam_params=params).result()
        t0 = time.perf_counter()
        futures = [training.optim_step(adam_params=params) for _ in range(calls)]
        for future in futures:
            future.result()
        in_flight = time.perf_counter() - t0
    return {"sequential_s": sequential, "futures_s": in_flight}


async def async_run() -> dict[str, float]:
    async with sdk.AsyncRestClient() as rest:
        await rest.get_server_capabilities()
        t0 = time.perf_counter()
        for _ in range(calls):
            await rest.get_server_capabilities()
        sequential = time.perf_counter() - t0
    async with sdk.AsyncServiceClient() as service:
        training = await service.create_lora_training_client(base_model="Qwen/Qwen3-8B")
        params = sdk.types.AdamParams(learning_rate=1e-4)
        await training.optim_step(adam_params=params)
        t0 = time.perf_counter()
        await asyncio.gather(*(training.optim_step(adam_params=params) for _ in range(calls)))
        in_flight = time.perf_counter() - t0
    return {"sequential_s": sequential, "futures_s": in_flight}


if mode not in ("sync", "async"):
    raise SystemExit(f"MODE is sync or async, not {mode!r}")
print(json.dumps(sync_run() if mode == "sync" else asyncio.run(async_run())))
