#!/usr/bin/env node
// Bundles the operator dashboard (web/dashboard) into dist/dashboard: index.html and
// assets/app.js + assets/app.css, with uPlot and Cytoscape.js from node_modules inside the bundle
// (nothing is loaded from a CDN at run time). Part of `npm run build`.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'dashboard');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });
esbuild.buildSync({
  entryPoints: { app: path.join(root, 'web', 'dashboard', 'main.js') },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  outdir: path.join(out, 'assets'),
  legalComments: 'linked',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'web', 'dashboard', 'index.html'), path.join(out, 'index.html'));
const size = (f) => (fs.statSync(path.join(out, 'assets', f)).size / 1024).toFixed(0);
process.stderr.write(`dashboard: dist/dashboard (app.js ${size('app.js')} KiB, app.css ${size('app.css')} KiB)\n`);
