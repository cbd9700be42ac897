// A long-lived builder for bench/build.mjs, as the extension is: one engine connection, dockerode
// loaded once, then one build through the Engine API per line on stdin ("legacy|buildkit nocache?"),
// answering each with the milliseconds it took.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readShipTarget } from '../src/core/ship';
import { buildImage } from '../src/docker/build';
import { connectEngine } from '../src/docker/engine';

const [dir, tag] = process.argv.slice(2) as [string, string];

async function main(): Promise<void> {
  const engine = await connectEngine();
  const target = readShipTarget(readFileSync(`${dir}/Dockerfile`, 'utf8'), 'Dockerfile', tag);
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [builder, noCache] = line.trim().split(' ');
    const started = performance.now();
    const result = await buildImage(engine, { projectDir: dir, target, builder: builder as 'legacy' | 'buildkit', noCache: noCache === 'nocache' });
    process.stdout.write(`${performance.now() - started} ${result.bytesRead} ${result.contextBytes}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
