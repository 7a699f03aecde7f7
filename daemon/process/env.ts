// The environment a child process starts from: a handful of harmless variables, never a secret.
// Children never inherit the daemon's environment wholesale (SPEC §10: no API key in an agent's env).

/** Variables copied from the daemon's environment when set: enough to find programs and a home. */
export const SAFE_ENV_KEYS = ["PATH", "HOME", "USER", "LANG", "TMPDIR", "SHELL", "TERM"] as const;

const SECRET_NAMES = new Set(["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"]);
const SECRET_VALUE = /sk-ant-/;

/** The safe base environment taken from `source` (default: this process's environment). */
export function baseEnv(source: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of SAFE_ENV_KEYS) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return withoutSecrets(env);
}

/** `env` minus every variable that is or holds an Anthropic credential. */
export function withoutSecrets(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (SECRET_NAMES.has(key) || SECRET_VALUE.test(value)) continue;
    out[key] = value;
  }
  return out;
}
