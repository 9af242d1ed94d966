// The Capture page against an in-memory UI client: stopping the proxy is a separate action from
// pausing, and it says what will break before it does anything. A pause toggle held by
// MEM0_TRAY_CAPTURE is read-only and says so; the feed shows how many memories each turn became.
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureEventDto, CaptureInfo } from '../../main/core/ui-api/contract';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { CapturePage } from '../../renderer/src/pages/capture-page';
import { fakeClient } from './fake-client';

afterEach(cleanup);

function info(proxyPort: number | null): CaptureInfo {
  return {
    available: true,
    reason: null,
    enabled: true,
    enabledHeldBy: null,
    proxyPort,
    gatewayPort: 8878,
    capturesToday: 2,
    pending: 0,
    failed: 0,
    lastError: null,
    excludedProjects: [],
    commands: { proxy: "export HTTPS_PROXY='http://127.0.0.1:8877'", gateway: 'ANTHROPIC_BASE_URL=… claude' },
    recent: [],
  };
}

function renderPage(initial: Partial<CaptureInfo> = {}) {
  const f = fakeClient([]);
  let current = { ...info(8877), ...initial };
  f.api.getCapture!.mockImplementation(async () => current);
  f.api.setProxyRunning!.mockImplementation(async ({ running }: { running: boolean }) => {
    current = info(running ? 8877 : null);
    return current;
  });
  render(
    <ClientProvider client={f.client}>
      <ToastProvider>
        <CapturePage />
      </ToastProvider>
    </ClientProvider>,
  );
  return f;
}

describe('CapturePage', () => {
  it('warns what stopping the proxy breaks, does nothing on "keep it running", and stops only when confirmed', async () => {
    const user = userEvent.setup();
    const f = renderPage();
    expect((await screen.findByTestId('proxy-state')).textContent).toContain('Running on 127.0.0.1:8877');

    await user.click(screen.getByRole('button', { name: 'Stop proxy…' }));
    const warning = screen.getByRole('alertdialog', { name: 'Stop the capture proxy?' });
    expect(warning.textContent).toContain('HTTPS_PROXY=http://127.0.0.1:8877');
    expect(warning.textContent).toContain('pause capture instead');
    await user.click(screen.getByRole('button', { name: 'Keep it running' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(f.api.setProxyRunning).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Stop proxy…' }));
    await user.click(screen.getByRole('button', { name: 'Stop the proxy' }));
    expect(f.api.setProxyRunning).toHaveBeenCalledWith({ running: false });
    await waitFor(() => expect(screen.getByTestId('proxy-state').textContent).toContain('Stopped'));

    await user.click(screen.getByRole('button', { name: 'Start proxy' }));
    expect(f.api.setProxyRunning).toHaveBeenLastCalledWith({ running: true });
    await waitFor(() =>
      expect(screen.getByTestId('proxy-state').textContent).toContain('Running on 127.0.0.1:8877'),
    );
  });
});

const turn = (id: string, memoryCount: number | null): CaptureEventDto => ({
  id,
  at: '2026-01-05T10:00:00.000Z',
  route: 'proxy',
  outcome: 'captured',
  reason: null,
  projectId: 'api',
  model: 'claude-sonnet-4-5',
  memoryCount,
});

describe('CapturePage, capture held by an environment variable', () => {
  it('shows the toggle read-only with the variable that holds it, and never asks to change it', async () => {
    const user = userEvent.setup();
    const f = renderPage({ enabled: false, enabledHeldBy: 'MEM0_TRAY_CAPTURE' });
    const toggle = await screen.findByRole('switch', { name: 'Capture on' });
    expect(toggle).toHaveProperty('disabled', true);
    expect(toggle).toHaveProperty('checked', false);
    expect(screen.getByTestId('capture-held').textContent).toContain('set by MEM0_TRAY_CAPTURE');
    await user.click(toggle);
    expect(f.api.setCaptureEnabled).not.toHaveBeenCalled();
    expect(toggle).toHaveProperty('checked', false);
  });

  it('leaves the toggle alone when no variable holds it', async () => {
    renderPage();
    const toggle = await screen.findByRole('switch', { name: 'Capture on' });
    expect(toggle).toHaveProperty('disabled', false);
    expect(screen.queryByTestId('capture-held')).toBeNull();
  });
});

describe('CapturePage, recent captures', () => {
  it("shows each turn's memory count, 'queued' while it waits in the outbox, and the count once delivered", async () => {
    const f = renderPage({ recent: [turn('c2', null), turn('c1', 1)] });
    const table = await screen.findByTestId('capture-feed');
    const counts = () =>
      within(table)
        .getAllByTestId('capture-memories')
        .map((c) => c.textContent);
    expect(counts()).toEqual(['queued', '1']);

    // The outbox delivered the queued turn: the same row gets its count, no new row.
    act(() => f.emit({ type: 'capture', event: turn('c2', 2) }));
    await waitFor(() => expect(counts()).toEqual(['2', '1']));
    // A new turn is a new row on top.
    act(() => f.emit({ type: 'capture', event: turn('c3', 1) }));
    await waitFor(() => expect(counts()).toEqual(['1', '2', '1']));
  });
});
