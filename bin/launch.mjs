// The fallback of bin/purpled and bin/purplectl: when the Bun of purple's `bun` dependency is not
// where those scripts look, Node finds the package as it resolves any dependency, and runs the
// entry under it (`node launch.mjs ctl/main.ts ARGS…`). Plain Node on purpose: no Bun is known yet.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Node resolves the symlink npm puts on PATH, so this is the real bin/ of the installed package.
const HERE = dirname(fileURLToPath(import.meta.url));

/** The bun binary of the `bun` package, found as Node would find the package from here. */
export function bundledBun() {
  const require = createRequire(import.meta.url);
  let pkgFile;
  try {
    pkgFile = require.resolve("bun/package.json");
  } catch {
    throw new Error("the `bun` package purple depends on is not installed; run `npm install` in purple's folder");
  }
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.bun;
  const bin = join(dirname(pkgFile), rel ?? "bin/bun.exe");
  // Installed with --ignore-scripts, the package holds a small placeholder instead of Bun.
  if (!existsSync(bin) || statSync(bin).size < 1_000_000)
    throw new Error(`${bin} is not Bun (installed with scripts turned off?); run \`node ${join(dirname(pkgFile), "install.js")}\``);
  return bin;
}

/** Run `entry` (relative to purple's folder) with `args`; exit as it exits. */
export async function launch(entry, args) {
  const file = join(HERE, "..", entry);
  if (process.versions.bun) return void (await import(pathToFileURL(file).href));
  let bun;
  try {
    bun = bundledBun();
  } catch (err) {
    process.stderr.write(`${entry.includes("daemon") ? "purpled" : "purplectl"}: ${err.message}\n`);
    process.exit(1);
  }
  const child = spawn(bun, [file, ...args], { stdio: "inherit" });
  // A terminal's Ctrl-C reaches the whole foreground group, child included: passing SIGINT on
  // would count twice (a second SIGINT forces purpled). Signals sent to this pid alone are passed on.
  process.on("SIGINT", () => {});
  for (const sig of ["SIGTERM", "SIGHUP", "SIGQUIT"]) process.on(sig, () => child.kill(sig));
  child.on("error", (err) => {
    process.stderr.write(`cannot start ${bun}: ${err.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await launch(process.argv[2], process.argv.slice(3));
