/**
 * GPU images, checked against the compatibility table the generator uses (scaffold/dockerfile/gpuTable.ts):
 * MS-DF015: an nvidia/cuda base with CPU-only PyTorch wheels.
 * MS-DF016: PyTorch's CUDA wheels (or tensorflow[and-cuda]) on a CUDA runtime/devel image: CUDA twice.
 * MS-DF017: a pinned TensorFlow whose CUDA/cuDNN the nvidia/cuda base does not provide.
 * The image that counts is the final stage's base: builder stages only feed it their venv.
 */
import { exactVersion } from '../../../detect/requirements/pinning';
import { normalizeName } from '../../../detect/requirements/pep508';
import { TENSORFLOW_ROWS, UBUNTU_PYTHON, type TensorflowRow } from '../../../scaffold/dockerfile/gpuTable';
import type { Analysis, Rule } from '../analysis';
import type { Fix, Range } from '../../types';
import { DF } from '../rules';
import { requirementsPath } from './pip';

interface CudaBase {
  image: string;
  range: Range;
  major: number;
  minor: number;
  flavour: 'base' | 'runtime' | 'devel' | 'other';
  /** cuDNN major from the tag (`cudnn8`; a bare `cudnn` is 9). */
  cudnn: number | undefined;
  ubuntu: string | undefined;
}

interface PackageUse {
  name: string;
  specifier: string;
  extras: string;
  range: Range;
  /** How the message names it: `pip install torch==2.3.1` or `requirements.txt (torch==2.3.1)`. */
  from: string;
}

interface Installs {
  packages: PackageUse[];
  indexes: { url: string; range: Range; from: string }[];
}

const CUDA_IMAGE = /(?:^|\/)nvidia\/cuda:(\d+)\.(\d+)(?:\.\d+)?-([^\s]*)$/;
const INDEX_OPTIONS = new Set(['-i', '--index-url', '--extra-index-url', '--index', '--default-index', '--extra-index', '-f', '--find-links']);
const TORCH = new Set(['torch', 'torchvision', 'torchaudio']);

function cudaBase(a: Analysis): CudaBase | undefined {
  const chain = a.model.chain(a.model.finalStage);
  const root = chain[chain.length - 1];
  const image = root?.resolved;
  const m = image ? CUDA_IMAGE.exec(image) : null;
  if (!root || !image || !m) return undefined;
  const rest = m[3]!;
  const flavour = /(^|-)devel(-|$)/.test(rest) ? 'devel' : /(^|-)runtime(-|$)/.test(rest) ? 'runtime' : /(^|-)base(-|$)/.test(rest) ? 'base' : 'other';
  const cudnn = /cudnn(\d*)/.exec(rest);
  return {
    image, range: root.imageRange ?? root.from.range, major: Number(m[1]), minor: Number(m[2]), flavour,
    cudnn: cudnn ? Number(cudnn[1] || 9) : undefined, ubuntu: /ubuntu(\d+\.\d+)/.exec(rest)?.[1],
  };
}

function installs(a: Analysis): Installs {
  const out: Installs = { packages: [], indexes: [] };
  const project = a.project;
  for (const at of a.pipInstalls) {
    for (const spec of at.pip.specs) {
      out.packages.push({ name: normalizeName(spec.name), specifier: spec.specifier, extras: spec.extras, range: a.wordRange(at.shell, spec.word), from: `pip install ${spec.word.text}` });
    }
    for (const option of at.pip.options) {
      const range = a.wordRange(at.shell, option.word, option.value ?? option.word);
      if (INDEX_OPTIONS.has(option.name) && option.text) out.indexes.push({ url: option.text, range, from: `${option.name} ${option.text}` });
      if ((option.name !== '-r' && option.name !== '--requirement') || !option.text || !project) continue;
      const path = requirementsPath(a, at.ins, option.text);
      if (!path) continue;
      for (const r of project.requirements.packages.filter((p) => p.source === path)) {
        out.packages.push({ name: r.normalizedName, specifier: r.specifier, extras: r.extras.length ? `[${r.extras.join(',')}]` : '', range, from: `${path} (${r.name}${r.specifier})` });
      }
      for (const o of project.requirements.options.filter((x) => x.source === path && INDEX_OPTIONS.has(x.option))) {
        out.indexes.push({ url: o.value, range, from: `${path} (${o.option} ${o.value})` });
      }
    }
  }
  return out;
}

/** A fix putting `image` in every FROM that names `old` literally (none when a variable spells it). */
function baseFix(a: Analysis, old: string, image: string): Fix[] {
  const edits = a.model.stages.filter((s) => s.image === old && s.imageRange).map((s) => ({ range: s.imageRange!, newText: image }));
  return edits.length > 0 ? [a.fix(`Use ${image}`, ...edits)] : [];
}

function pythonSlim(a: Analysis, base: CudaBase): string {
  const version = a.project?.python.version ?? (base.ubuntu ? UBUNTU_PYTHON[base.ubuntu] : undefined) ?? '<version>';
  return `python:${version}-slim`;
}

