// Unconstrained-video generator writing the seed layout. Each class is a moving object with its own
// shape, colours, texture and motion; every video varies them (position, speed, size, hue,
// background) and adds distractor objects. Teacher features imitate CNN14 embeddings: sparse,
// non-negative class prototypes plus noise; a share of videos carries an irrelevant sound
// (`noise`: another class's or background), and a share of channels is replaced by noise (`partial`).
// What each video's teacher feature is goes to teacher_truth.json (teacher-truth.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeVideo } from '../native/decode.js';
import { DatasetError, writeAnnotationJson, type AnnotationEntry } from './annotation.js';
import { SEED_LAYOUT } from './dataset.js';
import { encodeNpy } from './npy.js';
import { Rng } from '../rng.js';
import { readTeacherFeatures } from './teacher-archive.js';
import { TEACHER_TRUTH_FILE, writeTeacherTruth, type TeacherTruth } from './teacher-truth.js';

export interface SyntheticOptions {
  out: string;
  classes?: number;
  videosPerClass?: number;
  frames?: number;
  /** frame height; width is 4/3 of it (even) */
  size?: number;
  /** share of videos whose teacher feature belongs to an irrelevant sound */
  noise?: number;
  /** share of each feature's channels replaced by noise */
  partial?: number;
  seed?: number;
  teacherDim?: number;
  /** real CNN14 features per class: folder of <Class>/<id>.npy or the UCF51 .tar.gz */
  teacherFeatures?: string;
  /** share of each class's videos in the validation subset */
  valFraction?: number;
  quality?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticSummary {
  out: string;
  classNames: string[];
  videos: number;
  frames: number;
  noisyTeacher: number;
  /** the file that records each video's teacher source (teacher-truth.ts) */
  teacherTruth: string;
}

const SHAPES = ['disc', 'square', 'triangle', 'ring', 'cross', 'diamond', 'bar', 'star'] as const;
const MOTIONS = ['drift', 'orbit', 'bounce', 'zigzag', 'pulse', 'spin'] as const;
const TEXTURES = ['solid', 'stripes', 'checker', 'dots'] as const;
type Shape = (typeof SHAPES)[number];
type Motion = (typeof MOTIONS)[number];
type Texture = (typeof TEXTURES)[number];

interface ClassLook {
  name: string;
  shape: Shape;
  motion: Motion;
  texture: Texture;
  hue: number;
  hue2: number;
  speed: number;
  direction: number;
  scale: number;
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

function hsv(h: number, s: number, v: number): [number, number, number] {
  h = ((h % 1) + 1) % 1;
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return [r * 255, g * 255, b * 255];
}

function classLooks(count: number, seed: number, names?: string[]): ClassLook[] {
  const used = new Set<string>();
  return Array.from({ length: count }, (_, c) => {
    const rng = Rng.from(seed, 0xc1a55, c);
    // shape and motion cycle with different periods, so classes differ in at least two traits
    const shape = SHAPES[c % SHAPES.length];
    const motion = MOTIONS[(c + Math.floor(c / SHAPES.length)) % MOTIONS.length];
    const texture = TEXTURES[(c * 3 + Math.floor(c / 4)) % TEXTURES.length];
    let name = names?.[c] ?? `${capital(shape)}${capital(motion)}`;
    for (let k = 2; used.has(name); k++) name = `${capital(shape)}${capital(motion)}${k}`;
    used.add(name);
    const hue = (c * 0.618034 + rng.uniform(0, 0.05)) % 1;
    return { name, shape, motion, texture, hue, hue2: hue + 0.35 + rng.uniform(0, 0.3), speed: rng.uniform(0.6, 1.4), direction: rng.uniform(0, 2 * Math.PI), scale: rng.uniform(0.8, 1.2) };
  });
}

/** Is (u, v) ∈ [-1, 1]² inside the unit shape? */
function inside(shape: Shape, u: number, v: number): boolean {
  const au = Math.abs(u), av = Math.abs(v);
  switch (shape) {
    case 'disc': return u * u + v * v <= 1;
    case 'square': return au <= 0.85 && av <= 0.85;
    case 'triangle': return v <= 0.8 && v >= -0.9 + 2 * au * 0.95;
    case 'ring': { const r = u * u + v * v; return r <= 1 && r >= 0.4; }
    case 'cross': return (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
    case 'diamond': return au + av <= 1;
    case 'bar': return au <= 1 && av <= 0.35;
    case 'star': { const a = Math.atan2(v, u); const r = Math.sqrt(u * u + v * v); return r <= 0.55 + 0.45 * Math.abs(Math.cos(2.5 * a)); }
  }
}

function textured(texture: Texture, u: number, v: number, phase: number): boolean {
  switch (texture) {
    case 'solid': return false;
    case 'stripes': return Math.floor((u + v + phase) * 3) % 2 === 0;
    case 'checker': return (Math.floor((u + 1) * 2.5) + Math.floor((v + 1) * 2.5)) % 2 === 0;
    case 'dots': { const fu = ((u + 1) * 3) % 1 - 0.5, fv = ((v + 1) * 3) % 1 - 0.5; return fu * fu + fv * fv < 0.08; }
  }
}

interface Sprite {
  shape: Shape;
  texture: Texture;
  colour: [number, number, number];
  colour2: [number, number, number];
  /** centre and half-size in pixels, rotation in radians */
  x: number;
  y: number;
  radius: number;
  angle: number;
}

function drawSprite(frame: Uint8Array, W: number, H: number, s: Sprite, phase: number) {
  const x0 = Math.max(0, Math.floor(s.x - s.radius * 1.5)), x1 = Math.min(W - 1, Math.ceil(s.x + s.radius * 1.5));
  const y0 = Math.max(0, Math.floor(s.y - s.radius * 1.5)), y1 = Math.min(H - 1, Math.ceil(s.y + s.radius * 1.5));
  const cos = Math.cos(s.angle), sin = Math.sin(s.angle), inv = 1 / s.radius;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = (x - s.x) * inv, dy = (y - s.y) * inv;
      const u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
      if (!inside(s.shape, u, v)) continue;
      const c = textured(s.texture, u, v, phase) ? s.colour2 : s.colour;
      const o = (y * W + x) * 3;
      frame[o] = c[0];
      frame[o + 1] = c[1];
      frame[o + 2] = c[2];
    }
  }
}

/** Object centre at time t (frames), for a motion pattern, inside a W×H frame. */
function place(motion: Motion, t: number, W: number, H: number, start: [number, number], speed: number, direction: number): [number, number, number, number] {
  const cx = W / 2, cy = H / 2, amp = Math.min(W, H) * 0.3;
  const wrap = (p: number, lo: number, hi: number) => lo + ((((p - lo) % (hi - lo)) + (hi - lo)) % (hi - lo));
  switch (motion) {
    case 'drift': return [wrap(start[0] + Math.cos(direction) * speed * 3 * t, 0, W), wrap(start[1] + Math.sin(direction) * speed * 3 * t, 0, H), 1, 0];
    case 'orbit': return [cx + amp * Math.cos(direction + speed * 0.35 * t), cy + amp * Math.sin(direction + speed * 0.35 * t), 1, 0];
    case 'bounce': return [start[0], cy + amp * Math.abs(Math.sin(speed * 0.3 * t + direction)) * 1.2 - amp * 0.6, 1, 0];
    case 'zigzag': return [wrap(start[0] + speed * 3 * t, 0, W), start[1] + amp * 0.5 * (((Math.floor(t / 3) % 2) * 2 - 1) * ((t % 3) / 3)), 1, 0];
    case 'pulse': return [start[0], start[1], 1 + 0.45 * Math.sin(speed * 0.8 * t + direction), 0];
    case 'spin': return [start[0], start[1], 1, speed * 0.5 * t + direction];
  }
}

function renderVideo(look: ClassLook, F: number, H: number, W: number, rng: Rng): Uint8Array {
  const frames = new Uint8Array(F * H * W * 3);
  const bgA = hsv(rng.next(), rng.uniform(0.1, 0.5), rng.uniform(0.15, 0.55));
  const bgB = hsv(rng.next(), rng.uniform(0.1, 0.5), rng.uniform(0.15, 0.55));
  const grain = rng.uniform(4, 16);
  const hueJitter = rng.uniform(-0.03, 0.03);
  const radius = Math.min(W, H) * 0.16 * look.scale * rng.uniform(0.8, 1.2);
  const speed = look.speed * rng.uniform(0.8, 1.2);
  const direction = look.direction + rng.uniform(-0.5, 0.5);
  const start: [number, number] = [rng.uniform(W * 0.25, W * 0.75), rng.uniform(H * 0.25, H * 0.75)];
  const distractors = Array.from({ length: rng.int(1, 3) }, () => ({
    shape: SHAPES[rng.int(0, SHAPES.length - 1)],
    texture: 'solid' as Texture,
    colour: hsv(rng.next(), rng.uniform(0.3, 0.9), rng.uniform(0.4, 1)),
    colour2: [0, 0, 0] as [number, number, number],
    x: rng.uniform(0, W), y: rng.uniform(0, H), radius: Math.min(W, H) * rng.uniform(0.05, 0.1),
    angle: rng.uniform(0, Math.PI), vx: rng.uniform(-2, 2), vy: rng.uniform(-2, 2),
  }));
  const noiseRng = new Rng(rng.int(0, 0xffffffff));
  for (let t = 0; t < F; t++) {
    const frame = frames.subarray(t * H * W * 3, (t + 1) * H * W * 3);
    for (let y = 0; y < H; y++) {
      const a = y / (H - 1 || 1);
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 3;
        const n = (noiseRng.next() - 0.5) * grain;
        frame[o] = bgA[0] * (1 - a) + bgB[0] * a + n;
        frame[o + 1] = bgA[1] * (1 - a) + bgB[1] * a + n;
        frame[o + 2] = bgA[2] * (1 - a) + bgB[2] * a + n;
      }
    }
    for (const d of distractors) {
      drawSprite(frame, W, H, { ...d, x: (((d.x + d.vx * t) % W) + W) % W, y: (((d.y + d.vy * t) % H) + H) % H }, 0);
    }
    const [x, y, scale, angle] = place(look.motion, t, W, H, start, speed, direction);
    drawSprite(frame, W, H, {
      shape: look.shape,
      texture: look.texture,
      colour: hsv(look.hue + hueJitter, 0.85, 0.95),
      colour2: hsv(look.hue2 + hueJitter, 0.7, 0.7),
      x, y, radius: radius * scale, angle,
    }, t * 0.1);
  }
  return frames;
}

