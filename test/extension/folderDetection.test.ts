// FolderDetection's scheduling, with a fake detector whose calls finish when the test says so:
// one run in flight, events coalesced into one queued update, stale results dropped.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ProjectDetector } from '../../src/core/detect';
import type { ProjectDescription } from '../../src/core/detect/types';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import type { ModelshipConfig } from '../../src/extension/config';
import { FolderDetection } from '../../src/extension/models/folderDetection';
import type { Logger } from '../../src/extension/log';
import { ProjectStore } from '../../src/extension/models/projectStore';

function description(tag: string): ProjectDescription {
  return {
    root: tag,
    models: [],
    requirements: { files: [], packages: [], options: [], conda: [] },
    python: { version: '3.11', source: 'default' },
    problems: [],
  };
}

/** A detector whose scan/update calls stay pending until `finish()` resolves the oldest one. */
class FakeDetector {
  current: ProjectDescription | undefined;
  readonly calls: string[] = [];
  private readonly waiting: (() => void)[] = [];
  scan(): Promise<ProjectDescription> { return this.call('scan'); }
  update(paths: string[]): Promise<ProjectDescription> { return this.call(`update ${paths.join(',')}`); }
  get inFlight(): number { return this.waiting.length; }
  finish(): void { this.waiting.shift()?.(); }
  private call(what: string): Promise<ProjectDescription> {
    this.calls.push(what);
    return new Promise((resolve) => this.waiting.push(() => resolve((this.current = description(what)))));
  }
}

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const config = { settingsFor: () => DEFAULT_SETTINGS } as unknown as ModelshipConfig;
const folder: vscode.WorkspaceFolder = { uri: vscode.Uri.file('/fake-project'), name: 'fake-project', index: 0 };

suite('FolderDetection scheduling', () => {
  let store: ProjectStore;
  let detectors: FakeDetector[];
  let detection: FolderDetection;
  setup(() => {
    store = new ProjectStore();
    detectors = [];
    const factory = async () => {
      const d = new FakeDetector();
      detectors.push(d);
      return d as unknown as ProjectDetector;
    };
    detection = new FolderDetection(folder, config, store, silent, factory, 10);
  });
  teardown(() => {
    detection.dispose();
    store.dispose();
  });

  test('events during a scan are queued and coalesced into one update after it', async () => {
    detection.rescan();
    await tick();
    const d = detectors[0]!;
    assert.deepStrictEqual(d.calls, ['scan']);
    detection.notify(['a.pkl']);
    detection.notify(['b.pkl']);
    await tick();
    detection.notify(['a.pkl', 'c.pkl']);
    await tick();
    assert.strictEqual(d.inFlight, 1, 'nothing runs beside the scan');
    d.finish();
    await tick();
    assert.deepStrictEqual(d.calls, ['scan', 'update a.pkl,b.pkl,c.pkl']);
    d.finish();
    await detection.whenIdle();
    assert.strictEqual(store.get(folder)?.description?.root, 'update a.pkl,b.pkl,c.pkl');
    assert.deepStrictEqual(detection.stats, { scans: 1, updates: 1, updatePaths: [['a.pkl', 'b.pkl', 'c.pkl']], dropped: 0 });
  });

  test('a rescan requested while an update runs drops that update\'s result', async () => {
    detection.rescan();
    await tick();
    detectors[0]!.finish();
    await tick();
    detection.notify(['x.pkl']);
    await tick();
    assert.deepStrictEqual(detectors[0]!.calls, ['scan', 'update x.pkl']);
    detection.rescan(); // e.g. settings changed: a new detector must scan
    detectors[0]!.finish(); // the stale update now completes
    await tick();
    assert.strictEqual(detectors.length, 2, 'a fresh detector was created');
    detectors[1]!.finish();
    await detection.whenIdle();
    assert.strictEqual(detection.stats.dropped, 1);
    assert.strictEqual(store.get(folder)?.description?.root, 'scan', 'the store holds the new scan, not the stale update');
    assert.strictEqual(detection.currentDetector as unknown, detectors[1]);
  });

  test('events below excluded directories are ignored', async () => {
    detection.rescan();
    await tick();
    detectors[0]!.finish();
    await tick();
    detection.notify(['node_modules/x/model.pkl', '.git/index', '.venv/lib/a.pkl']);
    await tick();
    await detection.whenIdle();
    assert.deepStrictEqual(detectors[0]!.calls, ['scan']);
  });

  test('a failed update falls back to a full rescan', async () => {
    detection.rescan();
    await tick();
    const d = detectors[0]!;
    d.finish();
    await tick();
    d.update = () => Promise.reject(new Error('boom'));
    detection.notify(['y.pkl']);
    await tick();
    assert.strictEqual(detectors.length, 2, 'rescan with a new detector');
    detectors[1]!.finish();
    await detection.whenIdle();
    assert.strictEqual(detection.stats.scans, 2);
    assert.strictEqual(store.get(folder)?.status, 'ready');
  });
});
