// Who may talk to our loopback servers (API, MCP, gateway): only clients that address us by our own
// loopback name and port. Kept apart from the API server so the capture network thread can use it
// without loading Express.

/** Host header values that may reach us: only our own loopback address and port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}
