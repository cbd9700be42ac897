// Following a rollout through a reporter, with a fake session replaying recorded snapshots: changed
// summaries and each reason once, a crashed container's last lines read into its reason, stopping
// by the signal; and failureText, what the CLI prints for a failed rollout, as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodReason } from '../../../src/core/deploy/podReasons';
import { assessRollout } from '../../../src/core/deploy/rollout';
import { isModelshipError } from '../../../src/core/errors';
import { failureText, followRollout, type FollowResult } from '../../../src/flows/followRollout';
import { findWorkspace } from '../../../src/flows/workspace';
import { fakeSession, makeProject, snapshotFixture } from './project';

function recorder() {
  const heard: string[] = [];
  return {
    heard,
    reporter: {
      summary: (text: string) => heard.push(`summary ${text}`),
      reason: (reason: PodReason) => heard.push(`reason ${reason.kind} ${reason.pod}`),
      assessment: (a: { state: string }) => heard.push(`assessment ${a.state}`),
    },
  };
}

test('a progressing then ready rollout: every assessment, the summary once per change, ready', async (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const progressing = snapshotFixture('old-rs-crash');
  const session = fakeSession({ snapshots: [progressing, progressing, snapshotFixture('ready')] });
  const { heard, reporter } = recorder();
  const result = await followRollout(session, 'iris', findWorkspace(dir), { timeoutSeconds: 30, streamLogs: false, reporter });
  assert.equal(result.timedOut, false);
  assert.equal(result.assessment.state, 'ready');
  const summary = assessRollout(progressing).summary;
  assert.match(summary, /^Waiting for deployment "ms-core-crash" rollout to finish/);
  assert.deepEqual(heard, ['assessment progressing', `summary ${summary}`, 'assessment progressing', 'assessment ready']);
});

test('a crash fails the rollout: its reason once, with the previous container\'s last lines as detail', async (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const crash = snapshotFixture('crash');
  const session = fakeSession({ snapshots: [crash, crash], logs: 'loading model\nFileNotFoundError: /models/missing.joblib\n' });
  const { heard, reporter } = recorder();
  const result = await followRollout(session, 'iris', findWorkspace(dir), { timeoutSeconds: 30, streamLogs: false, reporter });
  assert.equal(result.assessment.state, 'failed');
  // The watch may send more before it stops; the reason is said once all the same.
  assert.deepEqual(heard, ['assessment failed', 'reason crash ms-core-crash-c5fb4c85b-ffb42', 'assessment failed']);
  assert.deepEqual(result.assessment.reasons[0]!.detail, ['loading model', 'FileNotFoundError: /models/missing.joblib']);
});

test('the timeout ends following with the last assessment seen', async (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const session = fakeSession({ snapshots: [snapshotFixture('old-rs-crash')] });
  const result = await followRollout(session, 'iris', findWorkspace(dir), { timeoutSeconds: 0.05, streamLogs: false, reporter: {} });
  assert.equal(result.timedOut, true);
  assert.equal(result.assessment.state, 'progressing');
});

test('the signal stops following with INTERRUPTED, which says the rollout goes on', async (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const session = fakeSession();
  const controller = new AbortController();
  const following = followRollout(session, 'iris', findWorkspace(dir), { timeoutSeconds: 30, streamLogs: false, signal: controller.signal, reporter: {} });
  setTimeout(() => controller.abort(), 10);
  await assert.rejects(following, (error: unknown) => {
    assert.ok(isModelshipError(error));
    assert.equal(error.code, 'INTERRUPTED');
    assert.equal(error.message, 'Stopped following the rollout of iris; it goes on in the cluster.');
    assert.equal(error.hint, 'See where it stands: modelship status --context lab --namespace ns');
    return true;
  });
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(followRollout(session, 'iris', findWorkspace(dir), { timeoutSeconds: 30, streamLogs: false, signal: aborted.signal, reporter: {} }), /Stopped following/);
});

const crashReason = (detail?: string[]): PodReason => ({ pod: 'iris-1', container: 'server', kind: 'crash', message: 'Container server exited with code 3.', fix: 'Read its last lines.', fatal: true, ...(detail ? { detail } : {}) });

test('failureText: the failure as the CLI prints it, the log tails apart from the reasons', () => {
  const failed: FollowResult = { timedOut: false, assessment: { state: 'failed', summary: 'Rollout of deployment "iris" failed', reasons: [crashReason(['Traceback', 'KeyError: x'])], newPods: ['iris-1'] } };
  const text = failureText(failed, 300);
  assert.doesNotMatch(text.message, /did not finish/);
  assert.match(text.message, /^Rollout of deployment "iris" failed/);
  assert.match(text.message, /Read its last lines\./);
  assert.doesNotMatch(text.message, /Traceback/, 'the lines are in logTails, not in the message');
  assert.deepEqual(text.logTails, [{ pod: 'iris-1', container: 'server', lines: ['Traceback', 'KeyError: x'] }]);

  const late: FollowResult = { timedOut: true, assessment: { state: 'progressing', summary: 'Waiting for deployment "iris" rollout to finish', reasons: [crashReason()], newPods: [] } };
  const timedOut = failureText(late, 120);
  assert.ok(timedOut.message.startsWith('The rollout did not finish within 120 s (--timeout). Last seen: '), timedOut.message);
  assert.deepEqual(timedOut.logTails, []);
});
