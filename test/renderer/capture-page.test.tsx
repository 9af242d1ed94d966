// The Capture page against an in-memory UI client: stopping the proxy is a separate action from
// pausing, and it says what will break before it does anything.
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../main/core/ui-api/contract';
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

function renderPage() {
  const f = fakeClient([]);
  let current = info(8877);
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
