// The Dockerfile rules: each rule's fixture pair (test/fixtures/lint/dockerfile/MS-DF0xx/), exact
// ranges, fixes applied and re-linted, ignore comments and severity overrides, and the behaviours
// each rule promises in its documentation entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { RULES, DF } from '../../../src/core/lint/dockerfile/rules';
import { lintDockerfile } from '../../../src/core/lint/dockerfile';
import { lastParseWasShared } from '../../../src/core/lint/dockerfile/syntax';
import { ALL_RULES } from '../../../src/core/lint/rules';
import { DEFAULT_LINT_SETTINGS, type Finding, type Range } from '../../../src/core/lint/types';
import { applyEdits, at, contextOf, FIXTURES, fixture, ids, lint, of, raw, readContext } from './dockerfile.support';

const ctxFor = (dir: string, name: 'bad' | 'good'): ReturnType<typeof contextOf> => contextOf(readContext(dir, name));
const textAt = (text: string, range: Range): string => {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line]!.slice(range.start.character, range.end.character);
  return [lines[range.start.line]!.slice(range.start.character), ...lines.slice(range.start.line + 1, range.end.line), lines[range.end.line]!.slice(0, range.end.character)].join('\n');
};
const CLEAN = readFileSync(join(FIXTURES, 'clean.Dockerfile'), 'utf8');
/** The clean baseline with `line` inserted after the runtime stage's FROM. */
const withRuntime = (line: string): string => CLEAN.replace('FROM python:3.11-slim AS runtime\n', `FROM python:3.11-slim AS runtime\n${line}\n`);

test('every rule has a documentation entry in id order, and the aggregate lists them', () => {
  assert.deepEqual(RULES.map((r) => r.id), Object.values(DF));
  assert.deepEqual(RULES.map((r) => r.id), [...RULES.map((r) => r.id)].sort());
  assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length);
  for (const r of RULES) {
    assert.equal(r.category, 'dockerfile');
    assert.match(r.id, /^MS-DF\d{3}$/);
    assert.ok(r.summary.endsWith('.') && r.description.length > 80, r.id);
    assert.ok(ALL_RULES.some((x) => x.id === r.id));
  }
});

test('the clean baseline triggers nothing, with or without the workspace context', () => {
  assert.deepEqual(raw(CLEAN), []);
  assert.deepEqual(raw(CLEAN, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS }), []);
});

for (const rule of RULES) {
  test(`${rule.id} ${rule.name}: bad.Dockerfile triggers it (only it), good.Dockerfile triggers nothing`, () => {
    assert.ok(existsSync(join(FIXTURES, rule.id, 'bad.Dockerfile')), `no fixture for ${rule.id}`);
    const bad = raw(fixture(rule.id, 'bad'), ctxFor(rule.id, 'bad'));
    const expected = [rule.id, ...(readContext(rule.id, 'bad').alsoTriggers ?? [])].sort();
    assert.deepEqual(ids(bad), expected, bad.map((f) => `${f.ruleId} ${f.message}`).join('\n'));
    for (const f of of(bad, rule.id)) {
      assert.equal(f.severity, rule.defaultSeverity === 'error' && rule.id === DF.syntax ? f.severity : rule.defaultSeverity);
      assert.equal(f.file, 'Dockerfile');
    }
    const good = raw(fixture(rule.id, 'good'), ctxFor(rule.id, 'good'));
    assert.deepEqual(good, [], good.map((f) => `${f.ruleId} ${f.message}`).join('\n'));
  });

  test(`${rule.id} ${rule.name}: ${rule.fixable ? 'every fix resolves its finding and adds none' : 'offers no fix'}`, () => {
    const text = fixture(rule.id, 'bad');
    const ctx = ctxFor(rule.id, 'bad');
    const before = raw(text, ctx);
    const fixes = of(before, rule.id).flatMap((f) => f.fixes ?? []);
    if (!rule.fixable) {
      assert.deepEqual(fixes, []);
      return;
    }
    assert.ok(fixes.length > 0, `${rule.id} is documented as fixable but offered no fix on its fixture`);
    for (const fix of fixes) {
      const fixed = applyEdits(text, fix.edits);
      const after = raw(fixed, ctx);
      assert.ok(of(after, rule.id).length < of(before, rule.id).length, `${fix.title} left ${rule.id}:\n${fixed}`);
      for (const other of ids(after)) assert.ok(of(after, other).length <= of(before, other).length, `${fix.title} added ${other}`);
    }
    // Applying the fixes one after another clears every fixable finding of the rule.
    let current = text;
    for (let round = 0; round < 10; round++) {
      const next = of(raw(current, ctx), rule.id).find((f) => f.fixes?.length);
      if (!next) break;
      current = applyEdits(current, next.fixes![0]!.edits);
    }
    assert.deepEqual(of(raw(current, ctx), rule.id).filter((f) => f.fixes?.length), []);
  });
}

