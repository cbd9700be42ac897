/** MS-DF007: no credential in ARG or ENV, where `docker history` and `docker inspect` show it. */
import type { Rule } from '../analysis';
import { DF } from '../rules';

const KNOWN = new Set(['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACE_TOKEN', 'WANDB_API_KEY', 'OPENAI_API_KEY', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_PAT', 'NGC_API_KEY', 'COMET_API_KEY', 'NEPTUNE_API_TOKEN', 'MLFLOW_TRACKING_PASSWORD',
  'AZURE_CLIENT_SECRET', 'AZURE_STORAGE_KEY', 'GOOGLE_API_KEY', 'ANTHROPIC_API_KEY', 'PIP_INDEX_URL_PASSWORD']);
/** Name endings that hold a credential; `_FILE`, `_PATH` and the like name where one is, and are fine. */
const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|API_?KEY|ACCESS_KEY|SECRET_KEY|PRIVATE_KEY|CREDENTIALS?|PAT)$|PASSW(?:OR)?D$/i;

export function isSecretName(name: string): boolean {
  return KNOWN.has(name.toUpperCase()) || SECRET_NAME.test(name);
}

export const secretInBuildConfig: Rule = (a) => {
  for (const ins of a.model.instructions) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
    for (const prop of a.model.props(ins)) {
      if (!isSecretName(prop.name)) continue;
      const hasValue = prop.value !== null && prop.value !== '';
      if (ins.keyword === 'ENV' && !hasValue) continue;
      const lower = prop.name.toLowerCase();
      const where = ins.keyword === 'ENV'
        ? `ENV ${prop.name} stores ${hasValue && !prop.value!.includes('$') ? 'a credential' : 'the credential it expands to'} in the image config, where anyone who pulls the image reads it (docker inspect)`
        : `ARG ${prop.name}${hasValue ? ' has a credential as its default and' : ''} records the value passed with --build-arg in the image history (docker history)`;
      a.report(DF.secret, prop.nameRange, `${where}: for build steps use a BuildKit secret (RUN --mount=type=secret,id=${lower},env=${prop.name} ..., built with --secret id=${lower},env=${prop.name}); at run time pass it as environment (docker run -e ${prop.name}, a Kubernetes Secret).`);
    }
  }
};
