/**
 * The Dockerfile rules' documentation entries, in id order. Ids are stable: a retired rule keeps
 * its id reserved and is never reused. Each rule's default severity is read from here, so a rule
 * file never spells a severity itself.
 */
import type { RuleDoc, Severity } from '../types';

/** Ids of the Dockerfile rules, by short name. */
export const DF = {
  syntax: 'MS-DF000',
  untaggedBase: 'MS-DF001',
  runsAsRoot: 'MS-DF002',
  pipCache: 'MS-DF003',
  aptRecommends: 'MS-DF004',
  aptLists: 'MS-DF005',
  shellForm: 'MS-DF006',
  secret: 'MS-DF007',
  copySource: 'MS-DF008',
  relativeWorkdir: 'MS-DF009',
  pipefail: 'MS-DF010',
  addUrl: 'MS-DF011',
  buildContext: 'MS-DF012',
  servedModel: 'MS-DF013',
  lfsPointer: 'MS-DF014',
  cudaCpuWheels: 'MS-DF015',
  cudaTwice: 'MS-DF016',
  tensorflowCuda: 'MS-DF017',
  unpinned: 'MS-DF018',
  healthcheck: 'MS-DF019',
} as const;

export type DockerfileRuleId = (typeof DF)[keyof typeof DF];

const doc = (id: DockerfileRuleId, name: string, defaultSeverity: Severity, fixable: boolean, summary: string, description: string): RuleDoc =>
  ({ id, name, category: 'dockerfile', defaultSeverity, summary, description, fixable });

