import path from 'node:path';
import { openDatabase } from '../../../main/core/db/database.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { runMemoryBackendContract } from '../../contract/memory-backend.contract.js';
import { tempDir } from '../../support/tmp.js';

runMemoryBackendContract('local SQLite', async () => {
  const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
  const backend = new LocalMemoryBackend(db);
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    db.close();
  };
  return backend;
});
