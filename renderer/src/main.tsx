// Entry point: picks the transport (Electron bridge or HTTP) and renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client';
import { ClientProvider } from './api/context';
import { App } from './app';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ClientProvider client={createClient()}>
        <App />
      </ClientProvider>
    </StrictMode>,
  );
}
