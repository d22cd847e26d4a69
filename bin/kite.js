#!/usr/bin/env node
// Runs the built command (npm run build compiles src/ to dist/).
import { main } from '../dist/src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
