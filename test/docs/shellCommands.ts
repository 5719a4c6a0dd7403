// Reads the shell commands out of the docs' fenced blocks and sorts each into what the docs test
// can do with it here: render a helm install as `helm template`, run a curl against a live server,
// run or validate a pulltrace command, run a sed over the shipped manifest, check an npm script or
// file exists — or, for the few that need a cluster or a container engine, say why not.
import { codeBlocks } from './markdown.js';

export interface DocCommand {
  /** the doc it comes from (relative path) and its 1-based line */
  file: string;
  line: number;
  /** the command as written, continuation lines joined, trailing comment removed */
  text: string;
  /** the fenced block right after the command's block, when it is a ```json example */
  followingJson?: string;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

/** Every command of every ```sh / ```bash block, one per logical line. */
export function docCommands(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const blocks = codeBlocks(markdown);
  let searchFrom = 0;
  blocks.forEach((block, i) => {
    const at = markdown.indexOf(`\`\`\`${block.lang}\n${block.body}`, searchFrom);
    searchFrom = at + 1;
    if (!SHELL_LANGS.has(block.lang)) return;
    const firstLine = markdown.slice(0, at).split('\n').length + 1;
    const next = blocks[i + 1];
    const followingJson =
      next?.lang === 'json' && /^\s*$/.test(markdown.slice(at + block.body.length + block.lang.length + 7).split('```')[0] ?? '')
        ? next.body
        : undefined;
    const lines = block.body.split('\n');
    for (let n = 0; n < lines.length; n++) {
      const start = n;
      let text = (lines[n] as string).replace(/^\$ /, '');
      while (text.endsWith('\\') && n + 1 < lines.length) {
        n += 1;
        text = `${text.slice(0, -1).trimEnd()} ${(lines[n] as string).trim()}`;
      }
      text = stripComment(text).trim();
      if (text === '') continue;
      out.push({ file, line: firstLine + start, text, ...(followingJson ? { followingJson } : {}) });
    }
  });
  return out;
}

/** Removes a trailing `# comment` that is outside quotes (a `#` inside a word, as in sed's s#a#b#, stays). */
export function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      return text.slice(0, i);
    }
  }
  return text;
}

/** Splits a command into words the way a shell would for these docs: quotes grouped and removed, `$(…)` kept as one word. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed ${c} in: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '$' && text[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      word += text.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The first command of a line: the words before the first unquoted `|`, `&&`, `||` or `;`. */
export function firstCommand(text: string): string[] {
  const words = shellWords(text);
  const cut = words.findIndex((w) => ['|', '&&', '||', ';'].includes(w));
  return cut < 0 ? words : words.slice(0, cut);
}

export type CommandKind =
  | { kind: 'helm-render'; args: string[] }
  | { kind: 'curl'; url: string }
  | { kind: 'pulltrace'; args: string[]; env: Record<string, string> }
  | { kind: 'sed-manifest' }
  | { kind: 'npm'; script: string }
  | { kind: 'node-script'; file: string }
  | { kind: 'docker-build'; tag: string }
  | { kind: 'not-here'; why: string }
  | { kind: 'unknown' };

/**
 * What cannot run on a test machine, and why. Kept small on purpose: every other command in the
 * docs is executed (or, for long-running ones, validated) by test/docs/commands.test.ts.
 */
export const NOT_HERE: Record<string, string> = {
  kubectl: 'talks to a cluster',
  oc: 'talks to an OpenShift cluster',
  docker: 'needs a container engine and network base images (docker build is checked below)',
  podman: 'needs a container engine',
  nerdctl: 'needs a container engine',
  kind: 'creates or changes a kind cluster',
  k3d: 'changes a k3d cluster',
  minikube: 'changes a minikube cluster',
  git: 'clones over the network',
  'kubectl-pulltrace': 'talks to a cluster',
  openssl: 'writes key and certificate files (the TLS tests make their own)',
};

const HELM_CLUSTER_ONLY = new Set([
  'uninstall',
  'status',
  'list',
  'history',
  'rollback',
  'get',
  'test',
  'repo',
  'registry',
  'push',
  'pull',
]);

