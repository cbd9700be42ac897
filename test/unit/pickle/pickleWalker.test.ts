// The resumable walker: any split of the stream gives the one-shot answer, payloads are stepped
// over by offset (seek), and only the current opcode's kept bytes are ever held between chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { CARRY_MAX, PickleWalker, type PickleWalk, type WalkOptions } from '../../../src/core/pickle/pickleWalker';
import { walkPickle } from '../../../src/core/pickle/walkPickle';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));
const MODELS = join(__dirname, '../../fixtures/models');
const HOSTILE = join(__dirname, '../../fixtures/lint/pickles');

function streams(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const name of ['sklearn_logreg_p0.pkl', 'sklearn_pipeline_p4.pkl', 'sklearn_pipeline.joblib', 'torch_legacy.pth', 'pandas_df.pkl']) {
    out.push([name, new Uint8Array(readFileSync(join(MODELS, name)))]);
  }
  out.push(['sklearn_pipeline_zlib.joblib (inflated)', new Uint8Array(inflateSync(readFileSync(join(MODELS, 'sklearn_pipeline_zlib.joblib'))))]);
  for (const name of readdirSync(HOSTILE).filter((n) => /\.(pkl|joblib)$/.test(n) && !n.includes('zlib'))) {
    out.push([name, new Uint8Array(readFileSync(join(HOSTILE, name)))]);
  }
  return out;
}

function walkSplit(bytes: Uint8Array, cuts: number[], options: WalkOptions): PickleWalk {
  const walker = new PickleWalker(options);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    walker.write(bytes.subarray(at, cut));
    at = cut;
  }
  return walker.end();
}

test('a stream cut in two at every offset walks exactly as in one piece', () => {
  for (const [name, bytes] of streams()) {
    for (const options of [{ concatenated: true }, {}]) {
      const whole = walkPickle(bytes, options);
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(walkSplit(bytes, [cut], options), whole, `${name} cut at ${cut}`);
      }
    }
  }
});

test('byte-by-byte writes give the one-shot walk', () => {
  for (const [name, bytes] of streams()) {
    const cuts = Array.from({ length: bytes.length }, (_, i) => i);
    assert.deepEqual(walkSplit(bytes, cuts, { concatenated: true }), walkPickle(bytes, { concatenated: true }), name);
  }
});

test('BINBYTES8 payloads are stepped over: needOffset points past them and seek skips them unread', () => {
  const size = 5_000_000;
  const head = cat([0x80, 4, 0x8e], new Uint8Array(new BigUint64Array([BigInt(size)]).buffer));
  const tail = cat([0x30], enc('cos\nsystem\n'), [0x2e]);
  const walker = new PickleWalker({ concatenated: true });
  walker.write(head);
  assert.equal(walker.needOffset, head.length + size);
  walker.seek(head.length + size);
  walker.write(tail);
  const walk = walker.end();
  assert.deepEqual(walk.globals.map((g) => [g.module, g.name, g.offset]), [['os', 'system', head.length + size + 1]]);
  assert.equal(walk.pickles, 1);
  assert.equal(walk.truncated, false);
  assert.equal(walker.peakCarry, 0);
});

test('a string longer than the kept prefix is not buffered whole, even in one-byte chunks', () => {
  const long = 'a'.repeat(1_000_000);
  const bytes = cat([0x80, 4, 0x58], new Uint8Array(new Uint32Array([long.length]).buffer), enc(long), [0x30], enc('cposix\nsystem\n.'));
  const walker = new PickleWalker({ concatenated: true });
  for (let i = 0; i < bytes.length; i += 1) walker.write(bytes.subarray(i, i + 1));
  const walk = walker.end();
  assert.deepEqual(walk.globals.map((g) => `${g.module}.${g.name}@${g.offset}`), [`posix.system@${bytes.length - 15}`]);
  assert.ok(walker.peakCarry <= CARRY_MAX, `${walker.peakCarry}`);
});

test('an over-long protocol-0 line is kept in part and the rest stepped over', () => {
  const bytes = cat(enc('V'), enc('x'.repeat(20_000)), enc('\n0cos\nsystem\n.'));
  const walk = walkPickle(bytes, { concatenated: true });
  assert.deepEqual(walk.globals.map((g) => g.name), ['system']);
  assert.equal(walk.error, undefined);
  const split = walkSplit(bytes, [10, 4097, 4099, 19_000], { concatenated: true });
  assert.deepEqual(split, walk);
});

test('a GLOBAL name longer than the walker keeps is an error of the walker, not of the file', () => {
  const walk = walkPickle(cat(enc('c'), enc('m'.repeat(3000)), enc('\nx\n.')), {});
  assert.match(walk.error ?? '', /longer than/);
  assert.equal(walk.errorIsLimit, true);
});

test('a legacy torch file ends after its five pickles: the raw storages are not walked', () => {
  const walk = walkPickle(new Uint8Array(readFileSync(join(MODELS, 'torch_legacy.pth'))), { concatenated: true });
  assert.equal(walk.pickles, 5);
  assert.equal(walk.error, undefined);
  assert.ok(walk.trailingFrom! > 0 && walk.trailingFrom === walk.end);
});

test('at joblib\'s first inline array a plain-pickle.load reading is offered from the byte after BUILD', () => {
  const bytes = new Uint8Array(readFileSync(join(HOSTILE, 'joblib_hidden_in_padding.joblib')));
  const seen: string[] = [];
  const walker = new PickleWalker({ concatenated: true, forkAtJoblib: true, onGlobal: (g) => seen.push(`${g.module}.${g.name}@${g.offset}`) });
  walker.write(bytes);
  const main = walker.end();
  assert.equal(main.error, undefined);
  assert.equal(main.joblibArrays, 1);
  assert.ok(!seen.some((s) => s.startsWith('os.system')), 'joblib.load steps over the padding');
  const fork = walker.takeFork();
  assert.ok(fork);
  assert.equal(walker.takeFork(), undefined, 'offered once');
  assert.equal(bytes[fork.offset - 1], 0x62, 'right after the BUILD');
  fork.walker.write(bytes.subarray(fork.offset));
  const plain = fork.walker.end();
  const hidden = bytes.indexOf(0x63, fork.offset);
  assert.ok(seen.includes(`os.system@${hidden}`), `pickle.load's reading finds the padding payload: ${seen.join(', ')}`);
  assert.equal(plain.pickles, 1, 'and stops at its STOP, as pickle.load returns there');
});

test('a STACK_GLOBAL built from call results is flagged as computed', () => {
  const walk = walkPickle(new Uint8Array(readFileSync(join(HOSTILE, 'computed_stack_global.pkl'))));
  const computed = walk.globals.filter((g) => g.computed);
  assert.equal(computed.length, 1);
  assert.equal(walk.dynamicGlobals, 1);
});

test('the MARK flood past the stack cap marks the walk desynced', () => {
  const walk = walkPickle(cat([0x80, 4], new Uint8Array(150_000).fill(0x28), [0x2e]));
  assert.equal(walk.desynced, true);
  assert.ok(walk.limits.some((l) => /stack/.test(l)));
});
