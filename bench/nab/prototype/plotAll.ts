import { nabFiles } from '../harness.js';
import { plotFiles } from './plot.js';
const fs = nabFiles();
plotFiles('/tmp/nab_a.png', fs.slice(0, 12));
plotFiles('/tmp/nab_b.png', fs.slice(12));
