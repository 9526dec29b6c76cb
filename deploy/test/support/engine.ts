import { request } from 'node:http';

/**
 * The container engine's HTTP API (Docker's, which Podman also serves), reached where the
 * Docker CLI and docker-compose would reach it: $DOCKER_HOST, else /var/run/docker.sock.
 * Only what the staging test needs: is it there, and which containers, networks and volumes
 * belong to a compose project.
 */
export interface EngineAddress {
  /** As given, for messages: unix:///run/podman.sock, tcp://127.0.0.1:2375 */
  readonly url: string;
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
}

export function engineAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const url = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (url.startsWith('unix://')) return { url, socketPath: url.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(url);
  if (tcp) return { url, host: tcp[1], port: Number(tcp[2]) };
  throw new Error(`DOCKER_HOST=${url}: only unix:// and tcp:// (without TLS) are supported here`);
}

export interface EngineResponse {
  status: number;
  body: string;
}

/** One API call; `body` is sent as JSON. Rejects only when the engine cannot be reached. */
export function engineCall(
  address: EngineAddress,
  method: string,
  path: string,
  opts: { body?: unknown; timeoutMs?: number } = {},
): Promise<EngineResponse> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: address.socketPath,
        host: address.host ?? 'localhost',
        port: address.port,
        method,
        path,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
          : {},
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: engine did not answer`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A call that must answer 2xx with JSON (or nothing). */
export async function engineJson<T>(
  address: EngineAddress,
  method: string,
  path: string,
  opts: { body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const response = await engineCall(address, method, path, opts);
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`${method} ${path} → ${response.status}: ${response.body.slice(0, 500)}`);
  }
  return (response.body ? JSON.parse(response.body) : undefined) as T;
}

export type EngineStatus =
  | { reachable: true; address: EngineAddress; description: string }
  | { reachable: false; reason: string };

/** Is an engine answering at DOCKER_HOST (or the default socket)? Never throws. */
export async function probeEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineStatus> {
  let address: EngineAddress;
  try {
    address = engineAddress(env);
  } catch (err) {
    return { reachable: false, reason: (err as Error).message };
  }
  try {
    const version = await engineJson<{
      Version?: string;
      Components?: Array<{ Name?: string }>;
    }>(address, 'GET', '/version', { timeoutMs: 5_000 });
    const name = version.Components?.[0]?.Name ?? 'Engine';
    return {
      reachable: true,
      address,
      description: `${name} ${version.Version} at ${address.url}`,
    };
  } catch (err) {
    return {
      reachable: false,
      reason: `no container engine answers at ${address.url} (${(err as Error).message})`,
    };
  }
}

const labelFilter = (labels: string[]) => encodeURIComponent(JSON.stringify({ label: labels }));

export interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string>;
}

/** Containers of a compose project (of one service if given), running or not. */
export function projectContainers(
  address: EngineAddress,
  project: string,
  service?: string,
): Promise<ContainerSummary[]> {
  const labels = [`com.docker.compose.project=${project}`];
  if (service) labels.push(`com.docker.compose.service=${service}`);
  return engineJson(address, 'GET', `/containers/json?all=true&filters=${labelFilter(labels)}`);
}

export interface ContainerDetails {
  Id: string;
  Name: string;
  Config: { Hostname: string; User: string; Labels: Record<string, string> };
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Health?: { Status: string };
  };
}

export const inspectContainer = (address: EngineAddress, id: string) =>
  engineJson<ContainerDetails>(address, 'GET', `/containers/${id}/json`);

/** Docker's `stop`: SIGTERM (the image's stop signal), SIGKILL after `graceSeconds`. */
export const stopContainer = (address: EngineAddress, id: string, graceSeconds: number) =>
  engineJson<void>(address, 'POST', `/containers/${id}/stop?t=${graceSeconds}`, {
    timeoutMs: (graceSeconds + 30) * 1000,
  });

export const startContainer = (address: EngineAddress, id: string) =>
  engineJson<void>(address, 'POST', `/containers/${id}/start`);

/**
 * Networks and volumes a compose project left behind. Compose labels both with the project;
 * networks are also matched by the `<project>_` name prefix compose gives them, in case an
 * engine drops the labels.
 */
export async function projectNetworksAndVolumes(
  address: EngineAddress,
  project: string,
): Promise<{ networks: string[]; volumes: string[] }> {
  const networks = await engineJson<Array<{ Name: string; Labels?: Record<string, string> }>>(
    address,
    'GET',
    '/networks',
  );
  const volumes = await engineJson<{
    Volumes: Array<{ Name: string; Labels?: Record<string, string> }> | null;
  }>(address, 'GET', '/volumes');
  const ours = (item: { Name: string; Labels?: Record<string, string> | null }) =>
    item.Labels?.['com.docker.compose.project'] === project || item.Name.startsWith(`${project}_`);
  return {
    networks: networks.filter(ours).map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).filter(ours).map((v) => v.Name),
  };
}

/** Remove an image tag; the layers stay while another image (the build cache) uses them. */
export async function removeImageTag(address: EngineAddress, reference: string): Promise<void> {
  const response = await engineCall(
    address,
    'DELETE',
    `/images/${encodeURIComponent(reference)}?noprune=true`,
  );
  if (response.status !== 200 && response.status !== 404) {
    throw new Error(`DELETE image ${reference} → ${response.status}: ${response.body}`);
  }
}

/** The subnets of every network the engine has (IPv4 and IPv6), to pick one that is free. */
export async function usedSubnets(address: EngineAddress): Promise<string[]> {
  const networks = await engineJson<
    Array<{ IPAM?: { Config?: Array<{ Subnet?: string }> | null } | null }>
  >(address, 'GET', '/networks');
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
}

export interface ProcessOutput {
  stdout: string;
  stderr: string;
}

/**
 * The engine's stream format for a container without a TTY (logs, exec): frames of an 8-byte
 * header (stream 1 = stdout, 2 = stderr; then the payload size, big-endian) and the payload.
 */
export function demultiplex(raw: Buffer): ProcessOutput {
  const out: Record<number, Buffer[]> = { 1: [], 2: [] };
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at]!;
    const size = raw.readUInt32BE(at + 4);
    out[stream]?.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return {
    stdout: Buffer.concat(out[1]!).toString('utf8'),
    stderr: Buffer.concat(out[2]!).toString('utf8'),
  };
}

/** One call whose answer is the engine's multiplexed stream, read to its end. */
function engineStream(
  address: EngineAddress,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<Buffer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: address.socketPath,
        host: address.host ?? 'localhost',
        port: address.port,
        method,
        path,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
          : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          if ((res.statusCode ?? 0) >= 300) {
            reject(new Error(`${method} ${path} → ${res.statusCode}: ${all.toString('utf8')}`));
          } else resolve(all);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no end in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** `docker exec` without a TTY: run `cmd` in a running container, wait, collect its output. */
export async function execInContainer(
  address: EngineAddress,
  id: string,
  cmd: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProcessOutput & { exitCode: number }> {
  const exec = await engineJson<{ Id: string }>(address, 'POST', `/containers/${id}/exec`, {
    body: {
      Cmd: cmd,
      Env: Object.entries(opts.env ?? {}).map(([name, value]) => `${name}=${value}`),
      AttachStdout: true,
      AttachStderr: true,
    },
  });
  const raw = await engineStream(
    address,
    'POST',
    `/exec/${exec.Id}/start`,
    { Detach: false, Tty: false },
    opts.timeoutMs ?? 120_000,
  );
  const state = await engineJson<{ ExitCode: number | null; Running: boolean }>(
    address,
    'GET',
    `/exec/${exec.Id}/json`,
  );
  return { ...demultiplex(raw), exitCode: state.ExitCode ?? -1 };
}

/** A container's log so far (stdout and stderr). */
export async function containerLogs(address: EngineAddress, id: string): Promise<ProcessOutput> {
  return demultiplex(
    await engineStream(
      address,
      'GET',
      `/containers/${id}/logs?stdout=true&stderr=true`,
      undefined,
      60_000,
    ),
  );
}

/** Compose project names of every container the engine has, running or not. */
export async function allComposeProjects(address: EngineAddress): Promise<Set<string>> {
  const containers = await engineJson<ContainerSummary[]>(
    address,
    'GET',
    `/containers/json?all=true`,
  );
  return new Set(
    containers.map((c) => c.Labels?.['com.docker.compose.project']).filter(Boolean) as string[],
  );
}
