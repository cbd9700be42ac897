// `npm run bench`: the paths users wait on, each as a ratio against a baseline measured in the same
// session on the same machine. `npm run bench -- detect` runs one. Results go to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchDetect, printDetect } from './detect.mjs';
import { benchServing, printServing } from './serving.mjs';
import { benchImageSize, printImageSize } from './imageSize.mjs';
import { benchScanPickle, printScanPickle } from './scanPickle.mjs';
import { benchLintManifests, printLintManifests } from './lintManifests.mjs';
import { benchLintDockerfile, printLintDockerfile } from './lintDockerfile.mjs';
import { benchBuild, printBuild } from './build.mjs';
import { benchBuildContext, printBuildContext } from './buildContext.mjs';
import { benchActivation, printActivation } from './activation.mjs';
import { benchDeploy, printDeploy } from './deploy.mjs';
import { benchKubeLogs, printKubeLogs } from './kubeLogs.mjs';

const benches = {
  detect: [benchDetect, printDetect],
  serving: [benchServing, printServing],
  'image-size': [benchImageSize, printImageSize],
  'scan-pickle': [benchScanPickle, printScanPickle],
  'lint-manifests': [benchLintManifests, printLintManifests],
  'lint-dockerfile': [benchLintDockerfile, printLintDockerfile],
  build: [benchBuild, printBuild],
  'build-context': [benchBuildContext, printBuildContext],
  activation: [benchActivation, printActivation],
  deploy: [benchDeploy, printDeploy],
  'kube-logs': [benchKubeLogs, printKubeLogs],
  'logs-panel': await import('./logsPanel.mjs').then((m) => [m.benchLogsPanel, m.printLogsPanel]),
  'first-log-line': await import('./firstLogLine.mjs').then((m) => [m.benchFirstLogLine, m.printFirstLogLine]),
};
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(benches);
mkdirSync('bench/results', { recursive: true });
for (const name of chosen) {
  const entry = benches[name];
  if (!entry) {
    console.error(`unknown bench ${name}; choose from ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  const [run, print] = entry;
  const results = await run();
  writeFileSync(`bench/results/${name}.json`, JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2));
  print(results);
  console.log('');
}