/** Sorts one command line. */
export function classify(text: string): CommandKind {
  let words = firstCommand(text);
  const env: Record<string, string> = {};
  // sudo, VAR=value prefixes and an explicit node binary do not change what runs.
  for (;;) {
    const w = words[0];
    if (w === 'sudo') words = words.slice(1);
    else if (w !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(w)) {
      const [k, v] = w.split(/=(.*)/s) as [string, string];
      env[k] = v;
      words = words.slice(1);
    } else if (w === 'node' && /(^|\/)bin\/pulltrace$/.test(words[1] ?? '')) words = words.slice(1);
    else if (w === '$(command -v node)') words = words.slice(1);
    else break;
  }
  const [program = '', ...args] = words;
  if (/^(\.\/)?bin\/pulltrace$|^pulltrace$/.test(program)) return { kind: 'pulltrace', args, env };
  if (program === 'npm' && args[0] === 'start')
    return { kind: 'pulltrace', args: ['standalone', ...args.slice(args[1] === '--' ? 2 : 1)], env };
  if (program === 'npm' && args[0] === 'run') return { kind: 'npm', script: args[1] ?? '' };
  if (program === 'npm') return { kind: 'npm', script: args[0] === 'ci' ? 'ci' : (args[0] ?? '') };
  if (program === 'node') return { kind: 'node-script', file: args.find((a) => /\.(m?js|ts)$/.test(a)) ?? '' };
  if (program === 'helm') {
    const sub = args[0] ?? '';
    if (sub === 'install' || sub === 'upgrade' || sub === 'template') return { kind: 'helm-render', args };
    if (HELM_CLUSTER_ONLY.has(sub)) return { kind: 'not-here', why: `helm ${sub} talks to a cluster` };
    return { kind: 'unknown' };
  }
  if (program === 'curl') {
    const url = args.find((a) => /^https?:\/\//.test(a));
    if (!url) return { kind: 'unknown' };
    // Examples against the local defaults run; one addressed to a cluster Service or over TLS cannot.
    if (!/^http:\/\/(127\.0\.0\.1|localhost):(8080|9090)\//.test(url))
      return { kind: 'not-here', why: `curl ${url} reaches a cluster or TLS endpoint` };
    return { kind: 'curl', url };
  }
  if (program === 'sed' && args.includes('deploy/pulltrace.yaml')) return { kind: 'sed-manifest' };
  if (program === 'docker' && args[0] === 'build') {
    const t = args.indexOf('-t');
    return { kind: 'docker-build', tag: args[t + 1] ?? '' };
  }
  if (NOT_HERE[program]) return { kind: 'not-here', why: `${program} ${NOT_HERE[program]}` };
  return { kind: 'unknown' };
}

/** Flags of `helm install|upgrade` that change how it talks to a cluster, not what it renders. */
const CLUSTER_ONLY_FLAGS = new Set([
  '--install',
  '--create-namespace',
  '--wait',
  '--atomic',
  '--reuse-values',
  '--reset-values',
  '--force',
  '--cleanup-on-fail',
]);
const CLUSTER_ONLY_FLAGS_WITH_VALUE = new Set(['--timeout', '--kube-context', '--kubeconfig', '--history-max']);

/**
 * `helm install|upgrade [--install] REL CHART flags` as `helm template REL CHART flags`: the same
 * values, rendered without a cluster. Placeholders (`<secret>`, `$(openssl …)`) become a word.
 */
export function asHelmTemplate(args: string[]): string[] {
  const [sub, ...rest] = args;
  if (sub === 'template') return args.map(placeholder);
  const out = ['template'];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (CLUSTER_ONLY_FLAGS.has(a) || a.startsWith('--dry-run')) continue;
    if (CLUSTER_ONLY_FLAGS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    out.push(placeholder(a));
  }
  if (sub !== 'install' && sub !== 'upgrade') throw new Error(`not a helm install/upgrade: ${args.join(' ')}`);
  return out;
}

function placeholder(word: string): string {
  return word.replace(/<[^>]*>|\$\([^)]*\)/g, 'example');
}
