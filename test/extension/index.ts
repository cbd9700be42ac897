// Mocha entry loaded by the VS Code extension host (extensionTestsPath = dist/test/extension/index.js).
// run() resolving makes the host exit 0, rejecting exits 1; the runner reads VSCODE_TEST_RESULTS.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha = require('mocha');

export function run(): Promise<void> {
  // The extension host's console goes to the browser (code-server) or a log file, not to the
  // terminal: tee the reporter's output to a file the runner prints as it grows.
  const outFile = process.env.VSCODE_TEST_OUTPUT;
  const resultFile = process.env.VSCODE_TEST_RESULTS;
  if (outFile) {
    const base = Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void };
    const original = base.consoleLog;
    base.consoleLog = (...a: unknown[]) => {
      fs.appendFileSync(outFile, util.format(...a) + '\n');
      original(...a);
    };
  }
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec', grep: process.env.MOCHA_GREP });
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      // Each failure's title and first message line, so CI's closing lines name what failed.
      const failed: string[] = [];
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        const summary = { passed: stats?.passes ?? 0, failed: failures, skipped: stats?.pending ?? 0, durationMs: stats?.duration ?? 0, failures: failed };
        if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(summary, null, 2));
        if (failures > 0) reject(new Error(`${failures} tests failed.`));
        else resolve();
      });
      runner.on('fail', (test: Mocha.Runnable, err: Error) => {
        failed.push(`${test.fullTitle()}: ${String(err?.message ?? err).split('\n')[0].slice(0, 300)}`);
      });
    } catch (err) {
      reject(err);
    }
  });
}