/** The text each bad fixture's first finding of its rule points at. */
const POINTS_AT: Record<string, string> = {
  'MS-DF000': 'http',
  'MS-DF001': 'python',
  'MS-DF002': 'FROM python:3.11-slim AS runtime',
  'MS-DF003': '/opt/venv/bin/pip install',
  'MS-DF004': 'apt-get install',
  'MS-DF005': 'apt-get update',
  'MS-DF006': 'python -m app',
  'MS-DF007': 'HF_TOKEN',
  'MS-DF008': 'notebooks/',
  'MS-DF009': 'app',
  'MS-DF010': 'python -c "print(1)" | tee /tmp/check.txt',
  'MS-DF011': 'https://example.com/models/labels.json',
  'MS-DF012': '.',
  'MS-DF013': 'models/',
  'MS-DF014': 'model.joblib',
  'MS-DF015': '--index-url https://download.pytorch.org/whl/cpu',
  'MS-DF016': 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04',
  'MS-DF017': 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04',
  'MS-DF018': '-r requirements.txt',
  'MS-DF019': 'FROM python:3.11-slim AS runtime',
};

test('ranges point at the exact argument or instruction, zero-based', () => {
  for (const rule of RULES) {
    const text = fixture(rule.id, 'bad');
    const first = of(raw(text, ctxFor(rule.id, 'bad')), rule.id)[0];
    assert.ok(first, rule.id);
    assert.equal(textAt(text, first.range), POINTS_AT[rule.id], `${rule.id} at ${at(first)}`);
  }
  // A few in numbers, as an editor receives them.
  assert.equal(at(of(raw(fixture('MS-DF001', 'bad')), 'MS-DF001')[0]), '1:5-1:11');
  assert.equal(at(of(raw(fixture('MS-DF001', 'bad')), 'MS-DF001')[1]), '8:5-8:18');
  assert.equal(at(of(raw(fixture('MS-DF007', 'bad')), 'MS-DF007')[1]), '10:4-10:17');
  assert.equal(at(of(raw(fixture('MS-DF009', 'bad')), 'MS-DF009')[0]), '12:8-12:11');
  // Inside a RUN continued over lines, the range is on the continuation line that holds the words.
  const apt = of(raw(fixture('MS-DF004', 'bad')), 'MS-DF004')[0]!;
  assert.equal(at(apt), '10:4-10:19');
});