/** A sparse non-negative vector: `share` of the channels active with exponential magnitudes. */
function sparsePrototype(dim: number, share: number, rng: Rng): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) if (rng.next() < share) v[i] = -Math.log(Math.max(rng.next(), 1e-6)) * 0.5;
  return v;
}

function noisyCopy(prototype: Float32Array, rng: Rng): Float32Array {
  const v = new Float32Array(prototype.length);
  for (let i = 0; i < v.length; i++) {
    if (prototype[i] === 0) continue;
    if (rng.next() < 0.1) continue; // channel dropout
    v[i] = Math.max(0, prototype[i] * (1 + 0.3 * rng.normal()) + 0.05 * rng.normal());
  }
  return v;
}

export async function makeSynthetic(options: SyntheticOptions): Promise<SyntheticSummary> {
  const K = options.classes ?? 6;
  const V = options.videosPerClass ?? 12;
  const F = options.frames ?? 24;
  const H = options.size ?? 112;
  const W = Math.round((H * 4) / 3 / 2) * 2;
  const noise = options.noise ?? 0;
  const partial = options.partial ?? 0;
  const seed = options.seed ?? 3;
  const valFraction = options.valFraction ?? 0.25;
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new DatasetError(`make-synthetic: ${what}`);
  };
  check(Number.isInteger(K) && K >= 2, `classes: expected an integer >= 2, got ${K}`);
  check(Number.isInteger(V) && V >= 2, `videos per class: expected an integer >= 2, got ${V}`);
  check(Number.isInteger(F) && F >= 1, `frames: expected an integer >= 1, got ${F}`);
  check(Number.isInteger(H) && H >= 16 && H <= 1024, `size: expected an integer in 16..1024, got ${H}`);
  check(noise >= 0 && noise <= 1, `noise: expected a share in [0, 1], got ${noise}`);
  check(partial >= 0 && partial <= 1, `partial: expected a share in [0, 1], got ${partial}`);

  let real: Float32Array[][] | undefined;
  let names: string[] | undefined;
  let dim = options.teacherDim ?? 512;
  if (options.teacherFeatures) {
    const byClass = readTeacherFeatures(options.teacherFeatures);
    const classes = [...byClass.keys()].sort();
    check(classes.length >= K, `${options.teacherFeatures} has ${classes.length} classes, fewer than --classes ${K}`);
    names = classes.slice(0, K);
    real = names.map((n) => byClass.get(n)!);
    dim = real[0][0].length;
  }
  const looks = classLooks(K, seed, names);
  const protoRng = Rng.from(seed, 0x9e0);
  const prototypes = looks.map(() => sparsePrototype(dim, 0.2, protoRng));
  const background = sparsePrototype(dim, 0.3, protoRng);

  const videoDir = join(options.out, SEED_LAYOUT.videos);
  const featureDir = join(options.out, SEED_LAYOUT.features);
  mkdirSync(videoDir, { recursive: true });
  mkdirSync(featureDir, { recursive: true });
  const entries: AnnotationEntry[] = [];
  const total = K * V;
  let done = 0;
  let noisyTeacher = 0;
  const truth: TeacherTruth['videos'] = {};
  const valPerClass = Math.min(V - 1, Math.max(1, Math.round(V * valFraction)));
  const inFlight: Promise<unknown>[] = [];
  for (let c = 0; c < K; c++) {
    for (let k = 0; k < V; k++) {
      const rng = Rng.from(seed, 0x71de0, c, k);
      const id = `v_${looks[c].name}_g${String(k + 1).padStart(2, '0')}_c01`;
      const subset = k >= V - valPerClass ? 'validation' : 'training';
      entries.push({ id, subset, label: looks[c].name });
      // teacher feature: the class's sound, or (noise) another class's / background
      let source = c;
      if (rng.next() < noise) {
        noisyTeacher++;
        source = rng.next() < 0.5 ? -1 : (c + rng.int(1, K - 1)) % K;
      }
      let feature: Float32Array;
      // semi-real background: a random class's real feature (the video's own class too), scaled down
      let drawnFrom: number | undefined;
      if (real) {
        if (source < 0) drawnFrom = rng.int(0, K - 1);
        const pool = source >= 0 ? real[source] : real[drawnFrom!].map((f) => f.map((x) => x * rng.uniform(0, 0.3)));
        feature = Float32Array.from(pool[rng.int(0, pool.length - 1)]);
      } else {
        feature = noisyCopy(source >= 0 ? prototypes[source] : background, rng);
      }
      let partialChannels = 0;
      for (let i = 0; i < dim; i++) {
        if (rng.next() < partial) {
          feature[i] = rng.next() < 0.2 ? -Math.log(Math.max(rng.next(), 1e-6)) * 0.5 : 0;
          partialChannels++;
        }
      }
      truth[id] = source === c ? { source: 'own', partialChannels }
        : source >= 0 ? { source: 'other', fromClass: looks[source].name, partialChannels }
        : { source: 'background', ...(drawnFrom !== undefined ? { drawnFrom: looks[drawnFrom].name } : {}), partialChannels };
      writeFileSync(join(featureDir, `${id}.npy`), encodeNpy(feature, [dim]));
      const frames = renderVideo(looks[c], F, H, W, rng);
      const write = writeVideo(join(videoDir, `${id}.hdf5`), frames, [F, H, W], options.quality ?? 90).then(() => {
        done++;
        options.onProgress?.(done, total);
      });
      inFlight.push(write);
      if (inFlight.length >= 4) await inFlight.shift();
    }
  }
  await Promise.all(inFlight);
  writeFileSync(join(options.out, SEED_LAYOUT.annotation), writeAnnotationJson(looks.map((l) => l.name), entries));
  writeTeacherTruth(options.out, { version: 1, noise, partial, teacherDim: dim, videos: truth });
  return { out: options.out, classNames: looks.map((l) => l.name), videos: total, frames: total * F, noisyTeacher, teacherTruth: join(options.out, TEACHER_TRUTH_FILE) };
}
