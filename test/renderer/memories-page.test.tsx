// The memories page against an in-memory UI client: list, live add, search, bulk delete count.
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { MemoriesPage } from '../../renderer/src/pages/memories-page';
import { fakeClient, memory } from './fake-client';
import { fakeLayout } from './setup-layout';

beforeEach(() => fakeLayout());
afterEach(cleanup);

function renderPage(f: ReturnType<typeof fakeClient>) {
  return render(
    <ClientProvider client={f.client}>
      <ToastProvider>
        <MemoriesPage userId="me" />
      </ToastProvider>
    </ClientProvider>,
  );
}

describe('MemoriesPage', () => {
  it('shows the empty state when there is nothing', async () => {
    renderPage(fakeClient([]));
    expect(await screen.findByTestId('empty')).toHaveProperty(
      'textContent',
      expect.stringMatching(/No memories yet/),
    );
  });

  it('lists memories with the total, virtualised, and refreshes on a live add', async () => {
    const f = fakeClient(Array.from({ length: 5000 }, (_, i) => memory(i)));
    renderPage(f);
    await waitFor(() => expect(screen.getByTestId('memory-count').textContent).toBe('5,000 memories'));
    const rows = await screen.findAllByTestId('memory-row');
    // Only the rows in view (plus overscan) exist.
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    f.add(memory(9999, 'Brand new capture'));
    act(() => f.emit({ type: 'memory.added', memories: [memory(9999, 'Brand new capture')] }));
    await waitFor(() => expect(screen.getByTestId('memory-count').textContent).toBe('5,001 memories'));
    await screen.findByText('Brand new capture');
  });

  it('searches as you type and drops answers to older keystrokes', async () => {
    const f = fakeClient([memory(1, 'alpha beta'), memory(2, 'alpha gamma'), memory(3, 'delta')]);
    renderPage(f);
    await screen.findAllByTestId('memory-row');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search memories' }), 'gamma');
    await waitFor(() => expect(screen.getAllByTestId('memory-row')).toHaveLength(1));
    expect(screen.getByTestId('memory-row').textContent).toMatch(/alpha gamma/);
    expect(f.api.searchMemories).toHaveBeenLastCalledWith(expect.objectContaining({ query: 'gamma' }));
  });

  it('shows a hit holding « and » exactly, its matches highlighted', async () => {
    const text = '«alpha» quotes » and « stay, gamma too 🚀 gamma';
    const f = fakeClient([memory(1, text), memory(2, 'delta')]);
    renderPage(f);
    await screen.findAllByTestId('memory-row');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search memories' }), 'gamma');
    await waitFor(() => expect(screen.getAllByTestId('memory-row')).toHaveLength(1));
    const shown = screen.getByTestId('memory-row').querySelector('.memory-row-text')!;
    expect(shown.textContent).toBe(text);
    expect([...shown.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['gamma', 'gamma']);
  });

  it('deletes the selection only after the exact count is typed', async () => {
    const f = fakeClient(Array.from({ length: 10 }, (_, i) => memory(i)));
    renderPage(f);
    const rows = await screen.findAllByTestId('memory-row');
    for (const row of rows.slice(0, 3)) await userEvent.click(within(row).getByRole('checkbox'));
    expect(screen.getByTestId('selected-count').textContent).toBe('3 selected');
    await userEvent.click(screen.getByRole('button', { name: 'Delete selected…' }));
    const dialog = screen.getByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Delete 3' });
    await userEvent.type(within(dialog).getByLabelText('Type 3 to confirm'), '2');
    expect(confirm).toHaveProperty('disabled', true);
    await userEvent.clear(within(dialog).getByLabelText('Type 3 to confirm'));
    await userEvent.type(within(dialog).getByLabelText('Type 3 to confirm'), '3');
    expect(confirm).toHaveProperty('disabled', false);
    await userEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(f.api.deleteMemories).toHaveBeenCalledWith({ ids: ['m0', 'm1', 'm2'], confirmCount: 3 });
  });

  it('selects a range with shift and drops deleted memories from the selection', async () => {
    const f = fakeClient(Array.from({ length: 10 }, (_, i) => memory(i)));
    renderPage(f);
    const rows = await screen.findAllByTestId('memory-row');
    const user = userEvent.setup();
    await user.click(within(rows[1]!).getByRole('checkbox'));
    await user.keyboard('{Shift>}');
    await user.click(within(rows[4]!).getByRole('checkbox'));
    await user.keyboard('{/Shift}');
    expect(screen.getByTestId('selected-count').textContent).toBe('4 selected');
    act(() => f.emit({ type: 'memory.deleted', ids: ['m2', 'm3'], all: false }));
    expect(screen.getByTestId('selected-count').textContent).toBe('2 selected');
    act(() => f.emit({ type: 'memory.deleted', ids: [], all: true }));
    expect(screen.queryByTestId('selected-count')).toBeNull();
  });

  it('shows a load error once (no retry storm) and tries again on request', async () => {
    const f = fakeClient([memory(1)]);
    f.api.listMemories!.mockRejectedValueOnce(new Error('Mem0 Tray is not reachable'));
    renderPage(f);
    expect((await screen.findByRole('alert')).textContent).toMatch(/not reachable/);
    await new Promise((r) => setTimeout(r, 50));
    expect(f.api.listMemories).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('memory-row');
  });
});
