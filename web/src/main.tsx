import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { RowErrorBoundary } from './components/RowErrorBoundary.js';
import { PullStore } from './live/pullStore.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    {/* Last resort: rows have their own boundaries; anything else failing says so instead of a blank page. */}
    <RowErrorBoundary what="The page (reload to try again)" resetKey={null}>
      <App store={new PullStore()} />
    </RowErrorBoundary>
  </StrictMode>,
);
