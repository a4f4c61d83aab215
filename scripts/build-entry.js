// Run by `npm run build` after `vite build`: makes the built server's entry (build/index.js)
// load scripts/server-defaults.js before anything else, so the defaults hold when it is started
// directly. An ES module's imports run in order, so the first import runs before the adapter
// reads its environment.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'build', 'index.js');
const line = "import './server-defaults.js';\n";

copyFileSync(
	join(root, 'scripts', 'server-defaults.js'),
	join(root, 'build', 'server-defaults.js')
);
const source = readFileSync(entry, 'utf8');
if (!source.startsWith(line)) writeFileSync(entry, line + source);
