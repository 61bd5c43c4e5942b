import { mountApp } from './app';
import { commands } from './ipc';

function start(): void {
  const root = document.getElementById('app');
  if (root) mountApp(root);
  // First-paint probe: two frames after DOMContentLoaded the first frame is on screen.
  requestAnimationFrame(() => {
    requestAnimationFrame(() => {
      commands.markFirstPaint().catch(() => {
        /* diagnostics only */
      });
    });
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
