"""Train a step and sample with the generated Tinker SDK (`tinkc build --target python`).

Point it at the real service (TINKER_API_KEY, TINKER_BASE_URL) or at a mock of it:

    tinkc mock --port 8080 &
    TINKER_API_KEY=tml-demo TINKER_BASE_URL=http://127.0.0.1:8080 python tinker_demo.py
"""

from __future__ import annotations

from tinker_sdk import ServiceClient
from tinker_sdk.types import AdamParams, Datum, EncodedTextChunk, LoraConfig, LossFnType, ModelInput, SamplingParams


def main() -> None:
    prompt = ModelInput(chunks=[EncodedTextChunk(tokens=[1, 2, 3])])
    with ServiceClient() as service:  # the API key and base URL come from the environment
        # A composite flow: create_model (a server-side future, polled), get_info, a TrainingClient.
        training = service.create_lora_training_client(base_model="Qwen/Qwen3-8B", lora_config=LoraConfig(rank=16))
        print("training client:", training)

        # Future-returning calls submit at once and answer an APIFuture (as the real SDK's sync
        # client does): both requests leave before either result is waited for; .result() waits.
        pending = training.forward_backward(data=[Datum(model_input=prompt)], loss_fn=LossFnType.CROSS_ENTROPY)
        stepping = training.optim_step(adam_params=AdamParams(learning_rate=1e-4))
        output = pending.result()
        print("forward_backward:", output.loss_fn_output_type, f"{len(output.loss_fn_outputs)} output(s)")
        print("optim_step metrics:", stepping.result().metrics)

        # Save the weights for sampling and sample from them.
        sampler = training.save_weights_and_get_sampling_client()
        result = sampler.sample(prompt=prompt, sampling_params=SamplingParams(max_tokens=8), num_samples=2).result()
        for sequence in result.sequences:
            print("sampled:", sequence.tokens, sequence.stop_reason)


if __name__ == "__main__":
    main()
