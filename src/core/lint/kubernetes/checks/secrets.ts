/** MS-K8S025: literal secrets in container environments and ConfigMaps. The value is never echoed. */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { isObj, listAt, type ContainerView } from '../objects';
import { K8S } from '../rules';
import { eachContainer } from './containers';

const SECRET_NAME = /(^|_)(TOKEN|PASSWORD|PASSWD|PASS|SECRET|API_?KEY|ACCESS_KEY|SECRET_ACCESS_KEY|PRIVATE_KEY|CLIENT_SECRET|CREDENTIALS?|AUTH_KEY)$/i;

/** A value worth flagging: not empty, not a `$(VAR)` reference, not a path to a mounted file. */
function literal(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  const v = value.trim();
  return v !== '' && !/^\$\([A-Za-z_][\w]*\)$/.test(v) && !v.startsWith('/');
}

function checkEnv(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  listAt(c.container, ['env']).forEach((e, i) => {
    if (!isObj(e) || typeof e.name !== 'string' || !SECRET_NAME.test(e.name) || !literal(e.value)) return;
    const secret = `${view.name ?? 'app'}-secrets`;
    const path = [...c.path, 'env', i, 'value'];
    const fix = a.fix(`Read ${e.name} from Secret ${secret}`, a.edits(view)?.replacePair(path, { valueFrom: { secretKeyRef: { name: secret, key: e.name } } }));
    a.report(K8S.literalSecret, view, path,
      `${e.name} of container \`${c.name}\` is written here in plain text: it ends up in the repository and in \`kubectl get -o yaml\`. Put it in a Secret (\`kubectl create secret generic ${secret} --from-literal=${e.name}=...\`) and read it with \`valueFrom.secretKeyRef\`; rotate it if this file was ever committed.`,
      { fixes: [fix] });
  });
}

function checkConfigMap(a: ManifestAnalysis, view: ObjectView): void {
  if (view.kind !== 'ConfigMap' || !isObj(view.object.data)) return;
  for (const [key, value] of Object.entries(view.object.data)) {
    if (!SECRET_NAME.test(key) || !literal(value)) continue;
    a.report(K8S.literalSecret, view, ['data', key],
      `ConfigMap key ${key} looks like a secret: ConfigMaps are stored and shown in plain text. Move it to a Secret and load it with \`envFrom: [{secretRef: {name: ...}}]\`; rotate it if this file was ever committed.`,
      { part: 'key' });
  }
}

export function checkSecrets(a: ManifestAnalysis): void {
  eachContainer(a, (view, c) => checkEnv(a, view, c), { patches: true });
  for (const view of a.local) checkConfigMap(a, view);
}
