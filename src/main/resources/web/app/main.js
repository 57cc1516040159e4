// One bundle for all pages; each page's <body data-page> picks what runs.
import { startRunsPage } from './runs-page.js';
import { startRunPage } from './run-page.js';
import { startSubmitPage } from './submit-page.js';
import './style.css';

const pages = { runs: startRunsPage, run: startRunPage, submit: startSubmitPage };

document.addEventListener('DOMContentLoaded', () => {
  const start = pages[document.body.dataset.page];
  if (start) {
    start();
  }
});
