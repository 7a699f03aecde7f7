// Shell text in plans → gate commands. A fenced shell block becomes one command per logical line:
// comments dropped, `\` continuations joined, and a command whose quotes, heredoc or do/done block
// spans lines kept whole. Inline code spans count as commands only when they start with a known tool.

const COMMAND_WORDS = new Set(
  (
    "npm npx yarn pnpm bun bunx node deno tsc tsx ts-node eslint prettier jest vitest mocha playwright cypress vite next nuxt ng " +
    "python python3 py pip pip3 pipx pytest uv uvx poetry pdm hatch ruff black flake8 mypy pyright pylint isort coverage tox nox " +
    "go gofmt cargo rustc rustup make cmake ninja bazel gradle gradlew mvn java javac kotlin dotnet ruby bundle rake rails rspec " +
    "php composer phpunit swift xcodebuild flutter dart mix elixir " +
    "docker docker-compose podman kubectl helm terraform ansible vagrant " +
    "curl wget http httpie jq yq grep egrep fgrep rg ag find fd ls cat head tail wc sed awk sort uniq diff cmp test echo printf " +
    "cd mkdir rmdir rm cp mv touch chmod chown ln du df tar zip unzip gzip open xdg-open time timeout watch sleep export source " +
    "env bash sh zsh git gh lighthouse lhci pa11y axe locust ab wrk hey k6 artillery sqlite3 psql mysql redis-cli mongosh " +
    "nc ps kill lsof xargs tee true false wait stat file which ssh scp rsync openssl base64 shellcheck hadolint htmlhint stylelint " +
    "storybook chromatic wrangler vercel netlify firebase supabase prisma alembic django-admin flask uvicorn gunicorn streamlit celery " +
    "claude purplectl purpled"
  ).split(/\s+/),
);
const KEYWORDS = new Set(["for", "while", "until", "if", "case", "do", "done", "then", "fi", "else", "elif", "esac", "function", "!", "[", "[["]);
const STANDALONE = new Set(["make", "pytest", "tsc", "jest", "vitest", "mypy", "black", "flake8", "eslint", "ruff", "pyright", "cargo", "ls"]);

/** True for the languages of fenced blocks that hold shell: bash, sh, zsh, console, … */
export function isShellLang(lang: string): boolean {
  return /^(bash|sh|shell|zsh|fish|console|terminal|shell-session|shellsession|cmd|ksh)$/.test(lang);
}

/** True when an inline span or a line reads as a shell command (starts with a known tool, `./x`, `VAR=x cmd`). */
export function looksLikeCommand(text: string): boolean {
  const t = text.trim().replace(/^\$\s+/, "");
  if (t === "" || t.includes("\n")) return false;
  const words = t.split(/\s+/);
  let k = 0;
  while (k < words.length - 1 && /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(words[k]!)) k++;
  const first = words[k]!;
  if (/^\.{1,2}\/[\w.\/-]+$/.test(first)) return true;
  if (/^[\w-]+\/[\w.\/-]+\.(sh|py|js|ts|rb|pl)$/.test(first) && words.length > 1) return true;
  // `bin/rails test`, `scripts/lint.sh --fix`: a project's own bin stub or script, with arguments.
  if (/^(?:bin|scripts?|tools)\/[\w.-]+$/.test(first) && words.length > 1) return true;
  if (!COMMAND_WORDS.has(first)) return false;
  return words.length - k > 1 || STANDALONE.has(first);
}

/** True when an untagged code block reads as shell: every line a comment or a command. */
export function looksLikeShellBlock(body: readonly string[]): boolean {
  let commands = 0;
  for (const raw of body) {
    const l = raw.trim();
    if (l === "" || l.startsWith("#")) continue;
    if (!looksLikeCommand(l)) return false;
    commands++;
  }
  return commands > 0;
}

export interface ShellCommand {
  command: string;
  /** 0-based line of the block where the command starts */
  offset: number;
}

