// The one binding type of the addon (src/native/binding.ts) and its check at load: a stale build
// (older ABI, no ABI version, a function missing) fails in one line naming the file and the fix.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { addonPath } from '../src/native/addon.js';
import { bindingProblem, NATIVE_ABI_VERSION, NATIVE_FUNCTIONS } from '../src/native/binding.js';

const PATH = 'build/Release/mnf_native.node';
const REBUILD = 'rebuild with `npm run build:native`';

/** A module with every function of the binding (no-ops) and the given ABI version. */
function fakeBinding(abiVersion: unknown, without: string[] = []): Record<string, unknown> {
  const fake: Record<string, unknown> = abiVersion === undefined ? {} : { abiVersion };
  for (const name of NATIVE_FUNCTIONS) if (!without.includes(name)) fake[name] = () => undefined;
  return fake;
}

describe('bindingProblem', () => {
  it('accepts a module with the expected ABI version and every function', () => {
    expect(bindingProblem(fakeBinding(NATIVE_ABI_VERSION), PATH)).toBeUndefined();
  });

  it('an older ABI version is stale, in one line that says to rebuild', () => {
    expect(bindingProblem(fakeBinding(3), PATH, 4)).toBe(`native addon ${PATH} is stale (ABI 3, this code expects 4): ${REBUILD}`);
  });

  it('a build from before the ABI check (no abiVersion) is stale', () => {
    expect(bindingProblem(fakeBinding(undefined), PATH, 4)).toBe(`native addon ${PATH} is stale (no ABI version, this code expects 4): ${REBUILD}`);
    expect(bindingProblem(fakeBinding('4'), PATH, 4)).toBe(`native addon ${PATH} is stale (no ABI version, this code expects 4): ${REBUILD}`);
    expect(bindingProblem(null, PATH, 4)).toBe(`native addon ${PATH} is stale (no ABI version, this code expects 4): ${REBUILD}`);
  });

  it('a newer ABI version than the code says to rebuild both', () => {
    expect(bindingProblem(fakeBinding(5), PATH, 4)).toBe(`native addon ${PATH} is newer than this code (ABI 5, this code expects 4): rebuild both with \`npm run build\``);
  });

  it('a missing function is named, even when the ABI version matches', () => {
    expect(bindingProblem(fakeBinding(NATIVE_ABI_VERSION, ['cscLossGrad']), PATH)).toBe(`native addon ${PATH} (ABI ${NATIVE_ABI_VERSION}) lacks function cscLossGrad: ${REBUILD}`);
    const bad = fakeBinding(NATIVE_ABI_VERSION, ['batchNormTrainForward']);
    bad.decodeClips = 'not a function';
    expect(bindingProblem(bad, PATH)).toBe(`native addon ${PATH} (ABI ${NATIVE_ABI_VERSION}) lacks functions batchNormTrainForward, decodeClips: ${REBUILD}`);
  });

  it('the TypeScript side expects the version native/abi_version.h gives the addon', () => {
    const header = readFileSync(new URL('../native/abi_version.h', import.meta.url), 'utf8');
    const match = /constexpr int kAbiVersion = (\d+);/.exec(header);
    expect(match, 'native/abi_version.h defines kAbiVersion').not.toBeNull();
    expect(Number(match![1])).toBe(NATIVE_ABI_VERSION);
  });
});

describe('loading the addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnf-binding-'));
  const saved = process.env.MNF_ADDON;
  afterEach(() => {
    if (saved === undefined) delete process.env.MNF_ADDON;
    else process.env.MNF_ADDON = saved;
    vi.resetModules();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in addon (a CommonJS module: require loads it as it loads a .node file) at MNF_ADDON. */
  async function loadWith(name: string, exportsSource: string) {
    const file = join(dir, name);
    writeFileSync(file, exportsSource);
    process.env.MNF_ADDON = file;
    vi.resetModules();
    return { file, addon: await import('../src/native/addon.js'), device: await import('../src/native/device.js'), csc: await import('../src/native/csc.js') };
  }

  const functions = (without: string[]) => NATIVE_FUNCTIONS.filter((n) => !without.includes(n)).map((n) => `${n}: () => 0`).join(', ');

  it('a stale addon fails in one line, from the loader and from every wrapper', async () => {
    const { file, addon, device, csc } = await loadWith('stale.cjs', `module.exports = { abiVersion: ${NATIVE_ABI_VERSION - 1}, ${functions([])} };`);
    const line = `native addon ${file} is stale (ABI ${NATIVE_ABI_VERSION - 1}, this code expects ${NATIVE_ABI_VERSION}): ${REBUILD}`;
    expect(addon.addonProblem()).toBe(line);
    expect(() => addon.loadAddon()).toThrow(addon.NativeAddonMissingError);
    expect(() => device.deviceInfo()).toThrow(line);
    expect(csc.cscProblem()).toBe(line);
  });

  it('an addon missing a function fails naming it', async () => {
    const { file, addon } = await loadWith('partial.cjs', `module.exports = { abiVersion: ${NATIVE_ABI_VERSION}, ${functions(['setThreads'])} };`);
    expect(addon.addonProblem()).toBe(`native addon ${file} (ABI ${NATIVE_ABI_VERSION}) lacks function setThreads: ${REBUILD}`);
  });

  it('a complete binding loads and is what the wrappers call', async () => {
    const { addon, device } = await loadWith('complete.cjs', `module.exports = { abiVersion: ${NATIVE_ABI_VERSION}, ${functions(['deviceInfo'])}, deviceInfo: () => ({ cores: 7 }) };`);
    expect(addon.addonProblem()).toBeUndefined();
    expect(device.deviceInfo().cores).toBe(7);
  });
});

describe('the built addon', () => {
  const built = existsSync(addonPath());
  if (!built) console.log(`built-addon checks skipped: no addon at ${addonPath()} (npm run build:native)`);

  it.skipIf(!built)('has this code\'s ABI version and exports exactly the functions of the binding type', async () => {
    const { loadAddon } = await import('../src/native/addon.js');
    const exports = loadAddon() as unknown as Record<string, unknown>;
    expect(exports.abiVersion).toBe(NATIVE_ABI_VERSION);
    const exported = Object.keys(exports).filter((k) => typeof exports[k] === 'function');
    expect(exported.sort()).toEqual([...NATIVE_FUNCTIONS].sort());
  });
});
