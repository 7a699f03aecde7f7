// The command line that runs one process tree in a sandbox (SPEC §10). Measured on Debian 12
// (bubblewrap 0.8 has no --overlay), so two stages:
//   1. `unshare -m` (as root) or `unshare -Urm` (as anyone else: a user namespace mapping purpled's
//      uid to 0) gives a private mount namespace where `mount -t overlay` puts a copy-on-write view
//      of the project at the view's `merged` dir: every change lands in its `upper` dir.
//   2. bubblewrap, run from there, builds the world the agent sees: the host read-only, a fresh
//      /dev, /tmp and /proc, the view bound at the project's own path, the project's .git/ and
//      O/ read-only, O/.purple/ and the admin socket's folder covered by empty read-only tmpfs,
//      the agent channel bound in; new user (mapped back to purpled's uid), PID, IPC and cgroup
//      namespaces, every capability dropped, no further user namespaces; it dies with its parent.
// When the command exits, the PID namespace's init goes and takes every process left with it.
// The alternative of binding only the territory writable was measured too: it needs a bind per
// territory entry that exists (globs cannot be bound), cannot hold back deletes or renames across
// it, and leaves no changeset to check or to carry to another machine; the overlay gives both.

/** Where the sandbox programs are (found once at detection). */
export interface SandboxTools {
  unshare: string;
  mount: string;
  bwrap: string;
  sh: string;
  env: string;
}

export interface Layout {
  /** the project root (real path): the view appears here */
  root: string;
  /** the overlay's dirs for this view */
  upper: string;
  work: string;
  merged: string;
  /** host paths covered by an empty read-only tmpfs (O/.purple, the admin socket's folder) */
  hide: string[];
  /** paths inside the root bound read-only over the view (the root's .git/, O/) */
  readOnly: string[];
  /** host dirs the process may write directly (a runner's own config dir); outside the root */
  writable: string[];
  /** the agent channel: the host socket, bound at `inside` */
  channel: { host: string; inside: string } | null;
}

/** The mount options of the view: user xattrs (works unprivileged), no redirects or metacopy (an upper file is always whole). */
export function overlayOptions(l: Pick<Layout, "root" | "upper" | "work">): string {
  for (const p of [l.root, l.upper, l.work]) {
    if (/[,:\\\n]/.test(p)) throw new Error(`the path ${p} holds a character (, : \\ or a newline) that overlayfs mount options cannot carry`);
  }
  return `userxattr,redirect_dir=nofollow,metacopy=off,lowerdir=${l.root},upperdir=${l.upper},workdir=${l.work}`;
}

// Stage 1's script: mount the view, then become stage 2. Exit 125 says the mount failed.
// bubblewrap (the group's leader from here on) ignores SIGTERM, and `env --default-signal=TERM` gives
// the command the default back: a stop's SIGTERM reaches the agent, which gets its grace period,
// instead of killing bubblewrap, whose death would take the whole namespace down at once.
const MOUNT_THEN_EXEC = 'mount -i -t overlay overlay -o "$1" "$2" || { echo "purple sandbox: the copy-on-write view could not be mounted" >&2; exit 125; }; shift 2; trap "" TERM; exec "$@"';

/** argv running `argv` with working directory `cwd` inside the sandbox of `l`. */
export function sandboxArgv(tools: SandboxTools, l: Layout, argv: readonly string[], cwd: string, ids: { uid: number; gid: number }): string[] {
  const unshare = ids.uid === 0 ? [tools.unshare, "-m"] : [tools.unshare, "-U", "-r", "-m"];
  const bwrap = [
    tools.bwrap,
    "--unshare-user", "--uid", String(ids.uid), "--gid", String(ids.gid), "--disable-userns",
    "--unshare-pid", "--unshare-ipc", "--unshare-cgroup-try", "--die-with-parent", "--cap-drop", "ALL",
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
  ];
  const inside = (p: string) => p === l.root || p.startsWith(`${l.root}/`);
  for (const h of l.hide.filter((p) => !inside(p))) bwrap.push("--tmpfs", h, "--remount-ro", h);
  bwrap.push("--bind", l.merged, l.root);
  for (const p of l.readOnly) bwrap.push("--ro-bind", p, p);
  for (const h of l.hide.filter(inside)) bwrap.push("--tmpfs", h, "--remount-ro", h);
  for (const w of l.writable) bwrap.push("--bind", w, w);
  if (l.channel) bwrap.push("--bind", l.channel.host, l.channel.inside);
  bwrap.push("--chdir", cwd, "--", tools.env, "--default-signal=TERM");
  return [...unshare, "--", tools.sh, "-c", MOUNT_THEN_EXEC, "purple-sandbox", overlayOptions(l), l.merged, ...bwrap, ...argv];
}
