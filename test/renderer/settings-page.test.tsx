// The Settings page against an in-memory UI client: every setting an environment variable holds is
// read-only and names the variable, and an edit of settings.json the core could not apply is shown
// with each of its problems until the file is fixed.
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsView } from '../../main/core/ui-api/contract';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { SettingsPage } from '../../renderer/src/pages/settings-page';
import { fakeClient } from './fake-client';

afterEach(cleanup);

function view(patch: Partial<SettingsView> = {}): SettingsView {
  return {
    userId: 'me',
    backend: 'local',
    mem0Host: 'https://api.mem0.ai',
    mem0ServerUrl: null,
    proxyPort: 8877,
    gatewayPort: 8878,
    apiPort: 8879,
    isolationMode: 'auto',
    manualProjectId: 'default',
    startAtLogin: false,
    overridden: {},
    error: null,
    apiKey: { set: false, source: null, hint: null, keychainAvailable: true, detail: null },
    ...patch,
  };
}

function renderPage(initial: SettingsView) {
  const f = fakeClient([]);
  let current = initial;
  f.api.getSettings!.mockImplementation(async () => current);
  render(
    <ClientProvider client={f.client}>
      <ToastProvider>
        <SettingsPage />
      </ToastProvider>
    </ClientProvider>,
  );
  return {
    ...f,
    change(next: SettingsView) {
      current = next;
    },
  };
}

describe('SettingsPage', () => {
  it('shows each setting an environment variable holds as read-only, naming the variable', async () => {
    renderPage(
      view({
        overridden: {
          backend: 'MEM0_TRAY_BACKEND',
          isolationMode: 'MEM0_TRAY_ISOLATION_MODE',
          proxyPort: 'MEM0_TRAY_PROXY_PORT',
        },
      }),
    );
    const proxy = await screen.findByRole('spinbutton', { name: /Proxy/ });
    expect(proxy).toHaveProperty('disabled', true);
    expect(screen.getByTestId('held-proxyPort').textContent).toBe('set by MEM0_TRAY_PROXY_PORT');
    expect(screen.getByRole('combobox', { name: /Backend/ })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('held-backend').textContent).toBe('set by MEM0_TRAY_BACKEND');
    expect(screen.getByRole('combobox', { name: /Project isolation/ })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('held-isolationMode').textContent).toBe('set by MEM0_TRAY_ISOLATION_MODE');
    // Not held: editable, no note.
    expect(screen.getByRole('spinbutton', { name: /Gateway/ })).toHaveProperty('disabled', false);
    expect(screen.queryByTestId('held-gatewayPort')).toBeNull();
  });

  it('shows an invalid edit of settings.json with every problem, and clears it once the file is fixed', async () => {
    const problems = [
      '"captureEnabled": Invalid input: expected boolean, received string',
      '"proxyPort": Too big',
    ];
    const f = renderPage(
      view({ error: { message: 'Invalid settings in …', problems, at: '2026-01-05T10:00:00.000Z' } }),
    );
    const banner = await screen.findByTestId('settings-file-error');
    expect(banner.getAttribute('role')).toBe('alert');
    expect([...banner.querySelectorAll('li')].map((li) => li.textContent)).toEqual(problems);
    expect(banner.textContent).toContain('keeps using the settings shown below');

    // The file is fixed: the core's status event makes the page read the settings again.
    f.change(view());
    act(() => f.emit({ type: 'status' }));
    await waitFor(() => expect(screen.queryByTestId('settings-file-error')).toBeNull());
  });
});