/** The commands of a shell block, one per logical line. */
export function shellCommands(body: readonly string[]): ShellCommand[] {
  const prompted = body.some((l) => /^\s*\$\s/.test(l));
  const out: ShellCommand[] = [];
  const acc: { cur: string | null; start: number; state: ScanState; heredoc: string | null; joinNext: boolean } = {
    cur: null,
    start: 0,
    state: { single: false, double: false, depth: 0 },
    heredoc: null,
    joinNext: false,
  };
  const flush = (): void => {
    const c = (acc.cur ?? "").trim();
    if (c !== "") out.push({ command: c, offset: acc.start });
    acc.cur = null;
    acc.state = { single: false, double: false, depth: 0 };
    acc.joinNext = false;
  };
  for (let k = 0; k < body.length; k++) {
    let line: string = body[k]!;
    if (acc.heredoc !== null) {
      acc.cur = `${acc.cur ?? ""}\n${line}`;
      if (line.trim() === acc.heredoc) acc.heredoc = null;
      if (acc.heredoc === null && acc.state.depth <= 0) flush();
      continue;
    }
    const open: boolean = acc.cur !== null;
    if (!open) {
      const t = line.trim();
      if (t === "" || t.startsWith("#")) continue;
      if (prompted) {
        if (!/^\s*\$\s/.test(line)) continue;
        line = line.replace(/^\s*\$\s+/, "");
      }
      if (isOutputLine(line.trim())) continue;
      acc.start = k;
    } else if (!acc.state.single && !acc.state.double && acc.state.depth > 0 && line.trim().startsWith("#")) continue;
    const text: string = acc.state.single || acc.state.double ? line : stripComment(line, acc.state);
    acc.state = scan(text, acc.state);
    const piece: string = open && acc.joinNext ? text.trim() : text.replace(/\s+$/, "");
    const cur: string = acc.cur === null ? piece.trim() : acc.joinNext ? `${acc.cur} ${piece}` : `${acc.cur}\n${piece}`;
    acc.cur = cur;
    const hd = /<<-?\s*['"]?(\w+)['"]?/.exec(text);
    if (hd && !acc.state.single && !acc.state.double) acc.heredoc = hd[1]!;
    acc.joinNext = false;
    if (acc.heredoc !== null || acc.state.single || acc.state.double || acc.state.depth > 0) continue;
    if (/\\$/.test(cur)) {
      acc.cur = cur.slice(0, -1).trimEnd();
      acc.joinNext = true;
      continue;
    }
    if (/(\|\||&&|\|)$/.test(cur.trimEnd())) {
      acc.joinNext = true;
      continue;
    }
    flush();
  }
  if (acc.cur !== null) flush();
  return out;
}

interface ScanState {
  single: boolean;
  double: boolean;
  /** open do/then/case/{ blocks */
  depth: number;
}

// Quote and compound-command state after one more line.
function scan(line: string, st: ScanState): ScanState {
  let { single, double, depth } = st;
  let word = "";
  const endWord = (): void => {
    if (word === "do" || word === "then" || word === "case" || word === "{") depth++;
    else if (word === "done" || word === "fi" || word === "esac" || word === "}") depth--;
    word = "";
  };
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (single) {
      if (c === "'") single = false;
      continue;
    }
    if (c === "\\") {
      k++;
      continue;
    }
    if (double) {
      if (c === '"') double = false;
      continue;
    }
    if (c === "'") single = true;
    else if (c === '"') double = true;
    else if (/[\s;&|()]/.test(c)) endWord();
    else word += c;
  }
  endWord();
  return { single, double, depth: Math.max(0, depth) };
}

// A trailing ` # comment` outside quotes removed.
function stripComment(line: string, st: ScanState): string {
  let single = st.single;
  let double = st.double;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (c === "\\" && !single) {
      k++;
      continue;
    }
    if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
    else if (c === "#" && !single && !double && (k === 0 || /\s/.test(line[k - 1]!))) return line.slice(0, k).trimEnd();
  }
  return line;
}

// Lines in shell blocks that are expected output or notes rather than commands.
function isOutputLine(t: string): boolean {
  if (/^[{[]["{[\d]/.test(t)) return true;
  if (/^[A-Z][A-Za-z ]{0,30}:(\s|$)/.test(t) && !COMMAND_WORDS.has(t.split(/[\s:]/)[0]!.toLowerCase())) return true;
  const first = t.split(/\s+/)[0]!;
  return !KEYWORDS.has(first) && /^[✓✔✅❌→]/.test(first);
}
