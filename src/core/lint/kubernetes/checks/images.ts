/** MS-K8S012 (`latest` or untagged images) and MS-K8S013 (pull policy against the reference). */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { parseImage, type ContainerView } from '../objects';
import { K8S } from '../rules';
import { eachContainer } from './containers';

function checkImage(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const image = c.container.image;
  if (typeof image !== 'string' || image.trim() === '' || image.includes('$')) return;
  const ref = parseImage(image.trim());
  const floating = !ref.digest && (ref.tag === undefined || ref.tag === 'latest');
  const imagePath = [...c.path, 'image'];
  if (floating) {
    const what = ref.tag === 'latest' ? 'is `latest`' : 'has no tag, so it means `latest`';
    a.report(K8S.imageTag, view, imagePath,
      `Image \`${image}\` of container \`${c.name}\` ${what}: replicas can run different code and a rollback pulls the same moving tag. Pin a version tag (\`${ref.repository}:1.2.3\`) or a digest (\`@sha256:…\`).`);
  }
  const policy = c.container.imagePullPolicy;
  const policyPath = [...c.path, 'imagePullPolicy'];
  if (floating && (policy === 'IfNotPresent' || policy === 'Never')) {
    a.report(K8S.pullPolicy, view, policyPath,
      `\`imagePullPolicy: ${policy}\` with the moving image \`${image}\`: a node that already holds an older copy keeps running it. Use \`Always\`, or better, pin the image.`,
      { fixes: [a.fix('Set imagePullPolicy: Always', a.edits(view)?.replaceScalar(policyPath, 'Always'))] });
  } else if (ref.digest && policy === 'Always') {
    a.report(K8S.pullPolicy, view, policyPath,
      `\`imagePullPolicy: Always\` with a digest-pinned image: the digest cannot change, so every start only adds a registry round-trip (and fails when the registry is down). Use \`IfNotPresent\`.`,
      { severity: 'info', fixes: [a.fix('Set imagePullPolicy: IfNotPresent', a.edits(view)?.replaceScalar(policyPath, 'IfNotPresent'))] });
  }
}

export function checkImages(a: ManifestAnalysis): void {
  eachContainer(a, (view, c) => checkImage(a, view, c), { patches: true });
}
