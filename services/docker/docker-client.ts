import Docker from 'dockerode';

/**
 * Builds a Docker engine client for DOCKER_HOST: a socket path, `unix://`,
 * `tcp://`/`http(s)://` or `ssh://user@host`. No request timeout on purpose:
 * docker-modem applies it as an inactivity timeout, which would cut a long dump.
 * A request refused with HTTP 403 fails with an error saying so (see
 * explainDenied); the client is otherwise dockerode's own.
 */
export function createDockerClient(host: string): Docker {
  return explainDenied(connect(host));
}

function connect(host: string): Docker {
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

type DockerError = Error & { statusCode?: number; json?: unknown };
type Dial = (options: { method?: string; path?: string }, callback: (error: DockerError | null, data: unknown) => void) => unknown;

/**
 * Rewords a 403 from every request of `docker` (docker-modem's one `dial`):
 * docker-modem says "(HTTP code 403) unexpected - <html>…", which hides that
 * the Docker socket proxy of docker-compose.yml refused the endpoint. A JSON
 * body is Docker's own refusal (an authorization plugin) and is quoted. The
 * new error keeps statusCode and the original as its cause.
 */
function explainDenied(docker: Docker): Docker {
  const modem = docker.modem as { dial: Dial };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) =>
    dial(options, (error, data) => callback(error?.statusCode === 403 ? deniedError(error, options) : error, data));
  return docker;
}

function deniedError(error: DockerError, options: { method?: string; path?: string }): DockerError {
  const request = `${options.method ?? 'GET'} ${(options.path ?? '').split('?')[0]}`;
  const daemon = typeof error.json === 'object' && error.json !== null && !Buffer.isBuffer(error.json) ? (error.json as { message?: unknown }).message : undefined;
  const message =
    typeof daemon === 'string'
      ? `Docker refused ${request} (HTTP 403): ${daemon}`
      : `denied by the Docker socket proxy (HTTP 403): ${request} is not on its allow-list; odoo-ops needs CONTAINERS=1, EXEC=1, POST=1, ALLOW_START=1 and ALLOW_STOP=1 on the proxy (docker-compose.yml, service docker-proxy)`;
  return Object.assign(new Error(message, { cause: error }), { statusCode: 403, json: error.json });
}
