// Claude Desktop: whether its config launches our MCP server, and the switch that writes it.
import type { ConnectionsInfo } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { Unavailable } from '../components/bits';

export function ClaudeDesktopSection({
  desktop,
  onChanged,
  onError,
}: {
  desktop: ConnectionsInfo['claudeDesktop'];
  onChanged(info: ConnectionsInfo): void;
  onError(err: unknown): void;
}) {
  const client = useClient();
  return (
    <>
      <h2>Claude Desktop</h2>
      {!desktop.available ? (
        <Unavailable reason={desktop.reason} />
      ) : (
        <div className="row-actions">
          <span className={desktop.connected ? 'ok' : 'muted'}>
            {desktop.connected ? 'Connected' : 'Not connected'}
          </span>
          <span className="muted mono">{desktop.configPath}</span>
          <button
            type="button"
            onClick={() =>
              (desktop.connected ? client.disconnectClaudeDesktop({}) : client.connectClaudeDesktop({})).then(
                onChanged,
                onError,
              )
            }
          >
            {desktop.connected ? 'Disconnect' : 'Connect'}
          </button>
        </div>
      )}
    </>
  );
}
