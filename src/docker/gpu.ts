/**
 * GPU requests, asked for honestly: what the engine says it can do (runtimes, CDI devices) before a
 * container asks for a GPU, the device request itself (what `docker run --gpus` sends), and the
 * engine's refusal turned into one plain message.
 */
import type Dockerode from 'dockerode';

/** What `/info` says about GPUs. */
export interface GpuSupport {
  /** Runtime names the engine has (`runc`, `nvidia`, ...). */
  runtimes: string[];
  /** An `nvidia` runtime is registered, or NVIDIA CDI devices are discovered. */
  nvidia: boolean;
  /** CDI device names the engine discovered (API 1.50+), e.g. `nvidia.com/gpu=0`. */
  cdiDevices: string[];
  /** One line: what was found. */
  summary: string;
}

/** The `/info` fields read here. */
export interface InfoRecord {
  Runtimes?: Record<string, unknown> | null;
  DefaultRuntime?: string;
  CDISpecDirs?: string[] | null;
  DiscoveredDevices?: { Source?: string; ID?: string }[] | null;
}

export function gpuSupportFromInfo(info: InfoRecord): GpuSupport {
  const runtimes = Object.keys(info.Runtimes ?? {}).sort();
  const cdiDevices = (info.DiscoveredDevices ?? []).filter((d) => d.Source === 'cdi' && d.ID).map((d) => d.ID!);
  const nvidiaCdi = cdiDevices.some((id) => id.startsWith('nvidia.com/gpu'));
  const nvidia = runtimes.includes('nvidia') || info.DefaultRuntime === 'nvidia' || nvidiaCdi;
  const summary = nvidia
    ? `NVIDIA support: ${[runtimes.includes('nvidia') ? 'nvidia runtime' : '', nvidiaCdi ? `${cdiDevices.length} CDI device(s)` : ''].filter(Boolean).join(', ')}`
    : `no NVIDIA runtime (runtimes: ${runtimes.join(', ') || 'none'}${cdiDevices.length ? `; CDI: ${cdiDevices.join(', ')}` : ''})`;
  return { runtimes, nvidia, cdiDevices, summary };
}

/** What `docker run --gpus all` (or `--gpus N`) sends. */
export function gpuDeviceRequest(gpus: 'all' | number): Dockerode.DeviceRequest {
  return { Driver: '', Count: gpus === 'all' ? -1 : gpus, DeviceIDs: [], Capabilities: [['gpu']], Options: {} };
}

/** Engine errors that mean "this engine cannot give a container a GPU". */
export function isGpuRefusal(message: string): boolean {
  return /could not select device driver|nvidia-container-cli|unknown or invalid runtime name: nvidia|CDI device injection failed|no known GPU vendor|failed to discover GPU vendor|unresolvable CDI devices/i.test(message);
}

/** The one message for a GPU request this engine cannot meet, with what to do about it. */
export function noNvidiaRuntimeMessage(support: GpuSupport | undefined, where: string, engineMessage?: string): { message: string; hint: string } {
  const found = support ? ` (runtimes: ${support.runtimes.join(', ') || 'none'}${support.cdiDevices.length ? `; CDI devices: ${support.cdiDevices.join(', ')}` : ''})` : '';
  return {
    message: `The Docker engine at ${where} has no NVIDIA runtime${found}, so it cannot give the container a GPU${engineMessage ? `: ${engineMessage}` : ''}.`,
    hint: 'Install the NVIDIA Container Toolkit on the engine\'s host and run `sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker` (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html), or run without a GPU.',
  };
}
