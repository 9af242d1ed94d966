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

/**
 * Read buffers for what tunnelled servers send (the bulk of a tunnel's bytes), each used again once
 * the client socket has written its bytes: a 64 KB Buffer allocated per read made V8 collect garbage
 * about as long as the thread spent writing. At most MAX_SPARE_BUFFERS are kept spare (4 MB).
 */
const READ_BUFFER_SIZE = 64 * 1024;
const MAX_SPARE_BUFFERS = 64;
/** Bytes a tunnel's client may have waiting to be written before the server is read again. */
const MAX_PENDING_BYTES = 1024 * 1024;
const spareBuffers: Uint8Array[] = [];
const readBuffer = (): Uint8Array => spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
const reuse = (buffer: Uint8Array) => {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
};

export function openTunnel(
  client: Duplex,
  head: Buffer,
  target: HostPort,
  counters: TunnelCounters,
  onError: (stage: string, err: Error) => void,
): void {
  counters.tunnels++;
  let connected = false;
  const server = net.connect({
    host: target.host,
    port: target.port,
    onread: {
      buffer: readBuffer,
      // Called with each read; the buffer is not read into again until `reuse` gets it back.
      callback: (bytes, buffer) => {
        client.write(buffer.subarray(0, bytes), (err) => err || reuse(buffer));
        // A 64 KB write is over a socket's 16 KB high-water mark even when the kernel took it at
        // once: pausing on write()'s false would stop and restart reading after every read.
        const more = client.writableLength < MAX_PENDING_BYTES;
        if (!more) client.once('drain', () => server.resume());
        return more;
      },
    },
  });
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
    server.on('end', () => client.end());
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
