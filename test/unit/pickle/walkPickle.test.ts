import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkPickle } from '../../../src/core/pickle/walkPickle';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const names = (bytes: Uint8Array): string[] => walkPickle(bytes, { concatenated: true }).globals.map((g) => `${g.module}.${g.name}`);

test('protocol 0 GLOBAL names module and attribute', () => {
  const walk = walkPickle(enc('cos\nsystem\n(S\'echo hi\'\ntR.'));
  assert.deepEqual(walk.globals.map((g) => [g.module, g.name, g.offset, g.opcode]), [['os', 'system', 0, 'GLOBAL']]);
  assert.equal(walk.pickles, 1);
  assert.equal(walk.truncated, false);
  assert.equal(walk.protocol, 0);
});

test('STACK_GLOBAL resolves strings fetched back from the memo', () => {
  // PROTO 4, 'builtins' MEMOIZE, 'eval' MEMOIZE, POP POP, BINGET 0, BINGET 1, STACK_GLOBAL
  const bytes = new Uint8Array([
    0x80, 4,
    0x8c, 8, ...enc('builtins'), 0x94,
    0x8c, 4, ...enc('eval'), 0x94,
    0x30, 0x30,
    0x68, 0, 0x68, 1, 0x93,
    0x8c, 1, ...enc('1'), 0x85, 0x52, 0x2e,
  ]);
  const walk = walkPickle(bytes);
  assert.deepEqual(names(bytes), ['builtins.eval']);
  assert.equal(walk.globals[0]!.offset, 26);
  assert.equal(walk.protocol, 4);
  assert.equal(walk.dynamicGlobals, 0);
});

test('INST pops to the mark and records the class', () => {
  assert.deepEqual(names(enc('(S\'ls\'\nisubprocess\ncheck_output\n.')), ['subprocess.check_output']);
});

test('a STACK_GLOBAL whose operands are not strings counts as dynamic', () => {
  const bytes = new Uint8Array([0x80, 4, 0x4e, 0x4e, 0x93, 0x2e]);
  const walk = walkPickle(bytes);
  assert.equal(walk.dynamicGlobals, 1);
  assert.deepEqual(names(bytes), ['?.?']);
});

test('a prefix ends as truncated, not as an error', () => {
  const full = enc('\x80\x02csklearn.linear_model._logistic\nLogisticRegression\nq\x00)\x81q\x01}q\x02(X\x07\x00\x00\x00penaltyq\x03X\x02\x00\x00\x00l2q\x04ub.');
  const walk = walkPickle(full.subarray(0, 60));
  assert.equal(walk.truncated, true);
  assert.equal(walk.error, undefined);
  assert.deepEqual(walk.globals.map((g) => g.name), ['LogisticRegression']);
  const whole = walkPickle(full);
  assert.equal(whole.truncated, false);
  assert.equal(whole.pickles, 1);
});

test('concatenated pickles are walked in turn', () => {
  const one = enc('\x80\x02cos\nsystem\n.');
  const two = enc('\x80\x02cposix\nsystem\n.');
  const bytes = new Uint8Array([...one, ...two]);
  assert.deepEqual(names(bytes), ['os.system', 'posix.system']);
  assert.equal(walkPickle(bytes).globals.length, 1, 'without the option the walk stops at the first STOP');
});

test('the legacy torch magic number is recognised', () => {
  const magic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  const walk = walkPickle(new Uint8Array([0x80, 2, 0x8a, 10, ...magic, 0x2e]));
  assert.equal(walk.torchLegacyMagic, true);
  const other = walkPickle(new Uint8Array([0x80, 2, 0x8a, 1, 5, 0x2e]));
  assert.equal(other.torchLegacyMagic, false);
});

test('text is not a pickle', () => {
  for (const prose of ['These are my notes about the model.\n', 'the cat sat on the mat\n']) {
    const walk = walkPickle(enc(prose));
    assert.equal(walk.pickles, 0);
    assert.equal(walk.globals.length, 0);
  }
  assert.ok(walkPickle(enc('the cat sat')).error, 'a space is no opcode');
});

test('an unsupported protocol is an error', () => {
  const walk = walkPickle(new Uint8Array([0x80, 9, 0x2e]));
  assert.match(walk.error ?? '', /protocol 9/);
});

test('hostile lengths do not allocate or throw', () => {
  const bytes = new Uint8Array([0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  const walk = walkPickle(bytes);
  assert.ok(walk.truncated || walk.error);
});

test('joblib dumps are walked end to end, stepping over the raw arrays joblib writes inline', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const bytes = new Uint8Array(readFileSync(join(__dirname, '../../fixtures/models/sklearn_pipeline.joblib')));
  const walk = walkPickle(bytes, { concatenated: true });
  assert.equal(walk.error, undefined);
  assert.equal(walk.truncated, false);
  assert.equal(walk.pickles, 1);
  assert.ok(walk.joblibArrays >= 4, `arrays stepped over: ${walk.joblibArrays}`);
  const names = walk.globals.map((g) => `${g.module}.${g.name}`);
  assert.ok(names.includes('sklearn.linear_model._logistic.LogisticRegression'), 'the estimator after the scaler arrays');
});

test('a joblib pipeline ending in XGBoost is an XGBoost model, whatever comes first', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ms-joblib-'));
  const script = [
    'import joblib, numpy as np',
    'from sklearn.pipeline import make_pipeline',
    'from sklearn.preprocessing import StandardScaler',
    'from xgboost import XGBClassifier',
    'X = np.random.RandomState(0).rand(200, 30); y = (X[:, 0] > 0.5).astype(int)',
    'm = make_pipeline(StandardScaler(), XGBClassifier(n_estimators=3, max_depth=2)).fit(X, y)',
    `joblib.dump(m, '${dir}/p.joblib')`,
    `joblib.dump({'labels': np.array(['a', 'b'], dtype=object), 'm': m}, '${dir}/o.joblib')`,
  ].join('\n');
  const python = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  if (python.status !== 0) {
    if (process.env.CI) assert.fail(`Debian python3 with scikit-learn and xgboost is needed: ${python.stderr}`);
    t.skip(`Debian's python3 with python3-sklearn and python3-xgboost is not installed (${python.stderr.split('\n').filter(Boolean).pop()}): run \`bash scripts/setup-test-deps.sh\``);
    return;
  }
  const { frameworkFromModules } = await import('../../../src/core/detect/frameworks');
  for (const name of ['p.joblib', 'o.joblib']) {
    const walk = walkPickle(new Uint8Array(readFileSync(join(dir, name))), { concatenated: true });
    assert.equal(walk.error, undefined, name);
    assert.equal(walk.pickles, 1, name);
    assert.equal(frameworkFromModules(walk.globals.map((g) => g.module)), 'xgboost', name);
  }
});
