// Connections: Claude Desktop, Claude Code (its server, recall hooks and token, and what the hooks
// last gave a session), MCP tokens and the audit log. The sections live in ../connections/; this
// page loads what several of them show and keeps them in step.
import type { ConnectionsInfo } from '../../../main/core/ui-api/contract';
import { useClient } from '../api/context';
import { errorMessage, useLoad } from '../api/use-load';
import { LoadState } from '../components/bits';
import { useToasts } from '../components/toasts';
import { AuditSection, useAuditLog } from '../connections/audit-section';
import { ClaudeCodeSection } from '../connections/claude-code-section';
import { ClaudeDesktopSection } from '../connections/claude-desktop-section';
import { TokensSection } from '../connections/tokens-section';

export function ConnectionsPage() {
  const client = useClient();
  const toasts = useToasts();
  const [conn, reloadConn, setConn] = useLoad(() => client.getConnections({}), [client]);
  const [tokens, reloadTokens, setTokens] = useLoad(() => client.listTokens({}), [client]);
  const audit = useAuditLog();

  const fail = (err: unknown) => toasts.show(errorMessage(err), { kind: 'error' });
  // Connecting makes (and may revoke) a token, disconnecting revokes it: the token list follows.
  const claudeCode = (call: () => Promise<ConnectionsInfo>) =>
    call().then((r) => {
      setConn(r);
      reloadTokens();
      audit.reload();
    }, fail);

  return (
    <section className="page" aria-labelledby="conn-title">
      <header className="page-head">
        <h1 id="conn-title">Connections</h1>
      </header>
      <LoadState loaded={conn} onRetry={reloadConn}>
        {(c) => (
          <>
            <ClaudeDesktopSection desktop={c.claudeDesktop} onChanged={setConn} onError={fail} />
            <ClaudeCodeSection
              code={c.claudeCode}
              command={c.claudeCodeCommand}
              onConnect={() => claudeCode(() => client.connectClaudeCode({}))}
              onDisconnect={() => claudeCode(() => client.disconnectClaudeCode({}))}
            />
          </>
        )}
      </LoadState>
      <TokensSection
        tokens={tokens}
        onRetry={reloadTokens}
        onCreated={() => {
          reloadTokens();
          audit.reload();
        }}
        onTokens={(list) => {
          setTokens({ available: true, tokens: list });
          audit.reload();
        }}
        onError={fail}
      />
      <AuditSection log={audit} tokens={tokens.value?.available ? tokens.value.tokens : []} />
    </section>
  );
}