/** The dockerfile rules' documentation entries. */
export const RULES: RuleDoc[] = [
  doc(DF.syntax, 'dockerfile-syntax', 'error', false,
    'The Dockerfile parses and its instructions have valid arguments.',
    'Problems the Docker builder would refuse (unknown instructions, missing arguments, bad flags, malformed JSON) or that it accepts but probably did not mean (lowercase keywords, several CMDs in one stage). Found by dockerfile-utils; each finding keeps that check\'s severity. Relative WORKDIRs are reported by MS-DF009 instead.'),
  doc(DF.untaggedBase, 'untagged-base-image', 'warning', true,
    'Every FROM names a tag (other than `latest`) or a digest.',
    'An untagged image means `:latest`, which changes under you: two builds of the same commit can get different Python, CUDA or system libraries, and some images (nvidia/cuda) have no `latest` at all. Pin a tag such as `python:3.11-slim`, or a digest for full reproducibility. The fix pins the official `python` image to the project\'s Python version.'),
  doc(DF.runsAsRoot, 'runs-as-root', 'warning', true,
    'The final stage switches to a non-root USER before the server starts.',
    'A model server that runs as root turns any remote-code bug (a malicious pickle, a deserialisation flaw) into root in the container, and Kubernetes `runAsNonRoot` refuses such images. Add `USER 10001:10001` (numeric, so Kubernetes can verify it) after the last step that needs root. The fix inserts it before CMD/ENTRYPOINT, or at the end of the file when build steps follow them.'),
  doc(DF.pipCache, 'pip-no-cache-dir', 'warning', true,
    '`pip install` runs with `--no-cache-dir` (or `uv pip install` with `--no-cache`).',
    'pip keeps every wheel it downloads under ~/.cache/pip, and that cache is written into the layer: for PyTorch or TensorFlow that is gigabytes of dead weight. Pass `--no-cache-dir`, set `PIP_NO_CACHE_DIR=1`, or use a BuildKit cache mount (`RUN --mount=type=cache,target=/root/.cache/pip`), which keeps the cache out of the image.'),
  doc(DF.aptRecommends, 'apt-install-recommends', 'warning', true,
    '`apt-get install` runs with `--no-install-recommends`.',
    'Without it apt also installs every "recommended" package, often hundreds of megabytes the server never uses (documentation, X libraries, compilers). The fix inserts `--no-install-recommends`.'),
  doc(DF.aptLists, 'apt-lists-kept', 'warning', true,
    'A RUN that runs `apt-get update` in a stage that reaches the image also removes /var/lib/apt/lists.',
    'The package lists `apt-get update` downloads (tens of megabytes) stay in the layer unless the same RUN deletes them; deleting them in a later RUN does not shrink the image. End the RUN with `&& rm -rf /var/lib/apt/lists/*`, which the fix appends. Stages that only feed `COPY --from` are not checked.'),
  doc(DF.shellForm, 'shell-form-command', 'warning', true,
    'CMD and ENTRYPOINT use the exec (JSON) form, or `exec` the server.',
    'In shell form Docker runs `/bin/sh -c "..."`, so the shell is PID 1 and does not pass SIGTERM on: `docker stop` and Kubernetes wait out the grace period and then kill the server mid-request. Write `CMD ["python", "-m", "serving"]`, or start a shell command with `exec` when it needs variable expansion. The fix converts simple commands to JSON and prefixes others with `exec`.'),
  doc(DF.secret, 'secret-in-build-config', 'error', false,
    'No ARG or ENV holds a credential (HF_TOKEN, WANDB_API_KEY, *_TOKEN, *_SECRET, *PASSWORD, *_API_KEY...).',
    'ENV values are stored in the image config and ARG values in its history: anyone who can pull the image can read them with `docker history` or `docker inspect`. Pass build-time credentials as BuildKit secrets (`RUN --mount=type=secret,id=hf_token,env=HF_TOKEN ...`, built with `--secret id=hf_token,env=HF_TOKEN`) and run-time ones as container environment (`docker run -e HF_TOKEN`, a Kubernetes Secret).'),
  doc(DF.copySource, 'copy-source-unavailable', 'error', false,
    'Every COPY/ADD source exists in the build context and is not excluded by .dockerignore.',
    'The build context is the Dockerfile\'s folder minus what .dockerignore excludes; a source outside it fails the build with "not found" (or, for a folder, silently copies less). Remove the exclusion (or add a `!path` exception at the end of .dockerignore), or fix the path. The served model is reported by MS-DF013 instead.'),
  doc(DF.relativeWorkdir, 'relative-workdir', 'warning', true,
    'WORKDIR paths are absolute.',
    'A relative WORKDIR is resolved against the previous one, or against the base image\'s, which can change with the base tag. Write the absolute path; the fix writes the path it resolves to today.'),
  doc(DF.pipefail, 'pipe-without-pipefail', 'warning', true,
    'A RUN with a pipe fails when any command of the pipe fails.',
    'A shell pipeline\'s status is that of its last command, so `curl ... | tar x` "succeeds" after a failed download and the build goes on with a broken layer. Run the RUN under `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (busybox images: `/bin/ash`), or start it with `set -o pipefail &&` in a shell that supports it. The fix inserts the SHELL instruction.'),
  doc(DF.addUrl, 'add-remote-url', 'warning', false,
    'ADD does not download URLs without a checksum.',
    'ADD of a URL fetches whatever the server returns at build time, unverified, and re-downloads it on every cache miss. Download with `RUN curl -fsSL URL -o file && echo "<sha256>  file" | sha256sum -c -`, or pass `ADD --checksum=sha256:<hash>`; for files in the project use COPY.'),
  doc(DF.buildContext, 'large-build-context', 'warning', false,
    '`COPY .` does not send datasets, unrelated model weights or more than 100 MB into the image.',
    'Everything the build context holds that .dockerignore does not exclude is sent to the builder and, with `COPY .`, written into the image: datasets, checkpoints of other experiments, the .git folder. The image grows by gigabytes and every change to any of them rebuilds the layer. Exclude them in .dockerignore, or COPY only the app and the served model.'),
  doc(DF.servedModel, 'served-model-unavailable', 'error', false,
    'The model the image serves (its COPY source, or what MODEL_PATH points at) is in the build context and not excluded by .dockerignore.',
    'When .dockerignore excludes the model (a `**/*.pt` rule, say) or the path is wrong, the build fails with "not found", or the image builds and the server fails at start. Add a `!model/path` exception at the end of .dockerignore, fix the COPY source, or declare a VOLUME when the model is mounted at run time.'),
  doc(DF.lfsPointer, 'lfs-pointer-copied', 'error', false,
    'No COPY sends a Git LFS pointer where the model should be.',
    'A checkout without `git lfs pull` holds a ~130-byte text pointer instead of the weights. The image builds, and the server fails to load the "model" at start. Run `git lfs pull` before `docker build` (in CI, `actions/checkout` with `lfs: true`).'),
  doc(DF.cudaCpuWheels, 'cuda-base-cpu-wheels', 'warning', false,
    'An image on an nvidia/cuda base does not install CPU-only PyTorch wheels.',
    'CPU-only wheels (`--index-url .../whl/cpu`, `torch==X+cpu`) never use the GPU, so the CUDA base only adds gigabytes. Use `python:<version>-slim` for a CPU image, or install the CUDA wheels (`.../whl/cu121`) for a GPU one.'),
  doc(DF.cudaTwice, 'cuda-twice', 'warning', true,
    'PyTorch\'s CUDA wheels are not installed on a CUDA runtime or devel image.',
    'PyTorch\'s Linux wheels bring their own CUDA and cuDNN (bundled or as nvidia-* wheels); on an nvidia/cuda runtime, cudnn or devel image the libraries ship twice, several gigabytes. Use `python:<version>-slim` (the wheels need only the host\'s NVIDIA driver) or the `nvidia/cuda:<version>-base-<os>` flavour. The fix switches a runtime image to its base flavour.'),
  doc(DF.tensorflowCuda, 'tensorflow-cuda-mismatch', 'error', true,
    'A pinned TensorFlow matches the CUDA and cuDNN of the nvidia/cuda base, per TensorFlow\'s tested-build table.',
    'TensorFlow loads the system CUDA and cuDNN it was built against; with another major (or an older minor) it logs "Could not load dynamic library" and silently runs on the CPU. The table Modelship uses for its own GPU images names an image for each release; the fix switches to it when it runs the same Ubuntu and needs no extra packages.'),
  doc(DF.unpinned, 'unpinned-python-packages', 'warning', true,
    'pip installs exact versions (`name==x.y.z`), inline or from the requirements files the Dockerfile installs.',
    'An unpinned package resolves to whatever is newest on the day of the build, so a rebuild can load the model with another scikit-learn or torch than the one that saved it, and fail or mispredict. Pin every package (pip-compile or `pip freeze` write pinned files). The fix pins an inline package to the version the project\'s requirements already pin.'),
  doc(DF.healthcheck, 'no-healthcheck', 'info', false,
    'The final stage declares a HEALTHCHECK.',
    'Without one, `docker ps` and Compose cannot tell a server that is still loading a large model, or stuck, from a healthy one. Probe the readiness endpoint, e.g. `HEALTHCHECK CMD ["python", "-c", "import urllib.request as u; u.urlopen(\'http://127.0.0.1:8080/readyz\', timeout=4)"]`; Kubernetes ignores it and uses its own probes, so `HEALTHCHECK NONE` silences this on purpose.'),
];

const SEVERITY = new Map(RULES.map((r) => [r.id, r.defaultSeverity]));

/** The default severity of a Dockerfile rule. */
export function defaultSeverity(id: DockerfileRuleId): Severity {
  return SEVERITY.get(id) ?? 'warning';
}
