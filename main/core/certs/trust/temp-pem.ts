// A CA PEM in a private temporary directory for user-level tools that only read files (security,
// certutil). The directory is mode 0700 and removed afterwards, whatever happens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function withTempPem<T>(
  pem: string,
  fn: (file: string) => Promise<T>,
  ext = '.pem',
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-ca-'));
  try {
    const file = path.join(dir, `ca${ext}`);
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return await fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
