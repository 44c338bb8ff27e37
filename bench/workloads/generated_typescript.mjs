// The workload on the generated TypeScript SDK, compiled to dist/ by bench/sdk_compare.py.
// argv: SDK_DIST_INDEX CALLS. The same work as real_tinker.py.
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.argv[2]).href);
const calls = Number(process.argv[3]);

const rest = new sdk.RestClient();
await rest.getServerCapabilities();
let t0 = performance.now();
for (let i = 0; i < calls; i++) await rest.getServerCapabilities();
const sequential = (performance.now() - t0) / 1000;
await rest.close();

const service = new sdk.ServiceClient();
const training = await service.createLoraTrainingClient({ base_model: "Qwen/Qwen3-8B" });
const params = { learning_rate: 1e-4 };
await training.optimStep({ adam_params: params });
t0 = performance.now();
await Promise.all(Array.from({ length: calls }, () => training.optimStep({ adam_params: params })));
const inFlight = (performance.now() - t0) / 1000;
await service.close();
console.log(JSON.stringify({ sequential_s: sequential, futures_s: inFlight }));