export const gpuWheels: Rule = (a) => {
  const base = cudaBase(a);
  if (!base) return;
  const used = installs(a);
  const cpu = [
    ...used.indexes.filter((i) => /\/whl\/cpu\/?$/.test(i.url)),
    ...used.packages.filter((p) => TORCH.has(p.name) && /\+cpu\b/.test(p.specifier)),
  ];
  const related = [{ range: base.range, message: `The CUDA base image, ${base.image}.` }];
  for (const evidence of cpu) {
    a.report(DF.cudaCpuWheels, evidence.range, `${base.image} is a CUDA image, but ${evidence.from} installs CPU-only PyTorch wheels, so the GPU is never used and CUDA only adds gigabytes: use ${pythonSlim(a, base)} for a CPU image, or the CUDA wheels (https://download.pytorch.org/whl/cu${base.major}${base.minor}) for a GPU one.`, { related });
  }
  if (cpu.length > 0 || (base.flavour !== 'runtime' && base.flavour !== 'devel' && base.cudnn === undefined)) return;
  const torch = used.packages.find((p) => p.name === 'torch') ?? used.packages.find((p) => p.name === 'tensorflow' && /and-cuda/.test(p.extras));
  if (!torch) return;
  const cudaIndex = used.indexes.find((i) => /\/whl\/cu\d+/.test(i.url));
  const wheels = torch.name === 'torch' ? `PyTorch's wheels (${torch.from}${cudaIndex ? `, ${cudaIndex.url}` : ''})` : `tensorflow[and-cuda] (${torch.from})`;
  const slimmer = base.image.replace(/-(cudnn\d*-)?(runtime|devel)-/, '-base-');
  const fixes = base.flavour === 'runtime' && slimmer !== base.image ? baseFix(a, base.image, slimmer) : [];
  const ships = `CUDA ${base.major}.${base.minor}${base.cudnn !== undefined ? ` and cuDNN ${base.cudnn}` : ''}${base.flavour === 'devel' ? ' with the compilers' : ''}`;
  a.report(DF.cudaTwice, base.range, `${base.image} ships ${ships}, and ${wheels} bring their own CUDA libraries, so the image carries CUDA twice (several GB): use ${pythonSlim(a, base)} (the wheels need only the host's NVIDIA driver) or ${slimmer}.`,
    { fixes, related: [{ range: torch.range, message: `${torch.from} brings CUDA.` }] });
};

export const tensorflowCudaMismatch: Rule = (a) => {
  const base = cudaBase(a);
  if (!base) return;
  const tf = installs(a).packages.find((p) => (p.name === 'tensorflow' || p.name === 'tensorflow-gpu') && !/and-cuda/.test(p.extras) && exactVersion(p.specifier));
  const version = tf ? exactVersion(tf.specifier)! : '';
  const row = TENSORFLOW_ROWS.find((r) => version.split('.').slice(0, 2).join('.') === r.release);
  if (!tf || !row || row.images.some((i) => i.image === base.image && i.aptPackages.length === 0)) return;
  const [major, minor] = row.cuda.split('.').map(Number) as [number, number];
  const cudnnWanted = Number(row.cudnn.split('.')[0]);
  const cudnnHave = base.cudnn ?? aptCudnn(a);
  if (base.major === major && base.minor >= minor && cudnnHave === cudnnWanted) return;
  const have = `CUDA ${base.major}.${base.minor} and ${cudnnHave === undefined ? 'no cuDNN' : `cuDNN ${cudnnHave}`}`;
  const suggestion = suggest(row, base);
  const fixes = suggestion.fixable ? baseFix(a, base.image, suggestion.image) : [];
  a.report(DF.tensorflowCuda, base.range, `${tf.from} was built against CUDA ${row.cuda} and cuDNN ${row.cudnn} (TensorFlow's tested-build table), but ${base.image} has ${have}, so TensorFlow cannot load the GPU libraries and silently runs on the CPU: use ${suggestion.text}.`,
    { fixes, related: [{ range: tf.range, message: `The TensorFlow pin, ${tf.name}==${version}.` }] });
};

/** The cuDNN major a RUN installs from NVIDIA's apt repository (`libcudnn8=...`), if any. */
function aptCudnn(a: Analysis): number | undefined {
  const stages = new Set(a.model.chain(a.model.finalStage).map((s) => s.index));
  for (const at of a.aptCommands) {
    if (!stages.has(at.ins.stage) || at.apt.sub !== 'install') continue;
    const m = at.apt.packages.map((p) => /^libcudnn(\d+)/.exec(p.text)).find(Boolean);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function suggest(row: TensorflowRow, base: CudaBase): { image: string; text: string; fixable: boolean } {
  const same = row.images.find((i) => i.ubuntu === base.ubuntu && i.aptPackages.length === 0);
  if (same) return { image: same.image, text: same.image, fixable: true };
  const first = row.images[0]!;
  const apt = first.aptPackages.length > 0 ? ` and apt-get install ${first.aptPackages.join(' ')} in the final stage` : '';
  return { image: first.image, text: `${first.image}${apt} (Ubuntu ${first.ubuntu}, Python ${UBUNTU_PYTHON[first.ubuntu] ?? '?'})`, fixable: false };
}
