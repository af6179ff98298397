import Docker from 'dockerode';

/**
 * Builds a Docker engine client for DOCKER_HOST: a socket path, `unix://`,
 * `tcp://`/`http(s)://` or `ssh://user@host`. No request timeout on purpose:
 * docker-modem applies it as an inactivity timeout, which would cut a long dump.
 */
export function createDockerClient(host: string): Docker {
  if (host.startsWith('/')) return new Docker({ socketPath: host });
  const url = new URL(host);
  switch (url.protocol) {
    case 'unix:':
      return new Docker({ socketPath: url.pathname });
    case 'tcp:':
    case 'http:':
      return new Docker({ protocol: 'http', host: url.hostname, port: Number(url.port || 2375) });
    case 'https:':
      return new Docker({ protocol: 'https', host: url.hostname, port: Number(url.port || 2376) });
    case 'ssh:':
      return new Docker({ protocol: 'ssh', host: url.hostname, port: Number(url.port || 22), username: url.username || undefined });
    default:
      throw new Error(`unsupported DOCKER_HOST scheme ${url.protocol}`);
  }
}
