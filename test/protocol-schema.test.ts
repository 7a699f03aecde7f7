// The committed JSON Schema must match the zod schemas it is generated from.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderSchemas } from "../protocol/generate-schema.ts";

test("protocol/schema/*.json is up to date (run `npm run schema` after changing protocol/)", () => {
  const stale: string[] = [];
  for (const [file, text] of renderSchemas()) {
    let committed = "";
    try {
      committed = readFileSync(join(import.meta.dir, "..", "protocol", "schema", file), "utf8");
    } catch {}
    if (committed !== text) stale.push(file);
  }
  expect(stale).toEqual([]);
});

test("the plan schema is published where SPEC §4 says", () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dir, "..", "protocol", "schema", "plan.schema.json"), "utf8"));
  expect(schema.properties.apiVersion.const).toBe("purple/v1");
  expect(schema.additionalProperties).toBe(false);
});
