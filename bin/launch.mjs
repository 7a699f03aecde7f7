// Starts purpled or purplectl under the Bun that came with purple (the `bun` npm dependency), so
// neither needs `bun` on PATH: a global install, `npm link` or a packed tarball work as they are.
// Plain Node on purpose: this file must run before any Bun is found. Under Bun it imports the entry.
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

/** Run `entry` (relative to purple's folder) with the command line's arguments; exit as it exits. */
export async function launch(entry) {
  const file = join(HERE, "..", entry);
  if (process.versions.bun) return void (await import(pathToFileURL(file).href));
  let bun;
  try {
    bun = bundledBun();
  } catch (err) {
    process.stderr.write(`${entry.includes("daemon") ? "purpled" : "purplectl"}: ${err.message}\n`);
    process.exit(1);
  }
  const child = spawn(bun, [file, ...process.argv.slice(2)], { stdio: "inherit" });
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
