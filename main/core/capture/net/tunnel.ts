// CONNECT to a host we do not intercept: a plain TCP tunnel, bytes copied both ways untouched, so
// the client does its own TLS with the real server and sees that server's own certificate.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TUNNEL_COUNTER_NAMES } from './net-messages.js';
import type { Counters } from './shared-counters.js';

export type TunnelCounters = Counters<(typeof TUNNEL_COUNTER_NAMES)[number]>;

export interface HostPort {
  host: string;
  port: number;
}

/** "host:port" or "[v6]:port" of a CONNECT request line; null when unusable. */
export function parseAuthority(authority: string | undefined, defaultPort = 443): HostPort | null {
  if (!authority) return null;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) return null;
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: m[1]!.toLowerCase(), port };
}

export function openTunnel(
  client: Duplex,
  head: Buffer,
  target: HostPort,
  counters: TunnelCounters,
  onError: (stage: string, err: Error) => void,
): void {
  counters.tunnels++;
  let connected = false;
  const server = net.connect({ host: target.host, port: target.port });
  server.setNoDelay(true);
  const done = () => {
    counters.tunnelBytesUp += server.bytesWritten;
    counters.tunnelBytesDown += server.bytesRead;
  };
  server.once('connect', () => {
    connected = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) server.write(head);
    client.pipe(server);
    server.pipe(client);
  });
  server.on('error', (err) => {
    counters.tunnelErrors++;
    onError('tunnel_upstream', err);
    if (!connected && client.writable) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    } else client.destroy();
  });
  server.on('close', () => {
    done();
    client.destroy();
  });
  client.on('error', () => server.destroy());
  client.on('close', () => server.destroy());
}
