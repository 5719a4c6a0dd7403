// Colours only for a person at a terminal: off when stdout is not a TTY, when NO_COLOR is set
// (no-color.org: present and not empty) or TERM=dumb; FORCE_COLOR turns them on anyway.
import pc from 'picocolors';

export interface Colors {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  inverse(text: string): string;
}

export function colorsEnabled(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return isTty && env.TERM !== 'dumb';
}

export function makeColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

export const NO_COLORS: Colors = makeColors(false);
