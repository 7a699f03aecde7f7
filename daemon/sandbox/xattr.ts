// Reading one extended attribute without following symlinks (lgetxattr through bun:ffi): overlayfs
// marks a directory that replaced a lower one ("opaque": everything below it in the project was
// deleted) with user.overlay.opaque=y in the upper layer, and Node has no xattr API.
import { dlopen, FFIType, ptr } from "bun:ffi";

let lgetxattr: ((path: Uint8Array, name: Uint8Array, value: number, size: bigint) => bigint) | null | undefined;

function load(): typeof lgetxattr {
  if (lgetxattr !== undefined) return lgetxattr;
  try {
    const lib = dlopen("libc.so.6", { lgetxattr: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64], returns: FFIType.i64 } });
    const fn = lib.symbols.lgetxattr as unknown as (p: number, n: number, v: number, s: bigint) => bigint;
    lgetxattr = (path, name, value, size) => fn(ptr(path), ptr(name), value, size);
  } catch {
    lgetxattr = null;
  }
  return lgetxattr;
}

const cstr = (s: string) => Buffer.from(s + "\0");

/** The attribute's value as text, or null when the file has none (or xattrs cannot be read here). */
export function readXattr(path: string, name: string): string | null {
  const fn = load();
  if (!fn) return null;
  const buf = new Uint8Array(256);
  const n = Number(fn(cstr(path), cstr(name), ptr(buf), BigInt(buf.length)));
  return n < 0 ? null : Buffer.from(buf.subarray(0, n)).toString("utf8");
}

/** True when an upper-layer directory hides everything the project had below it. */
export function isOpaqueDir(upperPath: string): boolean {
  return readXattr(upperPath, "user.overlay.opaque") === "y";
}

/** True once lgetxattr could be loaded (Linux with glibc). */
export function xattrsReadable(): boolean {
  return load() !== null;
}
