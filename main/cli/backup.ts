// `mem0-tray backup FILE` and `mem0-tray restore FILE`.
import type { Command } from 'commander';
import { backupDatabase, restoreDatabase } from '../core/db/backup.js';
import { assertNotRunning } from '../core/runtime-file.js';
import type { CliEnv } from './env.js';

export function registerBackupCommands(program: Command, cli: CliEnv): void {
  program
    .command('backup')
    .description('write a consistent copy of the database (safe while Mem0 Tray runs)')
    .argument('<file>')
    .action(async (file: string) => {
      const { bytes } = await backupDatabase(cli.db(), file);
      cli.out(`Backup written to ${file} (${bytes} bytes).`);
    });

  program
    .command('restore')
    .description('replace the database with a backup (Mem0 Tray must not be running)')
    .argument('<file>')
    .action(async (file: string) => {
      const paths = cli.privatePaths();
      assertNotRunning(paths.runtime, 'restore a backup');
      const { keptAs, memories } = await restoreDatabase(file, paths.database);
      cli.out(`Restored ${memories} memories from ${file}.`);
      if (keptAs) cli.out(`The previous database was kept as ${keptAs}.`);
    });
}
