import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { PROGRESS_THRESHOLD_BYTES, hashCounters, hashModel } from '../../src/extension/models/modelHash';
import { activated, uriOf, workspaceFolder } from './testApi';

suite('model hashing', () => {
  const big = 'big-model.bin';
  suiteSetup(async () => {
    await activated();
  });
  suiteTeardown(() => {
    fs.rmSync(path.join(workspaceFolder().uri.fsPath, big), { force: true });
  });

  test('a small model is hashed directly; a SavedModel folder has no hash', async () => {
    const expected = createHash('sha256').update(fs.readFileSync(uriOf('models/iris.pkl').fsPath)).digest('hex');
    assert.strictEqual(await hashModel(uriOf('models/iris.pkl'), 'iris.pkl'), expected);
    assert.strictEqual(await hashModel(uriOf('export/saved_model'), 'saved_model'), undefined);
  });

  test('a big model is streamed (with a progress notification) and the result is cached by size and mtime', async () => {
    const file = path.join(workspaceFolder().uri.fsPath, big);
    const bytes = Buffer.alloc(PROGRESS_THRESHOLD_BYTES + 12345, 7);
    bytes.write('modelship', 1000);
    fs.writeFileSync(file, bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const uri = vscode.Uri.file(file);
    assert.strictEqual(await hashModel(uri, big), expected);
    const reads = hashCounters.reads;
    assert.strictEqual(await hashModel(uri, big), expected);
    assert.strictEqual(hashCounters.reads, reads, 'the second call is answered from the cache');
    bytes.write('changed', 5);
    fs.writeFileSync(file, bytes);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.strictEqual(await hashModel(uri, big), createHash('sha256').update(bytes).digest('hex'), 'a changed file is hashed again');
    assert.strictEqual(hashCounters.reads, reads + 1);
  });
});
