#!/usr/bin/env node
// npm run device-kit [-- --out DIR]: writes the device kit (default .device-kit/, at most 60 MiB), with
// which a GPU machine that has no Node and no node_modules runs scripts/gpu-check.mjs:
//   node.xz         this Node binary, xz-compressed
//   cli.mjs         the mnf-tui command line and its JS dependencies, one bundle (esbuild) from src/
//   worker.js       the engine's worker thread (cli.mjs starts it from beside itself)
//   gpu-check.mjs   scripts/gpu-check.mjs bundled likewise
//   native.tar.xz   mnf_native.node, the addon (MNF_ADDON, else build/Release; its CUDA code compresses
//                   about tenfold), and lib/: the shared libraries it needs beyond glibc and the C++
//                   runtime, FFmpeg's (video ingest only, >150 MB with theirs) replaced by stubs whose
//                   every call fails
//   scripts/        bench-step.py, bench-blas.py and reference/*.py (PyTorch baselines)
//   package.json    names the folder as mnf-tui's package root (scripts/ and the addon are found from it)
//   run.sh          unpacks node and native.tar.xz into a temporary folder and runs a script with them
//                   (the addon through MNF_ADDON): bash run.sh gpu-check.mjs
// Exit 1 when the addon is missing, a library cannot be found, or the kit is over 60 MiB.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const LIMIT_BYTES = 60 * 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? join(root, '.device-kit'));
const addon = resolve(process.env.MNF_ADDON ?? join(root, 'build', 'Release', 'mnf_native.node'));

