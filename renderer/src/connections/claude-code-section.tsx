// Claude Code: its MCP server entry, the recall hooks, its token, and what the hooks last gave a
// session; connect or disconnect in one step, or by hand with the command shown.
import type { ReactNode } from 'react';
import type { ConnectionsInfo, RecallInjectionDto } from '../../../main/core/ui-api/contract';
import { CopyField, Unavailable, formatTime } from '../components/bits';

const RECALL_EVENTS: Record<RecallInjectionDto['event'], string> = {
  session: 'session start',
  prompt: 'prompt',
};

/** "<time> · prompt · 3 memories · ~420 tokens": a count and a size; the ids are in the tooltip. */
function recallSummary(r: RecallInjectionDto): string {
  const n = r.memoryIds.length;
  return `${formatTime(r.at)} · ${RECALL_EVENTS[r.event]} · ${n} ${n === 1 ? 'memory' : 'memories'} · ~${r.tokens} tokens`;
}

export function ClaudeCodeSection({
  code,
  command,
  onConnect,
  onDisconnect,
}: {
  code: ConnectionsInfo['claudeCode'];
  command: string;
  onConnect(): void;
  onDisconnect(): void;
}) {
  const manual = (
    <>
      <p className="muted">
        Or by hand: create a token below and run this with it in place of &lt;TOKEN&gt;:
      </p>
      <CopyField label="Command" value={command} />
    </>
  );
  if (!code.available)
    return (
      <ClaudeCodeFrame>
        <Unavailable reason={code.reason} />
        {manual}
      </ClaudeCodeFrame>
    );
  const anything = code.mcpRegistered || code.token !== null || code.hooks.some((h) => h.installed);
  const last = code.lastInjection;
  return (
    <ClaudeCodeFrame>
      <div className="row-actions">
        <span className={code.connected ? 'ok' : 'muted'} data-testid="claude-code-state">
          {code.connected ? 'Connected' : anything ? 'Partly connected' : 'Not connected'}
        </span>
        {code.connected ? null : (
          <button type="button" onClick={onConnect}>
            Connect
          </button>
        )}
        {anything ? (
          <button type="button" onClick={onDisconnect}>
            Disconnect
          </button>
        ) : null}
      </div>
      <dl className="facts" data-testid="claude-code-facts">
        <dt>MCP server</dt>
        <dd>{code.mcpRegistered ? 'Registered' : 'Not registered'}</dd>
        <dt>Recall hooks</dt>
        <dd>
          {code.hooks.map((h) => (
            <div key={h.scope}>
              {h.scope}: {h.installed ? 'installed' : 'not installed'}{' '}
              <span className="muted mono">{h.settingsPath}</span>
            </div>
          ))}
        </dd>
        <dt>Token</dt>
        <dd>
          {code.token ? (
            <>
              <span className="mono">{code.token.id}</span> ({code.token.userId}){' '}
              {code.token.working ? 'active' : 'revoked or expired'}
            </>
          ) : (
            'none'
          )}
        </dd>
        <dt>Last recall</dt>
        <dd data-testid="last-recall" title={last ? last.memoryIds.join(', ') : undefined}>
          {last ? recallSummary(last) : 'none yet'}
        </dd>
      </dl>
      {manual}
    </ClaudeCodeFrame>
  );
}

function ClaudeCodeFrame({ children }: { children: ReactNode }) {
  return (
    <section aria-labelledby="claude-code-title">
      <h2 id="claude-code-title">Claude Code</h2>
      {children}
    </section>
  );
}
