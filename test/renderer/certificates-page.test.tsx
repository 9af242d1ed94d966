// The Certificates page against an in-memory UI client: earlier CAs listed per store and removed by
// fingerprint, "Remove from every store", no Remove on the environment route, the notice shown.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CertificatesInfo, Maybe, TrustStoreDto } from '../../main/core/ui-api/contract';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { CertificatesPage } from '../../renderer/src/pages/certificates-page';
import { fakeClient } from './fake-client';

afterEach(cleanup);

const OLD = 'aa11bb22cc33dd44' + '0'.repeat(48);

function store(extra: Partial<TrustStoreDto> & { id: string }): TrustStoreDto {
  return {
    name: extra.id,
    trusted: false,
    privileged: false,
    environment: false,
    detail: null,
    others: [],
    ...extra,
  };
}

function info(stores: TrustStoreDto[], notice: string | null = null): Maybe<CertificatesInfo> {
  return {
    available: true,
    caPath: '/data/ca/ca.pem',
    caExists: true,
    fingerprint: 'AB:CD',
    expiresAt: '2027-01-01T00:00:00.000Z',
    stores,
    notice,
  };
}

function renderPage(initial: Maybe<CertificatesInfo>) {
  const f = fakeClient([]);
  let current = initial;
  f.api.getCertificates!.mockImplementation(async () => current);
  const set = (next: Maybe<CertificatesInfo>) => (current = next);
  render(
    <ClientProvider client={f.client}>
      <ToastProvider>
        <CertificatesPage />
      </ToastProvider>
    </ClientProvider>,
  );
  return { ...f, set };
}

const row = (name: string) => screen.getByRole('cell', { name: new RegExp(`^${name}`) }).closest('tr')!;

describe('CertificatesPage', () => {
  it('lists an earlier CA in a store that holds only it, and removes just that one by fingerprint', async () => {
    const envRow = store({
      id: 'environment',
      name: 'NODE_EXTRA_CA_CERTS',
      trusted: true,
      environment: true,
    });
    const earlier = { subject: 'Mem0 Tray CA 2024-01-01', fingerprint: OLD };
    const stale = info(
      [store({ id: 'linux-system', name: 'System anchors', privileged: true, others: [earlier] }), envRow],
      'System anchors trusts only an earlier CA of Mem0 Tray, not the current one.',
    );
    const f = renderPage(stale);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('trusts only an earlier CA'),
    );
    const system = row('System anchors');
    expect(within(system).getByText(/Earlier CA Mem0 Tray CA 2024-01-01/)).toBeTruthy();
    expect(within(system).getByText('AA:11:BB:22:CC:33:DD:44…')).toBeTruthy();
    // Nothing to remove on the environment route.
    const env = row('NODE_EXTRA_CA_CERTS');
    expect(within(env).queryByRole('button')).toBeNull();
    expect(within(env).getByText('Nothing to install')).toBeTruthy();

    const cleaned = info([
      store({ id: 'linux-system', name: 'System anchors', privileged: true }),
      stale.available ? stale.stores[1]! : store({ id: 'x' }),
    ]);
    f.api.removeCertificate!.mockImplementation(async () => cleaned);
    await userEvent.click(
      within(system).getByRole('button', {
        name: 'Remove earlier CA Mem0 Tray CA 2024-01-01 (AA:11:BB:22:CC:33:DD:44…) from System anchors',
      }),
    );
    expect(f.api.removeCertificate).toHaveBeenCalledWith({ store: 'linux-system', fingerprint: OLD });
    await waitFor(() => expect(screen.queryByText(/Earlier CA/)).toBeNull());
    expect(screen.queryByRole('alert')).toBeNull();
    // The store still offers Install for the current CA.
    expect(within(row('System anchors')).getByRole('button', { name: 'Install' })).toBeTruthy();
  });

  it('"Remove from every store" calls the uninstall-all method and shows the result', async () => {
    const f = renderPage(
      info([
        store({ id: 'nss-user', name: 'NSS user database', trusted: true }),
        store({ id: 'linux-system', name: 'System anchors', privileged: true, trusted: true }),
      ]),
    );
    await screen.findByText('NSS user database');
    expect(within(row('NSS user database')).getByRole('button', { name: 'Remove' })).toBeTruthy();
    f.api.removeCertificateEverywhere!.mockImplementation(async () =>
      info([
        store({ id: 'nss-user', name: 'NSS user database' }),
        store({ id: 'linux-system', name: 'System anchors', privileged: true }),
      ]),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove from every store' }));
    expect(f.api.removeCertificateEverywhere).toHaveBeenCalledWith({});
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Install' })).toHaveLength(2));
  });

  it('a store left behind by "Remove from every store" is said, and the table is read again', async () => {
    const f = renderPage(info([store({ id: 'nss-user', name: 'NSS user database', trusted: true })]));
    await screen.findByText('NSS user database');
    f.api.removeCertificateEverywhere!.mockRejectedValue(
      new Error('not from nss-user (certutil is missing)'),
    );
    f.set(info([store({ id: 'nss-user', name: 'NSS user database', trusted: true, detail: 'still here' })]));
    await userEvent.click(screen.getByRole('button', { name: 'Remove from every store' }));
    await screen.findByText(/certutil is missing/);
    await screen.findByText('still here');
  });
});