// glibc, the C++ runtime and the loader: every Linux machine that runs Node has them
const SYSTEM_LIBRARY = /^(libc|libm|libdl|libpthread|librt|libresolv|libutil|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so/;
// FFmpeg: needed only by `data ingest` of raw videos
const STUBBED_LIBRARY = /^(libavformat|libavcodec|libavutil|libswscale|libswresample)\.so/;

const fail = (message) => {
  process.stderr.write(`device-kit: ${message}\n`);
  process.exit(1);
};
const run = (file, args, options = {}) => execFileSync(file, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
const step = (what) => process.stderr.write(`device-kit: ${what}\n`);
/** the build's temporary folder */
let work;
let librarySummary = { kept: [], stubbed: [] };

/** packages the code looks for at run time, by a dynamic import it answers itself when they are absent */
const OPTIONAL = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** cli.mjs, worker.js and gpu-check.mjs: each one ESM bundle of its code and JS dependencies. */
async function bundle() {
  step('bundles (esbuild)');
  // tf.ts registers tfjs's gradients by requiring @tensorflow/tfjs at run time: each bundle imports it first
  const entries = { cli: 'src/cli.ts', worker: 'src/train/worker.ts', 'gpu-check': 'scripts/gpu-check.mjs' };
  const names = { cli: 'cli.mjs', worker: 'worker.js', 'gpu-check': 'gpu-check.mjs' };
  for (const [name, entry] of Object.entries(entries)) {
    const result = await build({
      stdin: { contents: `import '@tensorflow/tfjs';\nimport './${entry}';\n`, resolveDir: root, loader: 'js', sourcefile: `${name}-entry.js` },
      outfile: join(out, names[name]),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      // tfjs-backend-cpu's package.json leaves its Node bundle out of "sideEffects": its bare import must stay
      ignoreAnnotations: true,
      logLevel: 'warning',
      // CommonJS dependencies require node's built-in modules
      banner: { js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);" },
      // tfjs-node(-gpu) are optional, looked for at run time (a dynamic import the bundle leaves alone)
      external: OPTIONAL,
      plugins: [sourceForDist, notInKit],
      metafile: true,
    });
    // a bundle's static imports load at its start, so they must be Node's own modules (a require()
    // or import() left in it, e.g. node-fetch's optional `encoding`, runs only when reached)
    for (const output of Object.values(result.metafile.outputs)) {
      for (const { path, kind, external } of output.imports) {
        if (external && kind === 'import-statement' && !path.startsWith('node:') && !builtinModules.includes(path)) fail(`${names[name]} imports ${path}, which the kit does not hold`);
      }
    }
  }
}

/** gpu-check.mjs imports ../dist/src/X.js (compiled TypeScript); the kit bundles src/X.ts itself. */
const sourceForDist = {
  name: 'source-for-dist',
  setup(b) {
    b.onResolve({ filter: /\/dist\/src\// }, (args) => {
      const compiled = resolve(args.resolveDir, args.path);
      const source = join(root, 'src', relative(join(root, 'dist', 'src'), compiled)).replace(/\.js$/, '');
      for (const ext of ['.ts', '.tsx']) if (existsSync(source + ext)) return { path: source + ext };
      return { errors: [{ text: `${args.path}: no source file ${relative(root, source)}.ts for it` }] };
    });
  },
};

const xz = (bytes) => run('xz', ['-6', '-T2', '-c'], { input: bytes, encoding: 'buffer', maxBuffer: 1 << 30 });

/**
 * `produce()`'s bytes, kept in .cache/device-kit/ under a hash of `inputs`: a kit built again from the
 * same Node and libraries skips the compression (minutes on a small machine).
 */
function cached(name, inputs, produce) {
  const cacheDir = join(root, '.cache', 'device-kit');
  const key = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const file = join(cacheDir, `${name}-${key}`);
  if (existsSync(file)) return readFileSync(file);
  const bytes = produce();
  mkdirSync(cacheDir, { recursive: true });
  for (const old of readdirSync(cacheDir).filter((f) => f.startsWith(`${name}-`))) rmSync(join(cacheDir, old), { force: true });
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
  return bytes;
}

/**
 * Packages the kit leaves out, as modules whose every use throws: resvg (run reports' PNGs, a native
 * module of its own) and React's devtools (ink imports them only under DEV). An external package
 * would be a top-level import of the bundle, and fail at its start where node_modules is absent.
 */
const NOT_IN_KIT = {
  '@resvg/resvg-js': 'export function renderAsync() { missing("@resvg/resvg-js (run reports\' PNG figures)"); }',
  'react-devtools-core': 'export default { initialize: () => missing("react-devtools-core"), connectToDevTools: () => missing("react-devtools-core") };',
};
const notInKit = {
  name: 'not-in-kit',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(NOT_IN_KIT).map((k) => k.replace(/[/.-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'not-in-kit' }));
    b.onLoad({ filter: /.*/, namespace: 'not-in-kit' }, (args) => ({
      contents: `function missing(what) { throw new Error(what + ' is not part of the device kit'); }\n${NOT_IN_KIT[args.path]}\n`,
      loader: 'js',
    }));
  },
};

/** sonames a file needs (DT_NEEDED) */
function needed(file) {
  return [...run('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** The addon and its libraries (ldd's closure) minus the system's, FFmpeg's as stubs: native.tar.xz. */
function nativeArchive() {
  const lib = join(work, 'native', 'lib');
  mkdirSync(lib, { recursive: true });
  const resolved = new Map();
  for (const line of run('ldd', [addon]).split('\n')) {
    const m = /^\s*(\S+) => (\/\S+)/.exec(line);
    if (m) resolved.set(m[1], m[2]);
    else if (/=> not found/.test(line)) fail(`the addon needs ${line.trim()}`);
  }
  // walk from the addon's own needs: stubbed libraries contribute none of theirs
  const pending = needed(addon);
  const kept = new Set();
  const stubbed = new Set();
  while (pending.length > 0) {
    const soname = pending.pop();
    if (SYSTEM_LIBRARY.test(soname) || kept.has(soname) || stubbed.has(soname)) continue;
    if (STUBBED_LIBRARY.test(soname)) {
      stubbed.add(soname);
      continue;
    }
    const path = resolved.get(soname);
    if (!path) fail(`ldd ${addon} does not resolve ${soname}`);
    kept.add(soname);
    pending.push(...needed(path));
  }
  const inputs = [...kept, ...stubbed, addon].map((name) => {
    const path = resolved.get(name) ?? name;
    const { size, mtimeMs } = statSync(path);
    return [name, path, size, mtimeMs];
  });
  const archive = cached('native.tar.xz', [inputs, readFileSync(fileURLToPath(import.meta.url), 'utf8')], () => {
    copyFileSync(addon, join(work, 'native', 'mnf_native.node'));
    for (const soname of kept) copyFileSync(resolved.get(soname), join(lib, soname));
    for (const soname of stubbed) writeStub(soname, resolved.get(soname), lib);
    const tar = spawnSync('tar', ['-C', join(work, 'native'), '-cf', '-', '.'], { maxBuffer: 1 << 30 });
    if (tar.status !== 0) fail(`tar failed: ${tar.stderr}`);
    return xz(tar.stdout);
  });
  writeFileSync(join(out, 'native.tar.xz'), archive);
  librarySummary = { kept: [...kept].sort(), stubbed: [...stubbed].sort() };
}

/**
 * A stub of an FFmpeg library: the same soname and symbol versions, defining the functions the addon
 * calls, each failing as FFmpeg does (a negative AVERROR, or NULL for the allocators), so that video
 * ingest from the kit ends in one clear line instead of a missing library.
 */
function writeStub(soname, realPath, lib) {
  const defined = new Map(); // name -> version, from the real library
  for (const m of run('nm', ['-D', '--defined-only', realPath]).matchAll(/ T (\w+)@@?(\w+)/g)) defined.set(m[1], m[2]);
  const calls = [...run('nm', ['-D', '--undefined-only', addon]).matchAll(/ U (\w+)@(\w+)/g)].filter((m) => defined.get(m[1]) === m[2]);
  const versions = new Map();
  for (const [, name, version] of calls) versions.set(version, [...(versions.get(version) ?? []), name]);
  const body = calls.map(([, name]) => {
    if (name === 'av_strerror') return 'int av_strerror(int code, char *buf, unsigned long size) { if (size) { strncpy(buf, MESSAGE, size - 1); buf[size - 1] = 0; } return 0; }';
    // the allocators and sws_getContext return pointers; the rest an int (AVERROR(ENOSYS)) or nothing
    if (/alloc|getContext/.test(name)) return `void *${name}(void) { return 0; }`;
    return `long ${name}(void) { return -38; }`;
  });
  const c = join(work, `${soname}.c`);
  const map = join(work, `${soname}.map`);
  writeFileSync(c, `// device kit stub of ${soname}\n#include <string.h>\nstatic const char MESSAGE[] = "FFmpeg is not part of the device kit";\n${body.join('\n')}\n`);
  writeFileSync(map, [...versions].map(([v, names]) => `${v} { global: ${names.join('; ')}; local: *; };`).join('\n') + '\n');
  run('cc', ['-shared', '-fPIC', '-O1', `-Wl,-soname,${soname}`, `-Wl,--version-script=${map}`, '-o', join(lib, soname), c]);
}

function copyScripts() {
  const scripts = join(out, 'scripts');
  mkdirSync(join(scripts, 'reference'), { recursive: true });
  for (const file of ['bench-step.py', 'bench-blas.py']) copyFileSync(join(root, 'scripts', file), join(scripts, file));
  for (const file of readdirSync(join(root, 'scripts', 'reference')).filter((f) => f.endsWith('.py'))) {
    cpSync(join(root, 'scripts', 'reference', file), join(scripts, 'reference', file));
  }
}

function sizeOf(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0) : s.size;
}

function report() {
  const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const total = sizeOf(out);
  for (const entry of readdirSync(out).sort()) process.stderr.write(`  ${entry.padEnd(16)} ${mib(sizeOf(join(out, entry))).padStart(10)}\n`);
  process.stderr.write(`  libraries: ${librarySummary.kept.length} (${librarySummary.kept.join(' ')}); stubs: ${librarySummary.stubbed.join(' ')}\n`);
  if (total > LIMIT_BYTES) fail(`${out} is ${mib(total)}, over the 60 MiB limit`);
  process.stdout.write(`device kit: ${out} (${mib(total)} of 60 MiB)\n`);
  const shown = out.startsWith(process.cwd() + '/') ? relative(process.cwd(), out) : out;
  process.stdout.write(`run on the GPU machine: bash ${shown}/run.sh gpu-check.mjs --out "$OUT/gpu-check.json"\n`);
}

async function main() {
  if (!existsSync(addon)) fail(`no addon at ${addon}: build it first (npm run build:native) or set MNF_ADDON`);
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, 'run.sh'))) fail(`${out} holds files and is not a device kit: not replacing it`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'mnf-device-kit-'));
  try {
    await bundle();
    step('node.xz');
    const node = statSync(process.execPath);
    const nodeXz = cached('node.xz', [process.execPath, process.version, node.size, node.mtimeMs], () => xz(readFileSync(process.execPath)));
    writeFileSync(join(out, 'node.xz'), nodeXz);
    step('native.tar.xz');
    nativeArchive();
    copyScripts();
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'mnf-tui', version, type: 'module', private: true, description: 'device kit (scripts/device-kit.mjs)' }, null, 2) + '\n');
    copyFileSync(join(root, 'scripts', 'device-kit-run.sh'), join(out, 'run.sh'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report();
}

await main();
