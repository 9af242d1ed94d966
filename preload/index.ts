// The review window's preload: exposes the UI API as named functions on window.mem0 and nothing
// else — never ipcRenderer. The Record below lists every contract method, so a method added to the
// contract and missing here is a compile error. Results cross as data; the renderer's client
// rebuilds errors (an Error thrown across contextBridge would keep only its message, not its code).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC,
  type UiBridge,
  type UiEvent,
  type UiInput,
  type UiMethod,
  type UiOutput,
  type UiResult,
} from '../main/core/ui-api/contract.js';

function isResult(value: unknown): value is UiResult<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

function call<M extends UiMethod>(method: M) {
  return async (input: UiInput<M>): Promise<UiResult<UiOutput<M>>> => {
    const result: unknown = await ipcRenderer.invoke(IPC.call, method, input);
    if (!isResult(result)) {
      return { ok: false, error: { code: 'failure', message: 'Unexpected answer from the Mem0 Tray core.' } };
    }
    return result as UiResult<UiOutput<M>>;
  };
}

const methods: { [M in UiMethod]: (input: UiInput<M>) => Promise<UiResult<UiOutput<M>>> } = {
  getStatus: call('getStatus'),
  listMemories: call('listMemories'),
  searchMemories: call('searchMemories'),
  listProjects: call('listProjects'),
  getMemory: call('getMemory'),
  memoryAccessLog: call('memoryAccessLog'),
  updateMemory: call('updateMemory'),
  deleteMemory: call('deleteMemory'),
  restoreMemory: call('restoreMemory'),
  deleteMemories: call('deleteMemories'),
  forgetAll: call('forgetAll'),
  exportMemories: call('exportMemories'),
  getCapture: call('getCapture'),
  setCaptureEnabled: call('setCaptureEnabled'),
  setProxyRunning: call('setProxyRunning'),
  setExcludedProjects: call('setExcludedProjects'),
  getCertificates: call('getCertificates'),
  installCertificate: call('installCertificate'),
  removeCertificate: call('removeCertificate'),
  removeCertificateEverywhere: call('removeCertificateEverywhere'),
  regenerateCertificate: call('regenerateCertificate'),
  getConnections: call('getConnections'),
  connectClaudeDesktop: call('connectClaudeDesktop'),
  disconnectClaudeDesktop: call('disconnectClaudeDesktop'),
  connectClaudeCode: call('connectClaudeCode'),
  disconnectClaudeCode: call('disconnectClaudeCode'),
  listTokens: call('listTokens'),
  createToken: call('createToken'),
  revokeToken: call('revokeToken'),
  enableToken: call('enableToken'),
  deleteToken: call('deleteToken'),
  auditLog: call('auditLog'),
  getSettings: call('getSettings'),
  updateSettings: call('updateSettings'),
  setApiKey: call('setApiKey'),
  clearApiKey: call('clearApiKey'),
};

export const bridge: UiBridge = {
  ...methods,
  onEvent(listener: (event: UiEvent) => void) {
    // The renderer's callback never sees the IPC event object (it holds `sender`).
    const wrapped = (_e: IpcRendererEvent, event: UiEvent) => listener(event);
    ipcRenderer.on(IPC.event, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC.event, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('mem0', bridge);