test('messages name the file\'s concrete values and say what to do', () => {
  const message = (id: string): string => of(raw(fixture(id, 'bad'), ctxFor(id, 'bad')), id).map((f) => f.message).join('\n');
  assert.match(message('MS-DF001'), /FROM python has no tag.*python:3\.11-slim \(the project's Python 3\.11\)/);
  assert.match(message('MS-DF001'), /FROM python:latest uses the moving latest tag/);
  assert.match(message('MS-DF007'), /ARG HF_TOKEN .*--mount=type=secret,id=hf_token,env=HF_TOKEN/);
  assert.doesNotMatch(message('MS-DF007'), /0123456789abcdef/, 'a secret value is never repeated');
  assert.match(message('MS-DF008'), /\.dockerignore excludes notebooks.*!notebooks/);
  assert.match(message('MS-DF008'), /labels\.txt does not exist in the build context/);
  assert.match(message('MS-DF012'), /1\.3 GiB \(8 files\).*data\/train\.parquet 858 MiB.*checkpoints\/epoch_03\.pt 296 MiB/);
  assert.match(message('MS-DF013'), /MODEL_PATH=\/models\/model\.pt comes from COPY models\/ \/models\/, but \.dockerignore excludes models\/model\.pt.*!models\/model\.pt/);
  assert.match(message('MS-DF014'), /model\.joblib is a Git LFS pointer \(131 B of text\), not the 45 MiB model.*git lfs pull/);
  assert.match(message('MS-DF015'), /nvidia\/cuda:12\.1\.1-cudnn8-runtime-ubuntu22\.04 is a CUDA image, but --index-url https:\/\/download\.pytorch\.org\/whl\/cpu.*python:3\.10-slim/);
  assert.match(message('MS-DF016'), /CUDA 12\.1 and cuDNN 8.*torch==2\.3\.1.*cu121.*nvidia\/cuda:12\.1\.1-base-ubuntu22\.04/);
  assert.match(message('MS-DF017'), /tensorflow==2\.15\.0\) was built against CUDA 12\.2 and cuDNN 8\.9.*CUDA 11\.8.*use nvidia\/cuda:12\.2\.2-cudnn8-runtime-ubuntu22\.04/);
  assert.match(message('MS-DF018'), /requirements\.txt leaves 2 packages unpinned \(scikit-learn >=1\.3, numpy \(no version\)\)/);
  assert.match(message('MS-DF018'), /uvicorn\[standard\]>=0\.30 only constrains it.*uvicorn\[standard\]==0\.30\.6, the version the project's requirements pin/);
});

test('ignore comments and severity overrides go through configureFindings', () => {
  const text = fixture('MS-DF006', 'bad');
  assert.equal(of(lint(text), 'MS-DF006').length, 1);
  const ignored = text.replace('CMD python -m app', '# modelship-ignore MS-DF006\nCMD python -m app');
  assert.deepEqual(lint(ignored), []);
  const sameLine = text.replace('CMD python -m app', 'CMD python -m app # modelship-ignore MS-DF006');
  assert.deepEqual(of(lint(sameLine), 'MS-DF006'), []);
  const otherId = text.replace('CMD python -m app', '# modelship-ignore MS-DF002\nCMD python -m app');
  assert.equal(of(lint(otherId), 'MS-DF006').length, 1);
  const fileWide = `# modelship-ignore-file MS-DF019\n${fixture('MS-DF019', 'bad')}`;
  assert.deepEqual(lint(fileWide), []);

  const settings = { ...DEFAULT_LINT_SETTINGS, rules: { 'MS-DF019': 'error' as const, 'MS-DF002': 'off' as const } };
  const both = fixture('MS-DF019', 'bad').replace(/^USER .*\n/m, '');
  const configured = lintDockerfile(both, { ...contextOf(readContext()), settings });
  assert.deepEqual(configured.map((f) => [f.ruleId, f.severity]), [['MS-DF019', 'error']]);
  // A check whose every id is off does not run at all.
  const off = { ...DEFAULT_LINT_SETTINGS, rules: Object.fromEntries(RULES.map((r) => [r.id, 'off' as const])) };
  assert.deepEqual(lintDockerfile(fixture('MS-DF012', 'bad'), { ...ctxFor('MS-DF012', 'bad'), settings: off }), []);
});

test('MS-DF000 reports dockerfile-utils\' problems with their severity, reusing the parsed tree', () => {
  const text = 'from python:3.11-slim\nCOPY onlyone\nCMD ["python"]\nCMD ["python"]\n';
  const findings = of(raw(text), 'MS-DF000');
  assert.ok(lastParseWasShared(), 'validate parsed the text again: the shared-tree hook no longer applies (see syntax.ts)');
  const theirs = validate(text);
  assert.equal(findings.length, theirs.length);
  assert.deepEqual(findings.map((f) => [at(f), f.severity]), theirs.map((d) => [at({ range: d.range } as Finding), d.severity === 1 ? 'error' : 'warning']));
  assert.ok(findings.some((f) => f.severity === 'warning') && findings.some((f) => f.severity === 'error'));
  // Relative WORKDIR is MS-DF009's, not reported twice.
  assert.deepEqual(ids(raw(fixture('MS-DF009', 'bad'))), ['MS-DF009']);
  // Every fixture gives the same problems as validate() on its own.
  for (const rule of RULES) {
    for (const name of ['bad', 'good'] as const) {
      const t = fixture(rule.id, name);
      const expected = validate(t).filter((d) => d.code !== 50).map((d) => at({ range: d.range } as Finding));
      assert.deepEqual(of(raw(t, ctxFor(rule.id, name)), 'MS-DF000').map(at), expected, `${rule.id}/${name}`);
    }
  }
});

test('MS-DF000 works around two dockerfile-utils defects: a backtracking stage-name check and a recursion', () => {
  // validate's own message for a short invalid name, where its regular expression is still fast.
  const short = validate('FROM python:3.11-slim AS a=\n').find((d) => d.code === 12)!;
  const long = 'a'.repeat(40);
  const text = `FROM python:3.11-slim AS ${long}=\nCMD ["python"]\n`;
  // In a child process with a deadline: handed to validate as it is, this name never finishes.
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const { analyzeDockerfile } = require('./src/core/lint/dockerfile'); analyzeDockerfile(${JSON.stringify(text)}, { file: 'Dockerfile', settings: { rules: {}, kubernetesVersion: '1.32' } });`], { cwd: join(__dirname, '../../..'), timeout: 60_000 });
  assert.equal(child.status, 0, `the lint did not finish: ${child.signal ?? child.stderr}`);
  const [f] = of(raw(text), 'MS-DF000');
  assert.equal(f!.message, String(short.message).replace('"a="', `"${long}="`));
  assert.equal(at(f), '0:25-0:66');
  // An indented instruction with a variable before the first FROM makes dockerfile-ast recurse until the stack overflows.
  assert.throws(() => validate(' RUN echo $HOME\nFROM python:3.11-slim\n'), RangeError);
  const [g] = raw(' RUN echo $HOME\nFROM python:3.11-slim\n', { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS });
  assert.equal(g!.severity, 'info');
  assert.match(g!.message, /syntax check could not run.*Maximum call stack size exceeded/);
});

test('MS-DF001: no fix without the project\'s Python, or for other images; unresolvable variables are left alone', () => {
  const noProject = { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS };
  const [f] = of(raw('FROM python\nUSER 1\nHEALTHCHECK NONE\n', noProject), 'MS-DF001');
  assert.equal(f?.fixes, undefined);
  assert.match(f!.message, /python:<version>-slim/);
  const cuda = of(raw('FROM nvidia/cuda\nUSER 1\nHEALTHCHECK NONE\n', noProject), 'MS-DF001')[0]!;
  assert.match(cuda.message, /publishes no latest tag/);
  assert.deepEqual(of(raw('ARG BASE\nFROM $BASE\nUSER 1\nHEALTHCHECK NONE\n', noProject), 'MS-DF001'), []);
  assert.equal(of(raw('ARG BASE=ubuntu\nFROM ${BASE}\nUSER 1\nHEALTHCHECK NONE\n', noProject), 'MS-DF001').length, 1);
});

test('MS-DF002: USER root last is flagged at its argument; the fix goes above CMD\'s comments, or to the end when build steps follow', () => {
  const text = CLEAN.replace('USER 10001:10001', 'USER root').replace('CMD ["python", "-m"', '# Start the server.\nCMD ["python", "-m"');
  const [f] = of(raw(text), 'MS-DF002');
  assert.equal(textAt(text, f!.range), 'root');
  const fixed = applyEdits(text, f!.fixes![0]!.edits);
  assert.match(fixed, /USER 10001:10001\n# Start the server\.\nCMD \[/);
  const trailing = `${CLEAN.replace(/^USER .*\n/m, '')}RUN echo built`;
  const [g] = of(raw(trailing), 'MS-DF002');
  assert.ok(applyEdits(trailing, g!.fixes![0]!.edits).endsWith('RUN echo built\nUSER 10001:10001\n'));
  // A non-root USER in a stage the final one starts FROM counts.
  assert.deepEqual(of(raw('FROM python:3.11-slim AS base\nUSER 10001\nFROM base\nHEALTHCHECK NONE\nCMD ["python"]\n'), 'MS-DF002'), []);
});

test('MS-DF003 / MS-DF004 fixes insert the flag right after install, inside continued RUNs', () => {
  const text = withRuntime('RUN apt-get update \\\n && apt-get install -y \\\n      libgomp1 \\\n && rm -rf /var/lib/apt/lists/* \\\n && python3 -m pip install --upgrade pip==24.2');
  const findings = raw(text);
  const apt = of(findings, 'MS-DF004')[0]!;
  assert.match(applyEdits(text, apt.fixes![0]!.edits), / && apt-get install --no-install-recommends -y \\\n {6}libgomp1/);
  const pip = of(findings, 'MS-DF003')[0]!;
  assert.equal(textAt(text, pip.range), 'python3 -m pip install');
  assert.match(applyEdits(text, pip.fixes![0]!.edits), /python3 -m pip install --no-cache-dir --upgrade pip==24\.2/);
});

test('MS-DF005: only stages that reach the image; the fix appends to the RUN and keeps the file valid', () => {
  const text = withRuntime('RUN apt-get update; apt-get install -y --no-install-recommends curl;');
  const [f] = of(raw(text), 'MS-DF005');
  const fixed = applyEdits(text, f!.fixes![0]!.edits);
  assert.match(fixed, /install -y --no-install-recommends curl; rm -rf \/var\/lib\/apt\/lists\/\*\n/);
  assert.deepEqual(raw(fixed), []);
});

test('MS-DF006: exec form for simple commands, exec for ones that expand variables, advice for chains', () => {
  const fixOf = (cmd: string): { fixed?: string; message: string } => {
    const text = CLEAN.replace('CMD ["python", "-m", "app"]', cmd);
    const f = of(raw(text), 'MS-DF006')[0]!;
    return { message: f.message, ...(f.fixes ? { fixed: applyEdits(text, f.fixes[0]!.edits).split('\n').at(-2)! } : {}) };
  };
  assert.equal(fixOf('CMD python -c "import app; app.main()"').fixed, 'CMD ["python", "-c", "import app; app.main()"]');
  assert.equal(fixOf('CMD uvicorn app.main:app --port $PORT').fixed, 'CMD exec uvicorn app.main:app --port $PORT');
  assert.equal(fixOf('ENTRYPOINT LOG_LEVEL=info python -m app').fixed, 'ENTRYPOINT LOG_LEVEL=info exec python -m app');
  const chain = fixOf('CMD python -m app.migrate && python -m app');
  assert.equal(chain.fixed, undefined);
  assert.match(chain.message, /script that ends with exec/);
  // Malformed JSON is MS-DF000's (single quotes), not converted again.
  assert.deepEqual(ids(raw(CLEAN.replace('CMD ["python", "-m", "app"]', "CMD ['python', '-m', 'app']"))), ['MS-DF000']);
});

test('MS-DF007: credential names, not look-alikes; ENV without a value is fine, ARG without one is not', () => {
  const findings = raw(withRuntime('ARG AWS_SECRET_ACCESS_KEY\nARG DB_PASSWORD=hunter2\nENV OPENAI_API_KEY=$OPENAI_API_KEY HF_HUB_ENABLE_HF_TRANSFER=1 HUGGING_FACE_HUB_TOKEN=\nENV GITHUB_PAT=ghp_x NUM_TOKENS=5 TOKEN_PATH=/t'));
  assert.deepEqual(of(findings, 'MS-DF007').map((f) => f.message.split(' ').slice(0, 2).join(' ')), ['ARG AWS_SECRET_ACCESS_KEY', 'ARG DB_PASSWORD', 'ENV OPENAI_API_KEY', 'ENV GITHUB_PAT']);
  assert.match(of(findings, 'MS-DF007')[2]!.message, /the credential it expands to/);
});

test('MS-DF008 / MS-DF013: a Dockerfile in a subfolder reads its own folder as the context', () => {
  const ctx = {
    ...contextOf({ ...readContext(), file: 'docker/Dockerfile', dockerignore: 'secrets\n', models: [{ path: 'docker/model.joblib', format: 'joblib', framework: 'sklearn', bytes: 1518 }] }),
    contextFiles: [{ path: 'docker/requirements.txt', bytes: 60 }, { path: 'docker/app/__main__.py', bytes: 9 }, { path: 'docker/model.joblib', bytes: 1518 }, { path: 'requirements.txt', bytes: 60 }],
  };
  assert.deepEqual(raw(CLEAN, ctx), []);
  const missing = raw(CLEAN.replace('COPY model.joblib /models/model.joblib', 'COPY models/model.joblib /models/model.joblib'), ctx);
  assert.deepEqual(ids(missing), ['MS-DF013']);
  assert.match(missing[0]!.message, /models\/model\.joblib does not exist in the build context \(docker\/\)/);
  // Without a listing, existence is unknown and nothing is claimed.
  const unlisted = { ...ctx, contextFiles: undefined };
  assert.deepEqual(raw(CLEAN.replace('COPY app/ app/', 'COPY src/ src/'), unlisted), []);
});

test('exec-form COPY keeps the spaces inside its strings (dockerfile-ast\'s getJSONValue drops them)', () => {
  const text = CLEAN.replace('COPY app/ app/', 'COPY ["my app/", "app/"]');
  const [f] = of(raw(text), 'MS-DF008');
  assert.match(f!.message, /^COPY my app\/: my app does not exist in the build context/);
  assert.equal(textAt(text, f!.range), '"my app/"');
});

test('MS-DF013: MODEL_PATH that nothing provides, unless a VOLUME, a RUN or another stage does', () => {
  const noCopy = CLEAN.replace('COPY model.joblib /models/model.joblib\n', '');
  const [f] = of(raw(noCopy), 'MS-DF013');
  assert.equal(textAt(noCopy, f!.range), 'MODEL_PATH=/models/model.joblib');
  assert.match(f!.message, /COPY model\.joblib \/models\/model\.joblib.*VOLUME \["\/models"\]/);
  assert.deepEqual(raw(noCopy.replace('USER 10001', 'VOLUME ["/models"]\nUSER 10001')), []);
  assert.deepEqual(raw(noCopy.replace('USER 10001', 'RUN python -m app.download /models\nUSER 10001')), []);
  assert.deepEqual(raw(noCopy.replace('USER 10001', 'COPY --from=builder /build/model.joblib /models/model.joblib\nUSER 10001')), []);
});

test('MS-DF010: busybox images get ash; a SHELL in the parent stage counts', () => {
  const alpine = 'FROM python:3.11-alpine\nRUN wget -qO- https://example.com | sh\nUSER 1\nHEALTHCHECK NONE\nCMD ["python"]\n';
  assert.match(of(raw(alpine), 'MS-DF010')[0]!.message, /SHELL \["\/bin\/ash", "-o", "pipefail", "-c"\]/);
  const inherited = 'FROM python:3.11-slim AS base\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nFROM base\nRUN echo a | wc\nUSER 1\nHEALTHCHECK NONE\nCMD ["python"]\n';
  assert.deepEqual(of(raw(inherited), 'MS-DF010'), []);
  // Shell rules read POSIX shells only: under PowerShell a | is PowerShell's pipe.
  const powershell = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem C:\\ | Select-Object Name; pip install flask\nUSER ContainerUser\nHEALTHCHECK NONE\nCMD python app.py\n';
  assert.deepEqual(ids(raw(powershell)), []);
});

test('MS-DF012: without a file listing, unnamed models detection found are reported; the served one is not', () => {
  const fixtureCtx = readContext('MS-DF012', 'bad');
  const ctx = { ...contextOf({ ...fixtureCtx, contextFiles: null }) };
  const [f] = of(raw(fixture('MS-DF012', 'bad'), ctx), 'MS-DF012');
  assert.match(f!.message, /sends every model detection found.*checkpoints\/epoch_03\.pt/);
  assert.doesNotMatch(f!.message, /models\/model\.pt/);
  const noIgnore = { ...contextOf({ ...fixtureCtx, dockerignore: null }) };
  assert.match(of(raw(fixture('MS-DF012', 'bad'), noIgnore), 'MS-DF012')[0]!.message, /there is none/);
});

test('MS-DF016 / MS-DF017: devel images get no fix; TensorFlow checks cuDNN from the tag or from apt', () => {
  const ctx16 = ctxFor('MS-DF016', 'bad');
  const devel = fixture('MS-DF016', 'bad').replaceAll('12.1.1-cudnn8-runtime', '12.1.1-cudnn8-devel');
  const [d] = of(raw(devel, ctx16), 'MS-DF016');
  assert.equal(d?.fixes, undefined);
  assert.match(d!.message, /with the compilers/);
  const ctx17 = contextOf({ ...readContext('MS-DF017'), requirements: { 'requirements.txt': ['tensorflow==2.16.1'] } });
  const runtime = fixture('MS-DF017', 'good').replaceAll('12.2.2-cudnn8-runtime', '12.3.2-runtime');
  const [t] = of(raw(runtime, ctx17), 'MS-DF017');
  assert.match(t!.message, /CUDA 12\.3 and no cuDNN.*libcudnn8=8\.9\.7\.29-1\+cuda12\.2/);
  assert.equal(t!.fixes, undefined);
  const withCudnn = runtime.replace('install -y --no-install-recommends python3.10 \\', 'install -y --no-install-recommends python3.10 libcudnn8=8.9.7.29-1+cuda12.2 \\');
  assert.deepEqual(of(raw(withCudnn, ctx17), 'MS-DF017'), []);
});

test('CRLF files: ranges count characters per line and inserted lines use CRLF', () => {
  const text = fixture('MS-DF002', 'bad').replace(/\n/g, '\r\n');
  const [f] = of(raw(text), 'MS-DF002');
  assert.equal(at(f), '8:0-8:32');
  assert.equal(f!.fixes![0]!.edits[0]!.newText, 'USER 10001:10001\r\n');
  assert.deepEqual(ids(raw(fixture('MS-DF004', 'bad').replace(/\n/g, '\r\n'))), ['MS-DF004']);
});

test('the escape directive: a backquote continues lines', () => {
  const text = '# escape=`\nFROM python:3.11-slim\nRUN apt-get update `\n && apt-get install -y --no-install-recommends curl\nUSER 1\nHEALTHCHECK NONE\nCMD ["python"]\n';
  const [f] = of(raw(text), 'MS-DF005');
  assert.ok(applyEdits(text, f!.fixes![0]!.edits).includes('curl `\n && rm -rf /var/lib/apt/lists/*'));
});

test('lintDockerfile never throws, whatever it is handed', () => {
  const odd: unknown[] = [null, undefined, 42, {}, '\u0000', '\\', 'FROM', 'FROM \\\n', '\r\r\n\n', 'ONBUILD ONBUILD RUN x', 'RUN <<EOF\n', '# escape=x\nRUN a x\n b'];
  for (const text of odd) {
    const findings = lintDockerfile(text as string, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS });
    assert.ok(Array.isArray(findings));
    for (const f of findings) assert.ok(f.range.start.line >= 0 && f.range.start.character >= 0);
  }
});
