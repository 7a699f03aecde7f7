// readPlanFile / readInboxItem: every unsafe kind of dropped item is a problem, never a throw or a hang.
import { expect, test } from "bun:test";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readInboxItem, readPlanFile, sha256 } from "../inbox/read-item.ts";
import { minimalPlan, tempRoot, toYaml } from "./inbox-fixtures.ts";

const failure = async (p: ReturnType<typeof readPlanFile>) => {
  const r = await p;
  if (r.ok) throw new Error("expected a refusal");
  return { code: r.code, message: r.problems[0]!.message };
};

test("a plan file is read with its sha256 and its format from the extension", async () => {
  const dir = tempRoot();
  const text = toYaml(minimalPlan());
  for (const name of ["p.yaml", "p.yml", "p.json"]) writeFileSync(join(dir, name), text);
  const r = await readPlanFile(join(dir, "p.yaml"));
  expect(r).toMatchObject({ ok: true, text, hash: sha256(text), format: "yaml" });
  expect(await readPlanFile(join(dir, "p.yml"))).toMatchObject({ format: "yaml" });
  expect(await readPlanFile(join(dir, "p.json"))).toMatchObject({ format: "json" });
});

test("a file over the size cap is refused from its size, naming size and cap", async () => {
  const file = join(tempRoot(), "big.yaml");
  writeFileSync(file, "");
  truncateSync(file, 2 * 1024 * 1024); // sparse: reading it would be the only way to notice its content
  const { code, message } = await failure(readPlanFile(file, { maxBytes: 1024 * 1024 }));
  expect(code).toBe("PLAN_TOO_LARGE");
  expect(message).toContain("2097152 bytes");
  expect(message).toContain("cap of 1048576 bytes");
});

test("a binary file (NUL bytes) is refused", async () => {
  const file = join(tempRoot(), "bin.yaml");
  writeFileSync(file, Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]));
  expect(await failure(readPlanFile(file))).toEqual({ code: "PLAN_UNREADABLE", message: expect.stringContaining("NUL") });
});

test("invalid UTF-8 is refused", async () => {
  const file = join(tempRoot(), "latin1.yaml");
  writeFileSync(file, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x74, 0xe9]));
  expect(await failure(readPlanFile(file))).toEqual({ code: "PLAN_UNREADABLE", message: expect.stringContaining("UTF-8") });
});

test("a FIFO is refused without being opened", async () => {
  const file = join(tempRoot(), "pipe.yaml");
  expect(Bun.spawnSync(["mkfifo", file]).exitCode).toBe(0);
  expect((await failure(readPlanFile(file))).message).toContain("FIFO");
});

test("a symlink is refused, even to a good plan", async () => {
  const dir = tempRoot();
  writeFileSync(join(dir, "real.yaml"), toYaml(minimalPlan()));
  symlinkSync(join(dir, "real.yaml"), join(dir, "link.yaml"));
  expect((await failure(readPlanFile(join(dir, "link.yaml")))).message).toContain("symbolic link");
});

test("a name containing a newline is refused", async () => {
  const file = join(tempRoot(), "evil\nname.yaml");
  writeFileSync(file, toYaml(minimalPlan()));
  expect((await failure(readPlanFile(file))).message).toContain("newline");
});

test("a file that is not .yaml/.yml/.json is refused", async () => {
  const file = join(tempRoot(), "plan.txt");
  writeFileSync(file, toYaml(minimalPlan()));
  expect((await failure(readPlanFile(file))).message).toContain(".yaml, .yml or .json");
});

test("a vanished file is a problem, not a throw", async () => {
  expect((await failure(readPlanFile(join(tempRoot(), "gone.yaml")))).code).toBe("PLAN_UNREADABLE");
});

test("a dropped folder is read through its plan.yaml (or plan.json)", async () => {
  const dir = tempRoot();
  mkdirSync(join(dir, "f1"));
  writeFileSync(join(dir, "f1", "plan.yaml"), "x: 1\n");
  mkdirSync(join(dir, "f2"));
  writeFileSync(join(dir, "f2", "plan.json"), "{}");
  expect(await readInboxItem(join(dir, "f1"))).toMatchObject({ ok: true, kind: "folder", format: "yaml", file: join(dir, "f1", "plan.yaml") });
  expect(await readInboxItem(join(dir, "f2"))).toMatchObject({ ok: true, kind: "folder", format: "json" });
});

test("a folder without a canonical plan is refused, saying only canonical plans are accepted", async () => {
  const dir = tempRoot();
  mkdirSync(join(dir, "md"));
  writeFileSync(join(dir, "md", "orchestration-plan.md"), "# Plan\n");
  const r = await readInboxItem(join(dir, "md"));
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.problems[0]!.message).toMatch(/only canonical plans.*markdown/);
});

test("an inbox item that is a symlink to a folder is refused", async () => {
  const dir = tempRoot();
  mkdirSync(join(dir, "real"));
  writeFileSync(join(dir, "real", "plan.yaml"), toYaml(minimalPlan()));
  symlinkSync(join(dir, "real"), join(dir, "link"));
  const r = await readInboxItem(join(dir, "link"));
  expect(r.ok).toBe(false);
});
