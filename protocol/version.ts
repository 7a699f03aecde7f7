// The control channel's protocol version, apart from its schemas: purplectl compares majors
// before its first call, and a lean `purplectl submit` does that without loading zod.

/** major.minor: a different major is incompatible; a client refuses it (SPEC §8, STYLE 7). */
export const PROTOCOL_VERSION = "1.0";
export const protocolMajor = (v: string): number => Number.parseInt(v.split(".")[0] ?? "", 10);
