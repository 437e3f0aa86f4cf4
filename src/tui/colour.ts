// How many colours the terminal shows, and the escapes that draw a pixel in them. Read once from
// the environment by the console: NO_COLOR and FORCE_COLOR first, then COLORTERM (the usual sign of
// 24-bit colour, which Node's own rules rank below a TERM such as tmux-256color), then Node's rules.
export type ColourDepth = 'truecolor' | '256' | 'none';

/** FORCE_COLOR's levels (as chalk and Node read them): 16 colours and fewer draw no pictures */
const FORCED: Record<string, ColourDepth> = { '': 'none', '0': 'none', '1': 'none', '2': '256', '3': 'truecolor', false: 'none', true: 'none' };

/** The colours a stream's terminal shows; a stream that is not a terminal shows none. */
export function colourDepthOf(
  stream: { isTTY?: boolean; getColorDepth?: (env?: object) => number },
  env: Record<string, string | undefined> = process.env,
): ColourDepth {
  if (!stream.isTTY || !stream.getColorDepth) return 'none';
  if (env.NO_COLOR) return 'none';
  const forced = env.FORCE_COLOR === undefined ? undefined : FORCED[env.FORCE_COLOR];
  if (forced) return forced;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 'truecolor';
  const bits = stream.getColorDepth(env);
  return bits >= 24 ? 'truecolor' : bits >= 8 ? '256' : 'none';
}

export type Rgb = readonly [number, number, number];

/** The nearest colour of the xterm 256-colour cube (indices 16..231). */
function cubeIndex([r, g, b]: Rgb): number {
  const level = (v: number) => Math.round((Math.max(0, Math.min(255, v)) / 255) * 5);
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}

/** SGR parameters of a foreground (38) or background (48) colour. */
function colourParams(plane: 38 | 48, rgb: Rgb, depth: Exclude<ColourDepth, 'none'>): string {
  return depth === 'truecolor' ? `${plane};2;${rgb[0]};${rgb[1]};${rgb[2]}` : `${plane};5;${cubeIndex(rgb)}`;
}

/** One character cell showing two pixels: '▀' in the upper pixel's colour over the lower pixel's. */
export function halfBlock(upper: Rgb, lower: Rgb | null, depth: Exclude<ColourDepth, 'none'>): string {
  const back = lower ? colourParams(48, lower, depth) : '49';
  return `\u001B[${colourParams(38, upper, depth)};${back}m▀`;
}

/** Ends a run of half blocks: default foreground and background. */
export const RESET_COLOURS = '\u001B[39;49m';
