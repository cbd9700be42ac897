// Generates a realistic 50k-file ML repository: source, notebooks, configs, a data folder of CSVs
// and images, a node_modules and a .venv (both excluded by default), and large files named like
// models (sparse, so the tree costs no disk) among real small model files.
import { mkdirSync, writeFileSync, openSync, ftruncateSync, closeSync, existsSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_KINDS = [
  ['py', (i) => `import numpy as np\n\ndef f${i}(x):\n    return np.asarray(x) * ${i}\n`],
  ['md', (i) => `# Notes ${i}\n\nSome text.\n`],
  ['json', (i) => JSON.stringify({ run: i, lr: 0.001 * i })],
  ['yaml', (i) => `run: ${i}\nlr: 0.001\n`],
  ['csv', (i) => `a,b,c\n${i},${i + 1},${i + 2}\n`],
  ['txt', (i) => `log line ${i}\n`],
  ['png', () => '\x89PNG\r\n\x1a\n'],
  ['ipynb', () => '{"cells": []}'],
  ['sh', () => '#!/bin/sh\necho hi\n'],
];

/** Creates the tree under `root` (idempotent: a marker file says it is complete). */
export function generateTree(root, { files = 50_000, largeModels = 40, largeBytes = 2 * 1024 ** 3, fixtures } = {}) {
  const marker = join(root, '.bench-complete');
  if (existsSync(marker)) return root;
  mkdirSync(root, { recursive: true });
  let made = 0;
  const perDir = 10;
  let dirIndex = 0;
  const write = (path, content) => {
    writeFileSync(path, content);
    made++;
  };
  // Excluded folders hold a tenth of the files, as real repositories' dependency folders do.
  for (const excluded of ['node_modules/pkg', '.venv/lib/python3.11/site-packages/mod', '.git/objects/ab']) {
    const dir = join(root, excluded);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < files / 30; i++) write(join(dir, `f${i}.js`), 'x');
  }
  for (let i = 0; i < largeModels; i++) {
    const dir = join(root, 'checkpoints', `run${i}`);
    mkdirSync(dir, { recursive: true });
    const names = ['model.pt', 'weights.bin', 'model.safetensors', 'model.onnx', 'clf.pkl', 'model.gguf', 'model.h5', 'booster.json'];
    const path = join(dir, names[i % names.length]);
    const fd = openSync(path, 'w');
    ftruncateSync(fd, largeBytes);
    closeSync(fd);
    made++;
  }
  if (fixtures && existsSync(fixtures)) {
    const dir = join(root, 'models');
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(fixtures)) {
      if (/\.(py|md|json)$/.test(name) && name !== 'xgb_model.json') continue;
      try {
        copyFileSync(join(fixtures, name), join(dir, name));
        made++;
      } catch {
        // Sub-directories (SavedModel, shards) are skipped: single files are enough here.
      }
    }
  }
  while (made < files) {
    const dir = join(root, 'src', `pkg${Math.floor(dirIndex / 20)}`, `mod${dirIndex}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perDir && made < files; i++) {
      const [ext, body] = SOURCE_KINDS[(dirIndex * perDir + i) % SOURCE_KINDS.length];
      write(join(dir, `file${i}.${ext}`), body(i));
    }
    dirIndex++;
  }
  writeFileSync(marker, String(made));
  return root;
}
