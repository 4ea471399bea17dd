// The same engine inside a (module) Web Worker: heavy queries run here without
// blocking the page. The page posts `{ module }`, its compiled core (a
// WebAssembly.Module can be posted to workers), so nothing is fetched or
// compiled twice; without one the worker fetches eddy.wasm itself.
import * as eddyLib from '../../dist/browser/eddy.js';
import { runExample } from './query.js';

self.onmessage = async ({ data }) => {
  try {
    const eddy = await eddyLib.createBrowserEddy(data?.module); // undefined → fetch ../../dist/browser/eddy.wasm
    const result = await runExample(eddyLib, eddy, data?.options);
    self.postMessage(result);
  } catch (error) {
    self.postMessage({ error: String(error?.stack ?? error) });
  }
};
